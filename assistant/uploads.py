"""Documents uploaded by editors (API and UI): checked, read and chunked before the index is locked, so no
file can hold the single writer slot longer than its own index write.

``accept_uploads(index, uploads, settings, slot)``: every file of the request is checked (name, type, size,
structure: knowledge.document_limits) and read in a process of its own under a time budget
(knowledge.isolated_prepare). If any is refused, none is kept: ``UploadRefused`` names each file and its
reason, and nothing is left in the upload folder. Otherwise the slot is taken (``WriterBusy`` when another
upload holds it) only to write the parsed chunks and move the files into the upload folder.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from knowledge.document_limits import DocumentLimits, DocumentRefused, check_document
from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import IngestReport, ingest_prepared
from knowledge.isolated_prepare import prepare_isolated
from knowledge.loaders import supported
from knowledge.lock import WriterBusy
from knowledge.prepare import FailedFile, FileTask, PreparedFile, fingerprint

UPLOAD_DIR = "uploads"
STAGING_DIR = ".upload-staging"
_NAME_RE = re.compile(r"^[\w\u4e00-\u9fff][\w\u4e00-\u9fff .()（）-]{0,119}$")


# One upload read-and-write at a time in a process (the API and the editors' UI share it); other processes meet
# the index's writer lock.
UPLOAD_SLOT = threading.Lock()


@dataclass(frozen=True)
class Upload:
    name: str  # as the client sent it; only its last path part is used
    data: bytes


class UploadRefused(ValueError):
    """Files of an upload that cannot be ingested, with the reason for each; none of the upload was kept.
    `code`: invalid_filename or unsupported_file_type when that is all that is wrong, else upload_refused."""

    def __init__(self, refused: list[tuple[str, str]], code: str = "upload_refused") -> None:
        super().__init__("; ".join(f"{name}: {reason}" for name, reason in refused))
        self.refused = refused
        self.code = code


class _BadName(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class UploadReport:
    report: IngestReport
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, "added" | "updated" | "unchanged")


def document_limits(settings: Settings) -> DocumentLimits:
    return DocumentLimits(
        max_bytes=settings.max_upload_bytes,
        max_chars=settings.max_document_chars,
        max_parts=settings.max_document_parts,
        parse_seconds=settings.upload_parse_seconds,
    )


def upload_name(raw: str | None) -> str:
    """The file name an upload is stored under, or a reason it cannot be (ValueError)."""
    name = Path(raw or "").name
    if not _NAME_RE.fullmatch(name):
        raise _BadName("invalid_filename", "the file name must be 1-120 letters, digits, spaces, . ( ) - or _")
    if not supported(Path(name)):
        raise _BadName("unsupported_file_type", f"files of type '{Path(name).suffix or '(none)'}' cannot be ingested")
    return name


def _check_names(uploads: list[Upload]) -> list[str]:
    """The names to store the uploads under; UploadRefused when any is unusable or sent twice."""
    names: list[str] = []
    refused: list[tuple[str, str]] = []
    codes = set()
    for upload in uploads:
        try:
            name = upload_name(upload.name)
        except _BadName as exc:
            refused.append((Path(upload.name or "").name or "(no name)", str(exc)))
            codes.add(exc.code)
            continue
        if name in names:
            refused.append((name, "sent twice in one upload"))
            codes.add("upload_refused")
        names.append(name)
    if refused:
        raise UploadRefused(refused, codes.pop() if len(codes) == 1 else "upload_refused")
    return names


def _prepare(
    staged: Path, root: Path, settings: Settings, limits: DocumentLimits, embed_dim: int | None
) -> PreparedFile | FailedFile:
    try:
        check_document(staged, limits)
    except DocumentRefused as refused:
        return FailedFile(staged.name, refused.reason)
    print_ = fingerprint(staged, settings.chunk_size, settings.chunk_overlap)
    task = FileTask(root, staged, staged.name, print_, settings.chunk_size, settings.chunk_overlap)
    return prepare_isolated(task, limits, embed_dim)


def accept_uploads(
    index: KnowledgeIndex, uploads: list[Upload], settings: Settings, slot: threading.Lock
) -> UploadReport:
    """Check, read and ingest every upload, or refuse them all (UploadRefused); see the module docstring."""
    if not uploads:
        raise UploadRefused([("(none)", "no file was sent")])
    names = _check_names(uploads)
    refused: list[tuple[str, str]] = []
    root = Path(index.data_dir) / UPLOAD_DIR
    limits = document_limits(settings)
    embedding = index.vectors.embedding
    embed_dim = embedding.dim if isinstance(embedding, HashingEmbedding) else None
    (Path(index.data_dir) / STAGING_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=Path(index.data_dir) / STAGING_DIR) as staging:
        prepared: list[PreparedFile] = []
        for name, upload in zip(names, uploads, strict=True):
            staged = Path(staging) / name
            staged.write_bytes(upload.data)
            result = _prepare(staged, root, settings, limits, embed_dim)
            if isinstance(result, FailedFile):
                refused.append((name, result.reason))
            else:
                prepared.append(result)
        if refused:
            raise UploadRefused(refused)
        if not slot.acquire(blocking=False):
            raise WriterBusy("another upload is being ingested; try again shortly")
        try:
            report = ingest_prepared(index, prepared)
            root.mkdir(parents=True, exist_ok=True)
            for name in names:
                shutil.move(Path(staging) / name, root / name)
        finally:
            slot.release()
    status = {**dict.fromkeys(report.added, "added"), **dict.fromkeys(report.updated, "updated")}
    return UploadReport(report, [(name, status.get(name, "unchanged")) for name in names])
