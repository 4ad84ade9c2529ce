"""Answers: the member agent on labelled questions (each in a fresh conversation).

Known questions: fact recall (expected strings verbatim in the answer), citation accuracy (the expected
source among the cited ones) and the grounded-number rate (every number in an answer that has numbers is
found in the full text of the documents it cites, in the question, or in the service-hours label).
Unknown questions: the agent must say it does not know and state no rate. When
``regressions.jsonl`` exists (exported from staff-answered escalations) its cases are run too and scored
as ``regressions.*`` by fact overlap with the staff answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assistant.service import ChatReply
from evals.context import EvalContext
from evals.metrics import rate
from evals.types import CaseResult, SuiteResult
from knowledge.index import KnowledgeIndex

DATASET = "answers.jsonl"
# Member questions written after the rule-based parts were tuned, by someone who had not seen the agent's
# replies to them, and never tuned on since: reported as `heldout.*` (not gated) to show how the agent does on
# wording it was not fitted to. Do not tune on these; add failures to answers.jsonl instead.
HELDOUT = "answers_heldout.jsonl"
# The blind set of issue 15 (193 questions written from the corpus alone), split by question: the reader was
# tuned on the dev half only (reported, never gated). The test half is scored only when asked for, as an extra
# dataset (`finassist eval answers --extra evals/datasets/answers_blind_test.jsonl`), so that tuning runs never
# see it: once before a change and once at the end (docs/blind-sets.md).
REPORTED = (
    ("heldout.", HELDOUT),
    ("blind_dev.", "answers_blind_dev.jsonl"),
    ("blind2_dev.", "answers_blind2_dev.jsonl"),
    ("blind3_dev.", "answers_blind3_dev.jsonl"),
    ("blind4_dev.", "answers_blind4_dev.jsonl"),
)
REGRESSIONS = "regressions.jsonl"
REGRESSION_PASS = 0.5  # a regression case passes when at least half of the staff answer's facts are back

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_CITATION_RE = re.compile(r"\[\d{1,3}\]")
_RATE_RE = re.compile(r"\d+(?:\.\d+)?\s*[%％]")
_NUM = r"\d+(?:\.\d+)?"
# A number or range with its unit: 3.45%—5.8%, 5—10个工作日, 50万元 (the unit is up to four Chinese characters).
_FACT_RE = re.compile(rf"{_NUM}[%％]?(?:\s*[—\-~～至到]\s*{_NUM})?\s*(?:[%％]|[\u4e00-\u9fff]{{1,4}})?")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]+")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def numbers_in(text: str) -> set[str]:
    """Every number in the text, citation markers ([1]) left out."""
    return set(_NUMBER_RE.findall(_CITATION_RE.sub(" ", text)))


def source_texts(index: KnowledgeIndex) -> dict[str, str]:
    """Source path → its full indexed text (title, then every chunk's heading and text)."""
    texts: dict[str, str] = {}
    for source in index.chunks.files():
        chunks = index.chunks.get(index.chunks.chunk_ids(source))
        parts = [f"{c.metadata.get('title', '')}\n{c.heading}\n{c.text}" for c in chunks.values()]
        texts[source] = "\n".join(parts)
    return texts


def ungrounded_numbers(answer: str, sources: Iterable[str], texts: dict[str, str], allowed: set[str]) -> set[str]:
    """Numbers in the answer found neither in the cited documents nor in ``allowed``."""
    grounded = set(allowed)
    for source in sources:
        grounded |= numbers_in(texts.get(source, ""))
    return numbers_in(answer) - grounded


def states_rate(text: str) -> bool:
    return bool(_RATE_RE.search(text))


def answer_facts(text: str) -> list[str]:
    """The checkable facts of a staff answer: numbers with their unit, else its Chinese word pairs."""
    facts = [m.group(0).strip() for m in _FACT_RE.finditer(text)]
    if facts:
        return list(dict.fromkeys(facts))
    pairs = [run[i : i + 2] for run in _CJK_RE.findall(text) for i in range(len(run) - 1)]
    return list(dict.fromkeys(pairs))


def fact_overlap(expected: str, answer: str) -> float:
    """Share of the expected answer's facts that the agent's answer contains (1.0 when there are none).

    A numeric fact also counts when its unit is worded differently but all its numbers appear.
    """
    facts = answer_facts(expected)
    if not facts:
        return 1.0
    found = 0
    for fact in facts:
        numbers = set(_NUMBER_RE.findall(fact))
        found += fact in answer or bool(numbers and numbers <= numbers_in(answer))
    return found / len(facts)


def _ask(ctx: EvalContext, case: dict[str, Any]) -> ChatReply:
    return ctx.services.converse([*case.get("context", []), case["question"]])[-1]  # type: ignore[no-any-return]


def _score_known(case: dict[str, Any], reply: ChatReply, texts: dict[str, str], allowed: set[str]) -> dict[str, Any]:
    cited = [c.source for c in reply.citations]
    wanted = {case["expected_source"], *case.get("also_ok", [])}
    facts: Sequence[str] = case["expected_facts"]
    missing = [f for f in facts if f not in reply.answer]
    stray = ungrounded_numbers(reply.answer, cited, texts, allowed | numbers_in(case["question"]))
    return {
        "facts": len(facts),
        "found": len(facts) - len(missing),
        "cited_ok": bool(wanted & set(cited)),
        "has_numbers": bool(numbers_in(reply.answer)),
        "grounded": not stray,
        "detail": f"missing {missing}; cited {sorted(set(cited))}; ungrounded {sorted(stray)}",
    }


def _run_labelled(
    ctx: EvalContext, path: Path, texts: dict[str, str], allowed: set[str], prefix: str = ""
) -> tuple[dict[str, float], list[CaseResult]]:
    """Score the labelled questions of `path`; metric names and case ids get `prefix` (e.g. "heldout.")."""
    known: list[dict[str, Any]] = []
    unknown_ok: list[bool] = []
    cases: list[CaseResult] = []
    label = prefix.replace(".", "/")
    for case in load_jsonl(path):
        reply = _ask(ctx, case)
        answer = reply.answer.replace("\n", " ")
        if case.get("unknown"):
            handled = reply.answered is not True and not states_rate(reply.answer)
            unknown_ok.append(handled)
            cases.append(CaseResult(f"{label}{case['id']}", handled, f"answered={reply.answered}; reply: {answer}"))
            continue
        score = _score_known(case, reply, texts, allowed)
        known.append(score)
        passed = score["found"] == score["facts"] and score["cited_ok"] and score["grounded"]
        cases.append(CaseResult(f"{label}{case['id']}", passed, f"{score['detail']}; reply: {answer}"))
    numeric = [s["grounded"] for s in known if s["has_numbers"]]
    total_facts = sum(s["facts"] for s in known)
    metrics = {
        "fact_recall": round(sum(s["found"] for s in known) / total_facts, 4) if total_facts else 0.0,
        "citation_accuracy": round(rate([s["cited_ok"] for s in known]), 4),
        "grounded_number_rate": round(rate(numeric), 4) if numeric else 1.0,
        "unknown_handled_rate": round(rate(unknown_ok), 4),
        "case_pass_rate": round(rate([c.passed for c in cases]), 4),
        "cases": len(cases),
    }
    return {prefix + name: value for name, value in metrics.items()}, cases


def _run_regressions(ctx: EvalContext, path: Path) -> tuple[dict[str, float], list[CaseResult]]:
    overlaps: list[float] = []
    cases: list[CaseResult] = []
    for case in load_jsonl(path):
        reply = _ask(ctx, case)
        overlap = fact_overlap(str(case["expected_answer"]), reply.answer)
        overlaps.append(overlap)
        detail = f"overlap {overlap:.2f}; reply: {reply.answer.replace(chr(10), ' ')}"
        cases.append(CaseResult(f"regressions/{case['id']}", overlap >= REGRESSION_PASS, detail))
    metrics = {
        "regressions.fact_overlap": round(sum(overlaps) / len(overlaps), 4) if overlaps else 0.0,
        "regressions.pass_rate": round(rate([c.passed for c in cases]), 4),
        "regressions.cases": len(cases),
    }
    return metrics, cases


def run(ctx: EvalContext) -> SuiteResult:
    texts = source_texts(ctx.index)
    allowed = numbers_in(ctx.services.agent.hours.label)  # hand-off replies state the service hours
    metrics, cases = _run_labelled(ctx, ctx.dataset(DATASET), texts, allowed)
    reported = [(prefix, ctx.dataset(name)) for prefix, name in REPORTED if ctx.dataset(name).exists()]
    for prefix, path in [*reported, *((f"{p.stem}.", p) for p in ctx.extra_datasets("answers"))]:
        extra_metrics, extra_cases = _run_labelled(ctx, path, texts, allowed, prefix=prefix)
        metrics.update(extra_metrics)
        cases += extra_cases
    regressions = ctx.dataset(REGRESSIONS)
    if regressions.exists():
        extra_metrics, extra_cases = _run_regressions(ctx, regressions)
        metrics.update(extra_metrics)
        cases += extra_cases
    return SuiteResult("answers", metrics, cases)
