"""Ingest files into the index: incremental (unchanged files do no work), idempotent, one writer at a time.

Crash safety: a marker file is present while an ingest writes. If a run is killed, the next one reconciles
Chroma with the chunk store (the source of truth) before doing anything else.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from knowledge.chunk_store import FileRecord
from knowledge.embedding import HashingEmbedding
from knowledge.flat_vectors import FLAT_MAX_CHUNKS
from knowledge.index import KnowledgeIndex
from knowledge.lexical_index import LexicalIndex
from knowledge.loaders import supported
from knowledge.prepare import FailedFile, FileTask, PreparedFile, fingerprint, init_worker, prepare_batch
from knowledge.screening import FlaggedDocument, flagged_documents

Progress = Callable[[float, int, str], None]  # files done (fractions while a batch embeds), files in all, label
BATCH_FILES = 40
EMBED_SLICE = 64  # texts embedded between progress reports
POOL_MIN_FILES = 400  # below this, starting worker processes costs more than it saves
# One preparing process beside this one, which writes to Chroma: on 2 cores a second worker only starves the
# writer (measured: 2 workers 520 chunks/s, see bench/retrieval.py).
POOL_WORKERS = max(1, (os.cpu_count() or 2) - 1)
POOL_LOOKAHEAD = 2  # batches queued per worker, so a worker never waits for the writer to hand it more
_MARKER = "ingest.inprogress"


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    bm25_rebuilt: bool = False
    repaired: int = 0
    seconds: float = 0.0
    flagged: list[FlaggedDocument] = field(default_factory=list)  # given files that broke screening rules

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_dict(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": len(self.unchanged),
            "removed": self.removed,
            "failed": [{"path": p, "reason": r} for p, r in self.failed],
            "chunks_written": self.chunks_written,
            "bm25_rebuilt": self.bm25_rebuilt,
            "repaired": self.repaired,
            "seconds": round(self.seconds, 3),
            "flagged": [f.to_dict() for f in self.flagged],
        }


def _scan(path: Path) -> tuple[Path, list[Path]]:
    """(root, files) for a file or a folder; hidden files and folders are skipped."""
    if path.is_dir():
        files = [
            p
            for p in sorted(path.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
        return path, files
    return path.parent, [path]


def ingest(
    index: KnowledgeIndex,
    paths: Iterable[Path],
    *,
    sync: bool = False,
    chunk_size: int = 450,
    overlap: int = 80,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index up to date with the given files and folders.

    Holds the data directory's write lock throughout (raises WriterBusy when another process writes).
    With sync, files that were ingested from one of the given folders and are gone now lose their chunks.
    """
    report, started = IngestReport(), time.perf_counter()
    with _writing(index, report):
        known = index.chunks.files()
        tasks: list[FileTask] = []
        for raw in paths:
            path = Path(raw).resolve()
            if not path.exists():
                report.failed.append((str(raw), "no such file or folder"))
                continue
            root, files = _scan(path)
            if sync and path.is_dir():
                _remove_missing(index, root, {f.relative_to(root).as_posix() for f in files}, report)
            for file in files:
                task = _plan(root, file, known, chunk_size, overlap, report)
                if task:
                    tasks.append(task)
        done = 0
        for batch in _prepared_batches(index, tasks):
            last = batch[-1]
            label = last.record.source if isinstance(last, PreparedFile) else last.path

            def tick(share: float, before: int = done, size: int = len(batch), label: str = label) -> None:
                if progress:
                    progress(before + share * size, len(tasks), label)

            _write(index, batch, known, report, tick)
            done += len(batch)
            tick(1.0)
    for names in (report.added, report.updated, report.failed):
        names.sort()  # batches finish out of order
    report.seconds = time.perf_counter() - started
    return report


