"""Every outgoing reply is plain text: members' clients (WeChat, the chat page, OpenAI-compatible apps) show
text, and markup in a reply can only come from a document or a model that should not have put it there.

``plain_text`` removes HTML tags (script and style elements with their content), ``javascript:`` links,
Markdown links and images (their text stays, the URL goes) and Markdown emphasis and heading marks. Comparison
signs ("利率<5%") and ordinary punctuation stay. The agent applies it to every delta it sends, so streamed,
non-streamed, OpenAI-compatible and channel replies are the same text.
"""

from __future__ import annotations

import re

_ELEMENTS_RE = re.compile(r"<\s*(script|style|iframe|object|embed|svg|template)\b.*?(?:<\s*/\s*\1\s*>|$)", re.I | re.S)
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.S)
_TAG_RE = re.compile(r"<\s*/?\s*[A-Za-z!][^<>]*(?:>|$)")
_SCHEME_RE = re.compile(r"(?:javascript|vbscript|data)\s*:[^\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*", re.I)
_IMAGE_RE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\((?:[^)]*)\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__|`+)(.+?)\1")
_HEADING_RE = re.compile(r"(?m)^\s{0,3}#{1,6}\s+")
_SPACES_RE = re.compile(r"[ \t]{2,}")


def plain_text(text: str) -> str:
    """The text with markup removed (see the module docstring)."""
    if not any(mark in text for mark in "<[*_`#:"):
        return text
    out = _COMMENT_RE.sub("", text)
    out = _ELEMENTS_RE.sub("", out)
    out = _TAG_RE.sub("", out)
    out = _SCHEME_RE.sub("", out)
    out = _IMAGE_RE.sub(r"\1", out)
    out = _LINK_RE.sub(r"\1", out)
    out = _EMPHASIS_RE.sub(r"\2", out)
    out = _HEADING_RE.sub("", out)
    return _SPACES_RE.sub(" ", out) if out != text else out
