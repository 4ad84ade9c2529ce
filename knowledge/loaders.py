"""Read source files into Documents: Markdown with YAML front matter, text, HTML, DOCX and PDF."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from knowledge.text.clean import strip_disallowed
from knowledge.types import Document

# source_type: "member" marks a member-shared post (knowledge.screening, docs/knowledge-screening.md)
METADATA_KEYS = (
    "title",
    "category",
    "product",
    "region",
    "effective_date",
    "expires",
    "superseded_by",
    "source_type",
)
_FRONT_MATTER_RE = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


class LoadError(Exception):
    """A file that cannot be turned into a Document; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return strip_disallowed(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise LoadError(path, "not valid UTF-8 or GB18030 text")


def _split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(path, f"front matter is not valid YAML ({exc.__class__.__name__})") from exc
    if not isinstance(meta, dict):
        raise LoadError(path, "front matter must be a mapping")
    return meta, text[match.end() :]


def _load_markdown(path: Path) -> tuple[dict[str, Any], str]:
    return _split_front_matter(path, _read_text(path))


def _load_text(path: Path) -> tuple[dict[str, Any], str]:
    return {}, _read_text(path)


def _load_html(path: Path) -> tuple[dict[str, Any], str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_read_text(path), "html.parser")
    for tag in soup(["script", "style", "nav", "footer"]):
        tag.decompose()
    meta: dict[str, Any] = {}
    if soup.title and soup.title.string:
        meta["title"] = soup.title.string.strip()
    for tag in soup.find_all("meta"):
        name, content = tag.get("name"), tag.get("content")
        if name in METADATA_KEYS and content:
            meta[str(name)] = str(content)
    lines: list[str] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "p", "li", "tr"]):
        if element.name.startswith("h"):
            lines.append("#" * int(element.name[1]) + " " + element.get_text(" ", strip=True))
        elif element.name == "tr":
            cells = [c.get_text(" ", strip=True) for c in element.find_all(["td", "th"])]
            lines.append("| " + " | ".join(cells) + " |")
        elif not element.find_parent(["li", "tr"]) or element.name == "li":
            lines.append(element.get_text(" ", strip=True))
    return meta, "\n".join(line for line in lines if line.strip("# |"))


def _load_docx(path: Path) -> tuple[dict[str, Any], str]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise LoadError(path, "not a readable .docx file") from exc
    meta: dict[str, Any] = {}
    if document.core_properties.title:
        meta["title"] = document.core_properties.title
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(block, document)
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            if style.startswith("Heading") and style[-1:].isdigit():
                lines.append("#" * int(style[-1]) + " " + paragraph.text.strip())
            else:
                lines.append(paragraph.text)
        elif tag == "tbl":
            table = docx.table.Table(block, document)
            lines.extend("| " + " | ".join(c.text.strip() for c in row.cells) + " |" for row in table.rows)
    return meta, "\n".join(lines)


def _load_pdf(path: Path) -> tuple[dict[str, Any], str]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # the `pdf` extra is optional
        raise LoadError(path, "PDF support needs the 'pdf' extra (pip install 'finassist[pdf]')") from exc
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise LoadError(path, f"not a readable PDF ({exc.__class__.__name__})") from exc
    meta: dict[str, Any] = {}
    if reader.metadata and reader.metadata.title:
        meta["title"] = str(reader.metadata.title)
    return meta, "\n".join(pages)


LOADERS: dict[str, Callable[[Path], tuple[dict[str, Any], str]]] = {
    ".md": _load_markdown,
    ".markdown": _load_markdown,
    ".txt": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".docx": _load_docx,
    ".pdf": _load_pdf,
}


def _normalise_metadata(path: Path, meta: dict[str, Any], source: str, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {key: meta[key] for key in METADATA_KEYS if meta.get(key) not in (None, "")}
    for key in ("effective_date", "expires"):
        if key in out:
            value = out[key]
            try:
                out[key] = (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
            except ValueError as exc:
                raise LoadError(path, f"{key} is not an ISO date (YYYY-MM-DD): {value!r}") from exc
    if "title" not in out:
        heading = re.search(r"^#\s+(.+)$", text, re.M)
        out["title"] = heading.group(1).strip() if heading else path.stem
    out["source"] = source
    return out


def load_file(path: Path, root: Path | None = None) -> Document:
    """Load one file; `source` in the metadata is its path relative to root (or its name)."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoadError(path, f"unsupported file type '{path.suffix or '(none)'}'")
    if not path.is_file():
        raise LoadError(path, "not a readable file")
    try:
        meta, text = loader(path)
    except LoadError:
        raise
    except OSError as exc:
        raise LoadError(path, f"cannot read ({exc.strerror or exc.__class__.__name__})") from exc
    except Exception as exc:  # a parser choking on a corrupt file must not stop the other files
        raise LoadError(path, f"corrupt or unreadable ({exc.__class__.__name__})") from exc
    text = strip_disallowed(text.replace("\r\n", "\n")).strip()
    meta = {key: strip_disallowed(value) if isinstance(value, str) else value for key, value in meta.items()}
    if not text:
        raise LoadError(path, "empty document (no text after front matter)")
    source = path.relative_to(root).as_posix() if root and path.is_relative_to(root) else path.name
    return Document(text=text, metadata=_normalise_metadata(path, meta, source, text))


def supported(path: Path) -> bool:
    return path.suffix.lower() in LOADERS
