"""Sentence units and relevance scoring for the offline extractive model (no network, deterministic)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

NUMERIC_CUES = (
    "多少", "多久", "几", "利率", "额度", "期限", "多长", "多高", "多大", "费用", "费率", "年化",
    "金额", "上限", "最高", "最低", "比例", "利息",
)  # fmt: skip
_STOPWORD_TEXT = """的 了 吗 呢 吧 啊 呀 么 哦 嗯 是 我 我们 你 你们 您 他 她 它 请问 请 问 想 想要 知道 一下 什么 怎么
    怎样 怎么样 如何 哪些 哪个 哪里 多少 多久 几 可以 可 能 能否 能不能 是否 有 有没有 没有 要 需要 会 在 和 与
    及 或 都 也 就 还 这个 那个 这 那 给 对 把 被 让 请教 咨询 问题 个 该 其 为 以 于 中 贵 好 您好 你好
    具体 一般 大概 现在 目前 多 啥 得 着 过 去 来 做 办"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_STOP_PHRASES = sorted((w for w in STOPWORDS if len(w) > 1), key=len, reverse=True)
_STOP_CHARS = "的了吗呢吧啊呀么哦嗯"
_WORD_RE = re.compile(r"[\w\u4e00-\u9fff]+")
_DIGIT_RE = re.compile(r"\d")
_CN_NUMBER_RE = re.compile(r"[零一二两三四五六七八九十百千万亿]+[个年月天日周万元倍成%]")
_SPLIT_RE = re.compile(r"(?<=[。！？!?；;])")
_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s*(.*)$")
_LIST_RE = re.compile(
    r"^\s*(?:[-*+•·]\s+|\d{1,2}\.\s+|\d{1,2}[、)）]\s*|[（(]\d{1,2}[）)]\s*|[一二三四五六七八九十]{1,3}、)"
)
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_QA_ANSWER_RE = re.compile(r"^(?:答|A)\s*[：:]\s*")
_QA_QUESTION_RE = re.compile(r"^(?:问|Q)\s*[：:]")


@dataclass(frozen=True)
class Unit:
    """A citable sentence or clause of one passage, with the heading/lead-in text it sits under."""

    passage: int  # 0-based index into the request passages
    position: int
    text: str
    context: str


@dataclass(frozen=True)
class Query:
    """The question reduced to weighted content tokens and character bigrams."""

    tokens: dict[str, int]
    bigrams: frozenset[str]
    numeric: bool

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.bigrams


def _bigrams(text: str) -> frozenset[str]:
    grams: set[str] = set()
    for run in _WORD_RE.findall(text.lower()):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(grams)


@lru_cache(maxsize=256)
def build_query(question: str) -> Query:
    """Content tokens (weighted by length) and bigrams of the question, stopwords removed."""
    tokens: dict[str, int] = {}
    for token in jieba.lcut_for_search(question.lower()):
        token = token.strip()
        if token and token not in STOPWORDS and _WORD_RE.fullmatch(token):
            tokens[token] = min(len(token), 3)
    cleaned = question.lower()
    for phrase in _STOP_PHRASES:
        cleaned = cleaned.replace(phrase, " ")
    cleaned = re.sub(f"[{_STOP_CHARS}]", " ", cleaned)
    numeric = any(cue in question for cue in NUMERIC_CUES)
    return Query(tokens=tokens, bigrams=_bigrams(cleaned), numeric=numeric)


def overlap(query: Query, text: str) -> float:
    """0..1: weighted share of question tokens found in the text, blended with bigram recall."""
    if query.empty or not text:
        return 0.0
    lowered = text.lower()
    total = sum(query.tokens.values())
    token_recall = sum(w for t, w in query.tokens.items() if t in lowered) / total if total else 0.0
    bigram_recall = len(query.bigrams & _bigrams(lowered)) / len(query.bigrams) if query.bigrams else 0.0
    return 0.6 * token_recall + 0.4 * bigram_recall


def has_number(text: str) -> bool:
    return bool(_DIGIT_RE.search(text) or _CN_NUMBER_RE.search(text))


def score_unit(query: Query, unit: Unit) -> float:
    """Own overlap plus a share of the heading/lead-in overlap, plus a bonus for numbers when asked."""
    own = overlap(query, unit.text)
    context = overlap(query, unit.context)
    score = own + 0.4 * context
    if score > 0 and query.numeric and has_number(unit.text):
        score += 0.15
    return score


def _clean_line(line: str) -> str:
    line = _LINK_RE.sub(r"\1", line)
    line = line.replace("**", "").replace("__", "").replace("`", "")
    line = re.sub(r"^\s*>+\s*", "", line)
    line = _LIST_RE.sub("", line)
    return re.sub(r"\s+", " ", line).strip()


def _table_units(rows: list[str]) -> list[str]:
    """Markdown table rows as '表头：单元格，表头：单元格' clauses (glue carries no numbers)."""
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    cells = [r for r in cells if not all(re.fullmatch(r":?-{2,}:?", c) for c in r if c)]
    if len(cells) < 2:
        return ["，".join(c for c in cells[0] if c)] if cells else []
    header, body = cells[0], cells[1:]
    units = []
    for row in body:
        if not row or not row[0]:
            continue
        pairs = [f"{h}：{c}" if h else c for h, c in zip(header[1:], row[1:], strict=False) if c]
        if len(pairs) == 1 and len(header) == 2:
            units.append(f"{row[0]}：{row[1]}")
        elif pairs:
            units.append(f"{row[0]}，{'，'.join(pairs)}")
    return units


def split_units(passage: int, text: str, heading: str = "", title: str = "") -> list[Unit]:
    """Citable units of a passage: sentences/clauses, table rows; title, headings, lead-ins are context."""
    units: list[Unit] = []
    base = f"{title} {heading}".strip()
    section, lead_in = base, ""
    table: list[str] = []

    def add(sentence: str) -> None:
        nonlocal lead_in
        sentence = _QA_ANSWER_RE.sub("", sentence.strip())
        if _QA_QUESTION_RE.match(sentence) or sentence.endswith(("？", "?")):
            lead_in = sentence  # an FAQ question is the context of the answer after it
            return
        if sentence.endswith(("：", ":")):
            lead_in = sentence
            return
        if len(_WORD_RE.sub("", sentence)) == len(sentence) or len(sentence) < 4:
            return
        units.append(Unit(passage, len(units), sentence, f"{section} {lead_in}".strip()))

    def flush_table() -> None:
        for row in _table_units(table):
            add(row)
        table.clear()

    for raw in text.splitlines():
        if raw.strip().startswith("|"):
            table.append(raw)
            continue
        if table:
            flush_table()
        heading_match = _HEADING_RE.match(raw)
        if heading_match:
            section, lead_in = f"{base} {heading_match.group(1)}".strip(), ""
            continue
        line = _clean_line(raw)
        if not line:
            continue
        for sentence in _SPLIT_RE.split(line):
            if sentence.strip():
                add(sentence)
    if table:
        flush_table()
    return units


def similar(a: str, b: str, threshold: float = 0.6) -> bool:
    """Near-duplicate test on character bigrams (Jaccard)."""
    ga, gb = _bigrams(a), _bigrams(b)
    if not ga or not gb:
        return a == b
    return len(ga & gb) / len(ga | gb) >= threshold
