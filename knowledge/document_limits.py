"""Size and structure limits of a document, checked before it is parsed: the bytes, and for the zip-based
.docx its central directory (members, unpacked size) and its paragraph count, read from the declared sizes
and a bounded scan of the body part; for a PDF a count of its page objects. Cheap on any file, however built
(a .docx of a million empty paragraphs is under 100 KB zipped)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".html", ".htm"})
_PARAGRAPH_RE = re.compile(rb"<w:(?:p|tr)[\s/>]")  # paragraphs and table rows of WordprocessingML
_PDF_PAGE_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_SCAN_BYTES = 1 << 20
_KEEP = 8


class DocumentRefused(ValueError):
    """A document over a limit, or not of its declared type; `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DocumentLimits:
    max_bytes: int = 20_000_000
    max_chars: int = 1_000_000  # text after loading (a few hundred pages)
    max_parts: int = 20_000  # paragraphs and table rows of a .docx, pages of a .pdf
    max_unpacked_bytes: int = 100_000_000  # all members of a .docx together
    max_members: int = 1_000
    parse_seconds: float = 30.0  # reading and chunking one file, in a process of its own


def check_document(path: Path, limits: DocumentLimits) -> None:
    """DocumentRefused when the file at `path` is over a limit; returns quietly otherwise."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise DocumentRefused(f"{size} bytes, more than the {limits.max_bytes} allowed")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES and size > 4 * limits.max_chars:  # UTF-8 takes at most 4 bytes a character
        raise DocumentRefused(f"{size} bytes of text, more than {limits.max_chars} characters allowed")
    if suffix == ".docx":
        _check_docx(path, limits)
    elif suffix == ".pdf":
        _check_pdf(path, limits)


def check_text_length(text: str, limits: DocumentLimits) -> None:
    if len(text) > limits.max_chars:
        raise DocumentRefused(f"{len(text)} characters of text, more than the {limits.max_chars} allowed")


def _check_docx(path: Path, limits: DocumentLimits) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentRefused("not a readable .docx file (not a zip archive)") from exc
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise DocumentRefused(f"{len(members)} parts in the .docx archive, more than {limits.max_members}")
        unpacked = sum(m.file_size for m in members)
        if unpacked > limits.max_unpacked_bytes:
            raise DocumentRefused(f"{unpacked} bytes unpacked, more than the {limits.max_unpacked_bytes} allowed")
        try:
            body = archive.getinfo("word/document.xml")
        except KeyError:
            raise DocumentRefused("not a readable .docx file (no word/document.xml)") from None
        parts = _count(archive, body, _PARAGRAPH_RE, limits.max_parts)
    if parts > limits.max_parts:
        raise DocumentRefused(f"more than {limits.max_parts} paragraphs and table rows")


def _count(archive: zipfile.ZipFile, member: zipfile.ZipInfo, pattern: re.Pattern[bytes], stop: int) -> int:
    """Matches of pattern (at most _KEEP bytes long) in a member, read in slices (never more than its declared
    size); stops once past `stop`. A match starting in a slice's last _KEEP bytes is counted with the next one."""
    found, tail = 0, b""
    try:
        with archive.open(member) as stream:
            while found <= stop and (block := stream.read(_SCAN_BYTES)):
                data = tail + block
                cut = max(0, len(data) - _KEEP)
                found += sum(1 for m in pattern.finditer(data) if m.start() < cut)
                tail = data[cut:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise DocumentRefused(f"not a readable .docx file ({exc.__class__.__name__})") from exc
    return found + len(pattern.findall(tail))


def _check_pdf(path: Path, limits: DocumentLimits) -> None:
    with path.open("rb") as stream:
        if not stream.read(1024).lstrip().startswith(b"%PDF-"):
            raise DocumentRefused("not a readable PDF (no %PDF- header)")
        stream.seek(0)
        pages = len(_PDF_PAGE_RE.findall(stream.read()))  # uncompressed page objects; the parse budget does the rest
    if pages > limits.max_parts:
        raise DocumentRefused(f"{pages} pages, more than the {limits.max_parts} allowed")
