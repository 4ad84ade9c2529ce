"""Turn a file into chunks, BM25 tokens and embedding texts — the CPU-heavy, side-effect-free part of ingest.

Kept free of Chroma imports so a process pool can run it cheaply.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.chunk_store import FileRecord
from knowledge.chunking import chunk_document
from knowledge.hashing import hashing_vector
from knowledge.lifelines import die_with_parent
from knowledge.loaders import LoadError, load_file
from knowledge.screening import MEMBER, SCREENING_KEY, SOURCE_TYPE_KEY, flag_value, is_member_content, screen_text
from knowledge.tokenize import configure_jieba, tokenize
from knowledge.types import Chunk, Document, embedding_text
from knowledge.units import chunk_unit_texts

# 2: tokens of normalised text (knowledge.text), answer units embedded at ingest; 3: documents screened
# (knowledge.screening) and member content marked in the chunks' metadata
CHUNKER_VERSION = "3"


@dataclass(frozen=True)
class FileTask:
    root: Path
    path: Path
    source: str
    fingerprint: str
    chunk_size: int
    overlap: int


@dataclass(frozen=True)
class PreparedFile:
    record: FileRecord
    chunks: list[Chunk]
    tokens: list[list[str]]
    embed_texts: list[str]
    unit_texts: list[str]  # embedding texts of the chunks' answer units (knowledge.units)
    vectors: list[np.ndarray] | None = None  # filled when the embedding is local and cheap to ship


@dataclass(frozen=True)
class FailedFile:
    path: str
    reason: str


def fingerprint(path: Path, chunk_size: int, overlap: int) -> str:
    """Content hash plus chunking parameters: a change to either re-chunks the file."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(f"|{CHUNKER_VERSION}|{chunk_size}|{overlap}".encode())
    return digest.hexdigest()


def prepare_file(task: FileTask, embed_dim: int | None = None) -> PreparedFile | FailedFile:
    try:
        document = load_file(task.path, task.root)
    except LoadError as exc:
        return FailedFile(exc.path, exc.reason)
    return prepare_document(task, document, embed_dim)


def prepare_document(task: FileTask, document: Document, embed_dim: int | None = None) -> PreparedFile:
    """Chunks, tokens and embedding texts of a loaded document."""
    title = str(document.metadata.get("title", ""))
    flags = flag_value(screen_text(f"{title}\n{document.text}"))
    document.metadata.pop(SCREENING_KEY, None)  # a front matter never clears (or sets) its own flag
    if flags:
        document.metadata[SCREENING_KEY] = flags
    if is_member_content(task.source, document.metadata):
        document.metadata[SOURCE_TYPE_KEY] = MEMBER
    chunks = chunk_document(document, task.chunk_size, task.overlap)
    texts = [embedding_text(title, c.heading, c.text) for c in chunks]
    return PreparedFile(
        record=FileRecord(task.source, str(task.root), task.fingerprint, len(chunks)),
        chunks=chunks,
        tokens=[tokenize(f"{title} {c.heading} {c.text}") for c in chunks],
        embed_texts=texts,
        unit_texts=[u for c in chunks for u in chunk_unit_texts(title, c.heading, c.text)],
        vectors=[hashing_vector(t, embed_dim) for t in texts] if embed_dim else None,
    )


def prepare_batch(tasks: list[FileTask], embed_dim: int | None = None) -> list[PreparedFile | FailedFile]:
    """Prepare files; with embed_dim, also compute local hashing vectors of that size."""
    return [prepare_file(task, embed_dim) for task in tasks]


def init_worker(jieba_cache: str, parent_pid: int | None = None) -> None:
    """Process-pool initialiser: exit with the parent (a killed ingest leaves no worker behind), and share the
    data directory's jieba cache."""
    die_with_parent(parent_pid)
    configure_jieba(Path(jieba_cache))
