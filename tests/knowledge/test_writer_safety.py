"""One writer per data directory, and an index that survives kill -9 in the middle of an ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cli.main import main
from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.lock import WriteLock, WriterBusy
from knowledge.retriever import HybridRetriever

HOLD_LOCK = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from knowledge.lock import WriteLock
    with WriteLock(Path(sys.argv[1])):
        print("locked", flush=True)
        time.sleep(60)
    """
)


def _synthetic_corpus(folder: Path, files: int) -> None:
    folder.mkdir(parents=True)
    for n in range(files):
        body = "".join(f"第{n}号产品第{i}条：年化利率{3 + i % 5}.{n % 10}%，期限{12 + i}个月。" for i in range(60))
        (folder / f"doc{n:04d}.md").write_text(f"# 产品{n}\n\n{body}\n", encoding="utf-8")


def test_second_writer_fails_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(WriterBusy, match=f"pid {holder.pid}"):
            WriteLock(tmp_path).acquire()
        corpus = tmp_path / "c"
        _synthetic_corpus(corpus, 1)
        assert main(["ingest", "--data-dir", str(tmp_path), str(corpus)]) == 2
        assert "only one writer per data directory" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    with WriteLock(tmp_path) as lock:  # released by the OS when the holder died
        assert lock.held


def test_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    lock = WriteLock(tmp_path)
    with lock, lock:
        assert lock.held
    assert not lock.held


INGEST_AND_REPORT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from knowledge.embedding import HashingEmbedding
    from knowledge.index import KnowledgeIndex
    from knowledge.ingest import ingest
    index = KnowledgeIndex.open(Path(sys.argv[1]), HashingEmbedding(128))
    ingest(index, [Path(sys.argv[2])], progress=lambda done, total, name: print(done, flush=True))
    print("finished", flush=True)
    """
)

CHECK_FRESH_PROCESS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from knowledge.embedding import HashingEmbedding
    from knowledge.index import KnowledgeIndex
    from knowledge.retriever import HybridRetriever
    index = KnowledgeIndex.open(Path(sys.argv[1]), HashingEmbedding(128))
    print(index.vectors.count(), len(HybridRetriever(index).search("第7号产品 年化利率", k=3)))
    """
)


def test_kill_9_mid_ingest_is_repaired_by_reingest(tmp_path: Path) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    _synthetic_corpus(corpus, 120)
    writer = subprocess.Popen(
        [sys.executable, "-c", INGEST_AND_REPORT, str(data), str(corpus)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    for line in writer.stdout:  # files done (fractions while a batch embeds)
        if line.strip() != "finished" and float(line) >= 40:
            break
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    assert writer.returncode == -signal.SIGKILL

    index = KnowledgeIndex.open(data, HashingEmbedding(128))
    try:
        report = ingest(index, [corpus])
        assert report.ok and len(report.added) + len(report.unchanged) == 120
        assert index.status() == {
            "files": 120,
            "chunks": index.vectors.count(),
            "vectors": index.vectors.count(),
            "bm25_current": True,
        }
        assert HybridRetriever(index).search("第7号产品 年化利率", k=1)[0].source == "doc0007.md"
    finally:
        index.close()
    fresh = subprocess.run(
        [sys.executable, "-c", CHECK_FRESH_PROCESS, str(data)], capture_output=True, text=True, timeout=120
    )
    assert fresh.returncode == 0, fresh.stderr
    vectors, hits = fresh.stdout.split()
    assert int(vectors) > 0 and int(hits) == 3