def ingest_prepared(
    index: KnowledgeIndex, prepared: list[PreparedFile], progress: Progress | None = None
) -> IngestReport:
    """Write files prepared beforehand (uploads: read and chunked outside the lock, see
    knowledge.isolated_prepare). Holds the write lock only for the index write; a file whose fingerprint the
    index already has counts as unchanged."""
    report, started = IngestReport(), time.perf_counter()
    with _writing(index, report):
        known = index.chunks.files()
        ready = []
        for p in prepared:
            previous = known.get(p.record.source)
            if previous and previous.sha256 == p.record.sha256 and previous.root == p.record.root:
                report.unchanged.append(p.record.source)
            else:
                ready.append(p)

        def tick(share: float) -> None:
            if progress:
                progress(share * len(ready), len(ready), ready[-1].record.source)

        if ready:
            batch: list[PreparedFile | FailedFile] = [*ready]
            _write(index, batch, known, report, tick)
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _writing(index: KnowledgeIndex, report: IngestReport) -> Iterator[None]:
    """Hold the write lock with the crash marker set (reconciling first if a killed run left it); on success,
    bring the BM25 index up to date and clear the marker."""
    with index.lock:
        marker = index.data_dir / _MARKER
        if marker.exists():
            report.repaired = reconcile(index)
        marker.touch()
        yield
        report.bm25_rebuilt = refresh_search_index(index)
        report.flagged = flagged_documents(index.chunks, [*report.added, *report.updated, *report.unchanged])
        marker.unlink()


def refresh_search_index(index: KnowledgeIndex) -> bool:
    """Rebuild the BM25 index (and the saved vectors of a small collection) when it is behind the chunk store or
    lacks the vectors; the caller holds the write lock. True when rebuilt."""
    directory = index.lexical.directory
    current = LexicalIndex.built_generation(directory) == index.chunks.generation()
    if current and (LexicalIndex.has_vectors(directory) or not 0 < index.chunks.count() <= FLAT_MAX_CHUNKS):
        return False
    LexicalIndex.build(index.chunks, directory, index.vectors)
    index.lexical.refresh()
    return True


def _plan(
    root: Path, file: Path, known: dict[str, FileRecord], chunk_size: int, overlap: int, report: IngestReport
) -> FileTask | None:
    source = file.relative_to(root).as_posix()
    if not supported(file):
        report.failed.append((str(file), f"unsupported file type '{file.suffix or '(none)'}'"))
        return None
    try:
        print_ = fingerprint(file, chunk_size, overlap)
    except OSError as exc:
        report.failed.append((str(file), f"cannot read ({exc.strerror})"))
        return None
    previous = known.get(source)
    if previous and previous.sha256 == print_:
        report.unchanged.append(source)
        return None
    return FileTask(root, file, source, print_, chunk_size, overlap)


def _prepared_batches(index: KnowledgeIndex, tasks: list[FileTask]) -> Iterator[list[PreparedFile | FailedFile]]:
    """Prepared batches, in no particular order, as fast as this process can write them.

    Worker processes prepare batches from the front of the queue. This process never waits idle for them:
    while no submitted batch is ready (the pool is still starting, or the writer is ahead), it prepares the
    last unsubmitted batch itself.
    """
    batches = deque(tasks[i : i + BATCH_FILES] for i in range(0, len(tasks), BATCH_FILES))
    embedding = index.vectors.embedding
    work = partial(prepare_batch, embed_dim=embedding.dim if isinstance(embedding, HashingEmbedding) else None)
    if len(tasks) < POOL_MIN_FILES or (os.cpu_count() or 1) < 2:
        while batches:
            yield work(batches.popleft())
        return
    # spawn, not fork: the parent holds Chroma's native threads, which must not be forked.
    context = multiprocessing.get_context("spawn")
    cache = str(index.data_dir / "jieba")  # this process's jieba uses it too (KnowledgeIndex.open)
    with ProcessPoolExecutor(
        POOL_WORKERS, mp_context=context, initializer=init_worker, initargs=(cache, os.getpid())
    ) as pool:
        pending: deque[Future[list[PreparedFile | FailedFile]]] = deque()
        while batches or pending:
            while batches and len(pending) < POOL_WORKERS * POOL_LOOKAHEAD:
                pending.append(pool.submit(work, batches.popleft()))
            if pending and (pending[0].done() or not batches):
                yield pending.popleft().result()
            else:
                yield work(batches.pop())


