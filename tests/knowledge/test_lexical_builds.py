"""Rebuilding the BM25 index while other processes search it: each build in a directory of its own behind one
symlink, so a reader loads the old build or the new one, whole, at any moment of a rebuild."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.lexical_index import LexicalBuild, LexicalIndex
from knowledge.retriever import HybridRetriever

DOCS = {
    "a.md": "# 设备融资租赁\n\n设备融资租赁期限为一至五年。",
    "b.md": "# 票据贴现\n\n商业汇票贴现年化利率以当日报价为准。",
    "c.md": "# 科技贷\n\n科技型中小企业信用贷款最高五百万元。",
}


@pytest.fixture
def owner(tmp_path: Path) -> Iterator[KnowledgeIndex]:
    index = KnowledgeIndex.open(tmp_path / "data", HashingEmbedding(128))
    yield index
    index.close()


def _ingest(owner: KnowledgeIndex, docs: Path, names: list[str]) -> None:
    docs.mkdir(exist_ok=True)
    for name in names:
        (docs / name).write_text(DOCS[name], encoding="utf-8")
    ingest(owner, [docs])


def _builds(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.glob("bm25.*"))


def test_a_reader_sees_a_whole_build_at_every_step_of_a_rebuild(
    owner: KnowledgeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(owner, tmp_path / "docs", ["a.md"])
    reader = LexicalIndex(owner.lexical.directory)
    before = reader.refresh()
    assert len(before.ids) == 1
    seen: list[tuple[int, int]] = []

    def observing(real: Callable[..., Any]) -> Callable[..., Any]:
        def step(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            build = reader.refresh()  # another process searching right after this step of the rebuild
            seen.append((build.generation, len(build.ids)))
            assert build.search(["融资", "租赁"], 5, None) or build.generation != before.generation
            return result

        return step

    monkeypatch.setattr("knowledge.lexical_index.os.replace", observing(os.replace))
    monkeypatch.setattr("knowledge.lexical_index.os.symlink", observing(os.symlink))
    monkeypatch.setattr("knowledge.lexical_index.shutil.rmtree", observing(shutil.rmtree))
    _ingest(owner, tmp_path / "docs", ["b.md"])
    after = LexicalIndex(owner.lexical.directory).refresh()
    assert len(after.ids) == 2 and after.generation != before.generation
    assert seen and set(seen) <= {(before.generation, 1), (after.generation, 2)}  # never empty, never mixed
    assert seen[-1] == (after.generation, 2)


def test_the_previous_build_stays_for_readers_and_older_ones_go(owner: KnowledgeIndex, tmp_path: Path) -> None:
    directory = owner.lexical.directory
    for names in (["a.md"], ["b.md"], ["c.md"]):
        _ingest(owner, tmp_path / "docs", names)
    (directory.parent / "bm25.link-stale").symlink_to("nowhere")  # left by a rebuild cut off before its rename
    previous = os.readlink(directory)
    (tmp_path / "docs" / "a.md").write_text("# 设备融资租赁\n\n期限一至三年。", encoding="utf-8")
    _ingest(owner, tmp_path / "docs", [])
    current = os.readlink(directory)
    assert directory.is_symlink() and current != previous
    assert _builds(directory.parent) == sorted([current, previous])  # the two before are gone
    assert not (directory.parent / "bm25.link-stale").is_symlink()
    assert len(LexicalIndex(directory).refresh().ids) == 3


def test_a_reader_whose_build_is_removed_while_it_reads_loads_the_new_one(
    owner: KnowledgeIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(owner, tmp_path / "docs", ["a.md"])
    reader = LexicalIndex(owner.lexical.directory)
    real_read = LexicalBuild.read
    calls: list[Path] = []

    def read_racing(directory: Path) -> LexicalBuild:
        calls.append(directory)
        if len(calls) == 1:  # two rebuilds land while this read is under way: its directory is gone
            _ingest(owner, tmp_path / "docs", ["b.md"])
            _ingest(owner, tmp_path / "docs", ["c.md"])
            assert not directory.exists()
        return real_read(directory)

    monkeypatch.setattr(LexicalBuild, "read", staticmethod(read_racing))
    build = reader.refresh()
    assert calls[0] != calls[-1] and not calls[0].exists() and len(build.ids) == 3
    assert reader.refresh() is build  # loaded once; nothing changed since


def test_an_index_from_before_versioned_builds_is_read_and_then_replaced(owner: KnowledgeIndex, tmp_path: Path) -> None:
    _ingest(owner, tmp_path / "docs", ["a.md"])
    directory = owner.lexical.directory
    build = directory.parent / os.readlink(directory)
    directory.unlink()
    shutil.copytree(build, directory)  # the layout earlier releases left: a plain directory
    shutil.rmtree(build)
    reader = LexicalIndex(directory)
    assert len(reader.refresh().ids) == 1
    _ingest(owner, tmp_path / "docs", ["b.md"])
    assert directory.is_symlink() and len(reader.refresh().ids) == 2
    assert (directory.parent / "bm25.unversioned").is_dir()  # kept for readers still loading it, until next time
    _ingest(owner, tmp_path / "docs", ["c.md"])
    assert not (directory.parent / "bm25.unversioned").exists()
    assert {r.source for r in HybridRetriever(owner).search("信用贷款")} >= {"c.md"}
