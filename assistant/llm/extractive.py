"""Sentence units and question analysis for the offline extractive model (no network, deterministic).

The scoring of units against a question is in ``assistant.llm.relevance``.
"""

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
    title: str = ""  # the document's title (also part of the context)


# What a question asks for, and the wording of a sentence that can answer it. A unit showing the kind of
# value asked for (a duration for 多久, a date for 什么时候, a venue for 在哪里 …) is preferred.
ANSWER_KINDS: tuple[tuple[str, str, str], ...] = (
    (
        "duration",
        r"多久|多长时间|多长|几天|几个月|几年|多少天|期限|时效|时长|多快",
        # a look-back window (近24个月) is a condition, not how long something takes
        r"(?<![近去\d.])\d+(?:\.\d+)?\s*(?:[—\-~～至到]\s*\d+(?:\.\d+)?\s*)?(?:个)?(?:工作日|自然日|日|天|周|个月|月|年|分钟|小时)"
        r"|(?<![近去])[一二两三四五六七八九十半]+(?:个)?(?:工作日|天|周|个月|年|分钟|小时)",
    ),
    (
        "date",
        r"什么时候|何时|哪天|几号|几点|日期|截止|(?<!多长)时间",
        r"\d{1,2}月\d{1,2}日|\d{1,2}:\d{2}|\d{4}年\d{1,2}月",
    ),
    (
        "place",
        r"哪里|在哪|什么地方|地点|地址|场地|会场|场馆",
        r"地点|地址|会场|场地|[馆厅]|会展|大厦|中心\w{0,4}\d*层|\d+楼",
    ),
    (
        "percent",
        r"比例|费率|利率|年化|质押率|抵押率|成数|百分|上浮|下浮|贴息标准|怎么收|收多少",
        r"\d+(?:\.\d+)?\s*[%％]|个百分点|[万千百]分之[一二两三四五六七八九十]",
    ),
    (
        "money",
        r"额度|金额|上限|最多|最高|补多少|奖励|多少钱|贷多少|融多少|收多少|补贴",
        r"\d+(?:\.\d+)?\s*(?:万元|亿元|元)",
    ),
    ("count", r"几次|多少次|几家|多少家|多少人|几个人|几人|名额|人数|限额", r"\d+\s*(?:次|家|人|名)"),
    ("age", r"年龄|多大|几岁|岁数", r"周岁|\d+岁"),
    (
        "yesno",
        r"吗[?？]|是否|有没有|需不需要|要不要|能不能|可不可以|会不会",
        r"不(?:要求|需要|需|收取|收|用|必|得|超过|影响|会)|无需|无须|免收|免费|原则上|须|可以|不可|不能|不予",
    ),
)
_KIND_RES = tuple((name, re.compile(cue), re.compile(answer)) for name, cue, answer in ANSWER_KINDS)
# Kinds that answer for one another: a duration answers 什么时候 as well as a date does.
KIND_GROUPS = {"duration": "time", "date": "time", "percent": "amount", "money": "amount"}
# Words that only say a question is being asked: never evidence that a sentence answers it.
_ASKING_RE = re.compile(r"^(?:几|多(?:少|久|长|大|高|快)|最(?:多|高|低|长|短|少)|怎么|如何|什么|哪|是否|有没有)")
_VALUE_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])|[万千百]分之[一二两三四五六七八九十]+")
_CONJUNCTION_RE = re.compile(r"和|及|与|以及|、|还有|跟|分别")
# Everyday wording -> the word the documents use for it (最多补多少 -> 上限, 每年 -> 年度).
_EXPANSIONS = tuple((re.compile(p), word) for p, word in ((r"最多|最高|封顶|顶多", "上限"), (r"每年|一年", "年度")))


