"""Ingest files into the index: incremental (unchanged files do no work), idempotent, one writer at a time."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.chunk_store import FileRecord
from knowledge.chunking import chunk_document
from knowledge.index import KnowledgeIndex
from knowledge.lexical_index import LexicalIndex
from knowledge.loaders import LoadError, load_file, supported
from knowledge.tokenize import tokenize

CHUNKER_VERSION = "1"
Progress = Callable[[int, int, str], None]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_written: int = 0
    bm25_rebuilt: bool = False
    seconds: float = 0.0

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
            "seconds": round(self.seconds, 3),
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


def _fingerprint(path: Path, chunk_size: int, overlap: int) -> str:
    digest = hashlib.sha256(path.read_bytes())
    digest.update(f"|{CHUNKER_VERSION}|{chunk_size}|{overlap}".encode())
    return digest.hexdigest()


def embedding_text(title: str, heading: str, text: str) -> str:
    """What gets embedded: the chunk with its document title and heading path for context."""
    return f"{title}\n{heading}\n{text}"


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
    with index.lock:
        plan: list[tuple[Path, Path]] = []
        for raw in paths:
            path = Path(raw).resolve()
            if not path.exists():
                report.failed.append((str(raw), "no such file or folder"))
                continue
            root, files = _scan(path)
            plan.extend((root, f) for f in files)
            if sync and path.is_dir():
                _remove_missing(index, root, {f.relative_to(root).as_posix() for f in files}, report)
        known = index.chunks.files()
        for done, (root, file) in enumerate(plan, start=1):
            if progress:
                progress(done, len(plan), file.name)
            _ingest_one(index, root, file, known, chunk_size, overlap, report)
        if LexicalIndex.built_generation(index.lexical.directory) != index.chunks.generation():
            LexicalIndex.build(index.chunks, index.lexical.directory)
            index.lexical.refresh()
            report.bm25_rebuilt = True
    report.seconds = time.perf_counter() - started
    return report


def _ingest_one(
    index: KnowledgeIndex,
    root: Path,
    file: Path,
    known: dict[str, FileRecord],
    chunk_size: int,
    overlap: int,
    report: IngestReport,
) -> None:
    source = file.relative_to(root).as_posix()
    if not supported(file):
        report.failed.append((str(file), f"unsupported file type '{file.suffix or '(none)'}'"))
        return
    try:
        fingerprint = _fingerprint(file, chunk_size, overlap)
        previous = known.get(source)
        if previous and previous.sha256 == fingerprint:
            report.unchanged.append(source)
            return
        document = load_file(file, root)
    except LoadError as exc:
        report.failed.append((exc.path, exc.reason))
        return
    except OSError as exc:
        report.failed.append((str(file), f"cannot read ({exc.strerror})"))
        return
    chunks = chunk_document(document, chunk_size, overlap)
    title = str(document.metadata.get("title", ""))
    # Vectors first, the chunk store (our manifest) last: a crash in between leaves the old fingerprint,
    # so the next run redoes this file and both sides agree again.
    index.vectors.delete_source(source, index.chunks.chunk_ids(source))
    index.vectors.upsert(chunks, [embedding_text(title, c.heading, c.text) for c in chunks])
    tokens = [tokenize(f"{title} {c.heading} {c.text}") for c in chunks]
    index.chunks.replace_file(FileRecord(source, str(root), fingerprint, len(chunks)), chunks, tokens)
    (report.updated if previous else report.added).append(source)
    report.chunks_written += len(chunks)


def _remove_missing(index: KnowledgeIndex, root: Path, present: set[str], report: IngestReport) -> None:
    for source in index.chunks.files(root=str(root)):
        if source not in present:
            index.vectors.delete_source(source, index.chunks.chunk_ids(source))
            index.chunks.remove_file(source)
            report.removed.append(source)