def _embed(index: KnowledgeIndex, ready: list[PreparedFile], tick: Callable[[float], None]) -> list[np.ndarray]:
    """The chunks' vectors (computed in the workers, or here), and every answer unit's vector into the cache, so
    a turn never embeds a unit (see knowledge.units). Reports progress as the share of texts done."""
    if all(p.vectors is not None for p in ready):
        return [v for p in ready for v in p.vectors or []]
    chunk_texts = [t for p in ready for t in p.embed_texts]
    unit_texts = [t for p in ready for t in p.unit_texts] if index.embedding.cache is not None else []
    total = len(chunk_texts) + len(unit_texts)
    vectors: list[np.ndarray] = []
    for start in range(0, len(chunk_texts), EMBED_SLICE):
        vectors.extend(index.embedding(chunk_texts[start : start + EMBED_SLICE]))
        tick(len(vectors) / total)
    for start in range(0, len(unit_texts), EMBED_SLICE):
        index.embedding(unit_texts[start : start + EMBED_SLICE])  # kept in the vector cache
        tick((len(chunk_texts) + min(start + EMBED_SLICE, len(unit_texts))) / total)
    return vectors


def _write(
    index: KnowledgeIndex,
    batch: list[PreparedFile | FailedFile],
    known: dict[str, FileRecord],
    report: IngestReport,
    tick: Callable[[float], None],
) -> None:
    """Vectors first, the chunk store last: until the store commits, the old fingerprints stay, so a crash in
    between makes the next run redo these files (and reconcile drops any orphaned vectors)."""
    ready = [p for p in batch if isinstance(p, PreparedFile)]
    report.failed.extend((f.path, f.reason) for f in batch if isinstance(f, FailedFile))
    if not ready:
        return
    stale = [cid for p in ready if p.record.source in known for cid in index.chunks.chunk_ids(p.record.source)]
    index.vectors.delete_ids(stale)
    chunks = [c for p in ready for c in p.chunks]
    # Ids are content hashes, and a file's old chunks were just deleted: unless a crash left orphans (which
    # reconcile removed before this run started), every id is new, so Chroma's cheaper add is safe.
    fresh = len({c.id for c in chunks}) == len(chunks)
    index.vectors.upsert(chunks, vectors=_embed(index, ready, tick), fresh=fresh)
    index.record_embedding()
    index.chunks.replace_files([(p.record, p.chunks, p.tokens) for p in ready])
    for p in ready:
        (report.updated if p.record.source in known else report.added).append(p.record.source)
        report.chunks_written += len(p.chunks)


def _remove_missing(index: KnowledgeIndex, root: Path, present: set[str], report: IngestReport) -> None:
    for source in index.chunks.files(root=str(root)):
        if source not in present:
            index.vectors.delete_ids(index.chunks.chunk_ids(source))
            index.chunks.remove_file(source)
            report.removed.append(source)


def reconcile(index: KnowledgeIndex) -> int:
    """Make Chroma hold exactly the chunk store's chunks: drop orphans, re-add missing ones. Returns changes."""
    in_vectors = index.vectors.all_ids()
    in_store = index.chunks.all_ids()
    orphans = sorted(in_vectors - in_store)
    index.vectors.delete_ids(orphans)
    missing = sorted(in_store - in_vectors)
    for start in range(0, len(missing), 1000):
        stored = index.chunks.get(missing[start : start + 1000])
        chunks = [c.as_chunk() for c in stored.values()]
        index.vectors.upsert(chunks, [c.embed_text() for c in stored.values()])
    return len(orphans) + len(missing)