@dataclass(frozen=True)
class Query:
    """The question reduced to weighted content tokens and character bigrams, plus what it asks for."""

    tokens: dict[str, int]
    bigrams: frozenset[str]
    numeric: bool
    kinds: tuple[str, ...] = ()  # answer kinds asked for (duration, date, place, percent, money, count, age)
    values: tuple[str, ...] = ()  # literal values the question names
    several: bool = False  # asks for two or more things at once (额度和期限)
    words: tuple[tuple[str, tuple[str, ...]], ...] = ()  # content words, each with the shorter words inside it

    @property
    def empty(self) -> bool:
        return not self.tokens and not self.bigrams


@lru_cache(maxsize=8192)
def bigrams_of(text: str) -> frozenset[str]:
    """Character bigrams of the text's word runs (cached: the same passages come back question after question)."""
    grams: set[str] = set()
    for run in _WORD_RE.findall(text.lower()):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(grams)


def answer_kinds(question: str) -> tuple[str, ...]:
    """The kinds of value the question asks for, in table order."""
    return tuple(name for name, cue, _ in _KIND_RES if cue.search(question))


def has_kind(kind: str, text: str) -> bool:
    return any(name == kind and answer.search(text) for name, _, answer in _KIND_RES)


def kinds_in(text: str) -> list[str]:
    """The kinds of value the text shows (yes/no wording aside)."""
    return [name for name, _, answer in _KIND_RES if name != "yesno" and answer.search(text)]


def kind_groups(kinds: tuple[str, ...] | list[str]) -> set[str]:
    """The groups of the kinds (duration and date are both "time"), yes/no left out."""
    return {KIND_GROUPS.get(kind, kind) for kind in kinds if kind != "yesno"}


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
    kinds = answer_kinds(question)
    several = len(kinds) > 1 and bool(_CONJUNCTION_RE.search(question))
    values = tuple(dict.fromkeys(_VALUE_RE.findall(question)))
    words = _content_words(question.lower())
    words += tuple((word, ()) for pattern, word in _EXPANSIONS if pattern.search(question) and word not in dict(words))
    return Query(tokens, bigrams_of(cleaned), numeric, kinds, values, several, words)


def _content_words(question: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    words: dict[str, tuple[str, ...]] = {}
    for word in jieba.lcut(question):
        word = word.strip()
        content = word and word not in STOPWORDS and _WORD_RE.fullmatch(word) and not _ASKING_RE.match(word)
        if content and (len(word) > 1 or _DIGIT_RE.match(word)):
            inner = [p for p in jieba.lcut_for_search(word) if len(p) > 1 and p != word]
            words.setdefault(word, tuple(dict.fromkeys(inner)))
    return tuple(words.items())


def overlap(query: Query, text: str) -> float:
    """0..1: weighted share of question tokens found in the text, blended with bigram recall."""
    if query.empty or not text:
        return 0.0
    lowered = text.lower()
    total = sum(query.tokens.values())
    token_recall = sum(w for t, w in query.tokens.items() if t in lowered) / total if total else 0.0
    bigram_recall = len(query.bigrams & bigrams_of(lowered)) / len(query.bigrams) if query.bigrams else 0.0
    return 0.6 * token_recall + 0.4 * bigram_recall


def has_number(text: str) -> bool:
    return bool(_DIGIT_RE.search(text) or _CN_NUMBER_RE.search(text))


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
    return [
        Unit(passage, position, sentence, context, title)
        for position, (sentence, context) in enumerate(_split_sentences(text, heading, title))
    ]


@lru_cache(maxsize=2048)
def _split_sentences(text: str, heading: str, title: str) -> tuple[tuple[str, str], ...]:
    """Each unit's text and context, in order (cached: the same passages come back question after question)."""
    units: list[tuple[str, str]] = []
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
        units.append((sentence, f"{section} {lead_in}".strip()))

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
    return tuple(units)


def similar(a: str, b: str, threshold: float = 0.6) -> bool:
    """Near-duplicate test on character bigrams (Jaccard)."""
    ga, gb = bigrams_of(a), bigrams_of(b)
    if not ga or not gb:
        return a == b
    return len(ga & gb) / len(ga | gb) >= threshold
