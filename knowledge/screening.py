"""Documents are data: find the sentences of a document that speak to the assistant or ask the reader for money,
passwords or codes through an unofficial channel, and tell member-shared documents from the community's own.

The rules are data (``screening.yaml``, each with the reason it exists), matched on the text layer's
normalised sentences. Ingest stores a document's findings in its chunks' metadata (``SCREENING_KEY``) and
its member origin (``SOURCE_TYPE_KEY``); the agent screens passages again at answer time, so a rule added
later protects members before the next ingest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from knowledge.text import normalise, sentence_spans

if TYPE_CHECKING:
    from knowledge.chunk_store import ChunkStore

SCREENING_KEY = "screening"  # chunk metadata: comma-separated rule ids the document broke ("" or absent: none)
SOURCE_TYPE_KEY = "source_type"  # chunk metadata: "member" for member-shared documents
MEMBER = "member"
_SPACES_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Rule:
    id: str
    why: str
    pattern: re.Pattern[str]
    warning_exempt: bool
    quarantine: bool  # a hostile signal: the whole document stays out of member answers


@dataclass(frozen=True)
class Finding:
    """One offending sentence: the rule it broke and the sentence as written."""

    rule: str
    sentence: str


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...]
    warning: re.Pattern[str]
    member_fields: Mapping[str, frozenset[str]]
    member_folders: frozenset[str]


@cache
def rules() -> Rules:
    """The screening rules of ``screening.yaml``, compiled once."""
    raw = yaml.safe_load(resources.files("knowledge").joinpath("screening.yaml").read_text(encoding="utf-8"))
    compiled = tuple(
        Rule(
            r["id"],
            r["why"],
            re.compile(r["pattern"], re.IGNORECASE),
            bool(r.get("warning_exempt", False)),
            bool(r.get("quarantine", False)),
        )
        for r in raw["rules"]
    )
    member = raw["member"]
    fields = {k: frozenset(str(v).lower() for v in vs) for k, vs in member["front_matter"].items()}
    return Rules(compiled, re.compile(raw["warning"]), fields, frozenset(member["folders"]))


def _forms(sentence: str) -> tuple[str, str]:
    text = _SPACES_RE.sub(" ", normalise(sentence))
    return text, text.replace(" ", "")


@lru_cache(maxsize=8192)
def sentence_rules(sentence: str) -> tuple[str, ...]:
    """The ids of the rules one sentence breaks (empty when it is plain data)."""
    table = rules()
    text, compact = _forms(sentence)
    warns = bool(table.warning.search(compact))
    return tuple(
        rule.id
        for rule in table.rules
        if not (rule.warning_exempt and warns) and (rule.pattern.search(text) or rule.pattern.search(compact))
    )


def _units(text: str) -> Iterable[str]:
    """Sentences, and table rows / list lines whole (a table cell is not a sentence of its own)."""
    for line in text.splitlines():
        if not line.strip():
            continue
        spans = list(sentence_spans(line))
        yield from (s.text for s in spans) if spans else (line,)
        if len(spans) > 1:
            yield line  # a rule may need two clauses of one line (a pay word, then the account)


def screen_text(text: str) -> list[Finding]:
    """Every offending sentence of a text, in order (one Finding per rule and sentence)."""
    findings: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for unit in _units(text):
        for rule in sentence_rules(unit):
            if (rule, unit) not in seen:
                seen.add((rule, unit))
                findings.append(Finding(rule, unit.strip()))
    return findings


def strip_flagged(text: str) -> tuple[str, int]:
    """The text without its offending sentences (a line whose clauses only offend together goes whole), and
    how many lines lost something."""
    kept: list[str] = []
    cuts = 0
    for line in text.split("\n"):
        sentences = [s.text for s in sentence_spans(line)]
        clean = [s for s in sentences if not sentence_rules(s)]
        if len(clean) == len(sentences) and not sentence_rules(line):
            kept.append(line)
            continue
        cuts += 1
        rest = "".join(clean)
        if rest.strip() and not sentence_rules(rest):
            kept.append(rest)
    return "\n".join(kept), cuts


def flag_value(findings: Iterable[Finding]) -> str:
    """What a document's chunks store under SCREENING_KEY: the rule ids broken, sorted, comma-separated."""
    return ",".join(sorted({f.rule for f in findings}))


def flagged_rules(metadata: Mapping[str, Any]) -> list[str]:
    """The rule ids stored in a chunk's metadata (empty for a clean or never-screened document)."""
    value = str(metadata.get(SCREENING_KEY) or "")
    return [r for r in value.split(",") if r]


def quarantined(metadata: Mapping[str, Any]) -> bool:
    """True when the chunk's document broke a quarantine rule (an unknown, e.g. retired, rule id counts too)."""
    soft = {r.id for r in rules().rules if not r.quarantine}
    return any(rule not in soft for rule in flagged_rules(metadata))


def is_member_content(source: str, metadata: Mapping[str, Any]) -> bool:
    """True for a member-shared document: by its front matter or the folder it sits in."""
    table = rules()
    if any(str(metadata.get(name, "")).lower() in values for name, values in table.member_fields.items()):
        return True
    first = source.replace("\\", "/").split("/", 1)[0]
    return "/" in source.replace("\\", "/") and first in table.member_folders


def is_member(metadata: Mapping[str, Any]) -> bool:
    """True when a chunk's metadata marks it member content (set at ingest)."""
    return str(metadata.get(SOURCE_TYPE_KEY, "")).lower() == MEMBER


@dataclass(frozen=True)
class FlaggedDocument:
    """An indexed document that broke screening rules: kept out of member answers until fixed and re-ingested."""

    source: str
    title: str
    rules: tuple[str, ...]
    sentences: tuple[str, ...]  # the offending sentences as they are in the document (re-screened now)
    member: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "title": self.title,
            "rules": list(self.rules),
            "sentences": list(self.sentences),
            "member": self.member,
        }


def flagged_documents(chunks: ChunkStore, sources: Iterable[str] | None = None) -> list[FlaggedDocument]:
    """The flagged documents of a chunk store (or of the given sources), by source path."""
    wanted = sorted(chunks.files()) if sources is None else sorted(set(sources))
    found: list[FlaggedDocument] = []
    for source in wanted:
        stored = list(chunks.get(chunks.chunk_ids(source)).values())
        if not stored or not flagged_rules(stored[0].metadata):
            continue
        meta = stored[0].metadata
        sentences = dict.fromkeys(f.sentence for c in stored for f in screen_text(c.text))
        found.append(
            FlaggedDocument(
                source, str(meta.get("title", "")), tuple(flagged_rules(meta)), tuple(sentences), is_member(meta)
            )
        )
    return found
