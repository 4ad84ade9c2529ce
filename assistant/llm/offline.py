"""OfflineModel: the default backend. Extractive, deterministic answers built only from passage text.

Answers copy sentences/clauses verbatim from the passages and join them with number-free template glue,
so the model can never state a figure that is not in a passage it cites; ``check_numbers_grounded``
enforces that on every output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.llm.base import ChatModel, ChatRequest, Completion, LLMError, LLMUnsupported, Message, cited_numbers
from assistant.llm.extractive import Unit, build_query, has_kind, holds_asked, similar
from assistant.llm.reader import EXAMPLE_RE, Reader, Reading, ScoredUnit
from assistant.privacy import mask_pii
from knowledge.text import asked_kind_names, lexicon
from knowledge.types import SearchResult

RISK_NOTE = "以上利率、费用等信息仅供参考，实际以合同和审批结果为准；融资有风险，请审慎决策。"
DRAFT_LABEL = "（本文由 AI 辅助起草，经编辑审核后发布。）"
_RATE_WORDS = ("利率", "年化", "费率", "利息", "费用")
_CONNECTIVES = ("此外", "同时", "另外")
# Said after the answer when a part of the question is not answered by the passages (no number, no member text).
UNCOVERED = "关于{names}，现有资料中没有写明，如需进一步了解，可以回复“转人工”。"
OTHER_PART = "您问到的其他内容"
# Kinds a part is not held to: yes/no, and places (哪里 asks where money goes or where to apply as often as a venue).
_LOOSE_KINDS = frozenset({"yesno", "place"})
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_CITATION_RE = re.compile(r"\[\d{1,3}\]")
_TRAILING_PUNCT = "。；;，,、：: \t"


class UngroundedNumberError(LLMError):
    """The composed text contains a number that none of its cited passages contain (a bug, never shown)."""


@dataclass(frozen=True)
class _Budget:
    max_units: int
    max_chars: int
    within: float  # keep units scoring within this much of the best one (cosine units)
    facet_within: float  # a second thing asked for (额度和期限) is answered by a unit within this much


ANSWER_BUDGET = _Budget(max_units=4, max_chars=280, within=0.06, facet_within=0.1)
# Each part of a question asking for several things (额度和期限) gets its own best units, fewer of them.
PART_BUDGET = _Budget(max_units=2, max_chars=160, within=0.03, facet_within=0.1)
# A question asking for the items of a list (需要哪些材料) gets the whole list the best unit belongs to.
LIST_MAX_UNITS = 10
LIST_MAX_CHARS = 500
LIST_MIN_ITEMS = 3  # fewer units under one heading are sentences, not a list


def _whole_list(reading: Reading) -> list[Unit]:
    """The best unit's siblings (same passage, same heading and lead-in), in order, when they form a list that
    fits the list budget; [] otherwise."""
    best = reading.units[0].unit
    items = sorted(
        (s.unit for s in reading.units if s.unit.passage == best.passage and s.unit.context == best.context),
        key=lambda u: u.position,
    )
    if not LIST_MIN_ITEMS <= len(items) <= LIST_MAX_UNITS or sum(len(u.shown) for u in items) > LIST_MAX_CHARS:
        return []
    return items


def _numbers(text: str) -> set[str]:
    return set(_NUMBER_RE.findall(text))


def check_numbers_grounded(text: str, passages: Sequence[SearchResult]) -> None:
    """Raise UngroundedNumberError unless every number in ``text`` occurs in a passage it cites."""
    allowed: set[str] = set()
    for number in cited_numbers(text):
        if not 1 <= number <= len(passages):
            raise UngroundedNumberError(f"citation [{number}] points at no passage")
        passage = passages[number - 1]
        allowed |= _numbers(f"{passage.title}\n{passage.heading}\n{passage.text}")
    stray = sorted(_numbers(_CITATION_RE.sub(" ", text)) - allowed)
    if stray:
        raise UngroundedNumberError(f"number(s) {', '.join(stray)} not found in the cited passages")


def select_units(reading: Reading, budget: _Budget) -> list[Unit]:
    """The best units of a reading, best passage first, in reading order within a passage.

    A question asking for several things at once (额度和期限) gets the best unit for each of them, when that
    unit scores close enough to the best.
    """
    scored = reading.units
    if not scored:
        return []
    best = scored[0].score
    facets: list[ScoredUnit] = []
    if reading.query.several:  # the best unit for each thing asked comes right after the best one
        for kind in reading.query.kinds:
            holding = [s for s in scored if s.score >= best - budget.facet_within and has_kind(kind, s.unit.text)]
            # the rule stating the value rather than an example using it (举例：…500万元…)
            facet = next((s for s in holding if not EXAMPLE_RE.match(s.unit.text)), holding[0] if holding else None)
            if facet is not None and facet not in facets:
                facets.append(facet)
    close = [s for s in scored if s.score >= best - budget.within]
    wanted = list(dict.fromkeys([scored[0], *facets, *close]))
    chosen: list[ScoredUnit] = []
    used_chars = 0
    for candidate in wanted:
        if len(chosen) == budget.max_units:
            break
        text = candidate.unit.text
        if chosen and used_chars + len(text) > budget.max_chars:
            continue
        if any(similar(text, other.unit.text) for other in chosen):
            continue
        chosen.append(candidate)
        used_chars += len(text)
    best_by_passage: dict[int, float] = {}
    for candidate in chosen:
        best_by_passage.setdefault(candidate.unit.passage, candidate.score)
    chosen.sort(key=lambda s: (-best_by_passage[s.unit.passage], s.unit.passage, s.unit.position))
    return [s.unit for s in chosen]


def _clause(text: str) -> str:
    return text.strip().rstrip(_TRAILING_PUNCT)


def compose(units: Sequence[Unit], passages: Sequence[SearchResult], *, paragraphs: bool = False) -> str:
    """Join units with citation-bearing template glue: 根据《标题》[1]，……。此外，……[1]。"""
    sentences: list[str] = []
    previous: Unit | None = None
    connective = 0
    for unit in units:
        number = unit.passage + 1
        title = passages[unit.passage].title.strip()
        clause = _clause(unit.shown)
        if previous is not None and previous.passage == unit.passage:
            sentences.append(f"{_CONNECTIVES[connective % len(_CONNECTIVES)]}，{clause}[{number}]。")
            connective += 1
        else:
            source = f"《{title}》" if title else "相关资料"
            if previous is None:
                lead = f"根据{source}[{number}]，"
            elif title and title == passages[previous.passage].title.strip():
                lead = f"{source}[{number}]还提到，"
            else:
                lead = f"另据{source}[{number}]，"
            if paragraphs and previous is not None:
                sentences.append("\n\n")
            sentences.append(f"{lead}{clause}。")
        previous = unit
    return "".join(sentences)


def summarize(messages: Sequence[Message], limit: int = 60) -> str:
    """A short extractive staff summary: what the member asked first and last (PII masked)."""
    asked = [mask_pii(m.content.strip()) for m in messages if m.role == "user" and m.content.strip()]
    if not asked:
        return ""

    def clip(text: str) -> str:
        return _clause(text if len(text) <= limit else text[:limit] + "…")

    summary = f"会员首先咨询：{clip(asked[0])}。"
    if len(asked) > 1:
        summary += f"最近的消息：{clip(asked[-1])}。"
    if any(m.role == "assistant" for m in messages):
        summary += "助手已根据资料作答，请核对是否仍有未解决的问题。"
    return summary


class OfflineModel(ChatModel):
    """Deterministic extractive backend used when no model is configured.

    Supports the ``answer`` and ``summary`` tasks (offline drafts are composed by assistant.drafting);
    ``structured`` raises LLMUnsupported (the agent uses its rule-based intent and lead extraction offline).
    An empty answer means "not found".
    """

    model_name = "offline-extractive"

    def __init__(self, *, risk_note: bool = True, reader: Reader | None = None) -> None:
        self.risk_note = risk_note
        self.reader = reader or Reader()

    def generate(self, request: ChatRequest) -> Completion:
        if request.task == "answer":
            text = self.answer(request.last_user_message, request.passages, request.parts, request.part_names)
        elif request.task == "summary":
            text = summarize(request.messages)
        else:
            raise LLMUnsupported(f"the offline model cannot do task {request.task!r}")
        return Completion(text=text, model=self.model_name)

    def answer(
        self, question: str, passages: Sequence[SearchResult], parts: Sequence[str] = (), names: Sequence[str] = ()
    ) -> str:
        """1-4 cited sentences from the passages, or '' when they cannot answer the question. A question
        asking for several things also gets the best unit of each part the others leave unanswered, and one
        sentence naming the parts the passages do not answer (by ``names``, else by the kind of value asked)."""
        reading = self.reader.read(question, passages)
        units = (
            ((reading.query.listing and _whole_list(reading)) or select_units(reading, ANSWER_BUDGET))
            if reading.answerable
            else []
        )
        missing: list[str] = []
        answered_parts = 0
        for index, part in enumerate(parts if len(parts) >= 2 else ()):
            covered, unit = self._answer_part(self.reader.read(part, passages), units)
            if unit is not None and unit not in units:
                units.append(unit)
            if covered:
                answered_parts += 1
            elif _asks(part):
                missing.append(_part_name(part, names[index] if index < len(names) else ""))
        if not units:
            return ""
        text = compose(units, passages)
        if missing and answered_parts:  # with no part answered, the reader's verdict on the whole stands
            text += UNCOVERED.format(names="、".join(dict.fromkeys(missing)))
        if self.risk_note and any(word in u.text for u in units for word in _RATE_WORDS):
            text += RISK_NOTE
        check_numbers_grounded(text, passages)
        return text

    def _answer_part(self, reading: Reading, units: list[Unit]) -> tuple[bool, Unit | None]:
        """Whether the passages answer one part of the question, and the unit to add for it. A part asking
        for a kind of value (a rate, an amount, a duration …) is answered only by a unit stating one (not an
        example using one: 示例：…100万元…); a part asking for none, by a unit the reader finds close enough
        or by its closest unit already quoted."""
        kinds = [kind for kind in reading.query.kinds if kind not in _LOOSE_KINDS]

        def states(unit: Unit) -> bool:
            return holds_asked(kinds, unit.text) and not EXAMPLE_RE.match(unit.text)

        held = bool(kinds) and any(states(u) for u in units)
        best = select_units(reading, PART_BUDGET) if reading.answerable else []
        if not best:  # a short part (单笔封顶多少) reads weakly alone: answered if its closest unit is quoted
            quoted = not kinds and bool(reading.units) and reading.units[0].unit in units
            return held or quoted, None
        if not kinds or states(best[0]):
            return True, best[0]
        top = reading.units[0].score
        leaders = [s.unit for s in reading.units if s.score >= top - self.reader.knobs.leaders_within]
        pick = next((u for u in leaders if states(u)), None)
        return (True, pick) if pick is not None else (held, best[0])


def _asks(part: str) -> bool:
    """The part asks something (a kind of value, or a question word): not a fragment left by the cut."""
    markers = lexicon("question_markers")
    return any(kind != "yesno" for kind in build_query(part).kinds) or any(m in part for m in markers)


def _part_name(part: str, name: str) -> str:
    """How the reply names a part it cannot answer: the given name, else the kinds of value it asks for."""
    if name:
        return name
    kinds = [kind for kind in build_query(part).kinds if kind != "yesno"]
    labels = asked_kind_names()
    return "和".join(dict.fromkeys(labels[k] for k in kinds if k in labels)) or OTHER_PART
