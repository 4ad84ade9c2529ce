"""The compliance guard on outgoing text and the sentence gate for model output."""

from __future__ import annotations

import pytest

from assistant.compliance import Report, check
from assistant.service.guard import ComplianceGuard, SentenceGate, guard_text
from assistant.service.replies import RISK_NOTE
from knowledge.types import SearchResult

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
GUARD = ComplianceGuard()


def passage(n: int, text: str) -> SearchResult:
    return SearchResult(f"c{n}", f"doc{n}.md", f"资料{n}", "", text, text[:30], 1.0)


@pytest.mark.parametrize("text", ["所有贷款都包过", "极速秒批，当天到账", "我们的利率最低，月息0.5%"])
def test_violations_are_rewritten(text: str) -> None:
    cleaned = guard_text(GUARD, text)
    assert check(cleaned, context="reply").passed
    for banned in ("包过", "秒批", "最低"):
        assert banned not in cleaned


def test_risk_note_follows_rates_once() -> None:
    text = "年化利率3.45%—5.8%（单利）。"
    assert guard_text(GUARD, text) == text + RISK_NOTE
    assert guard_text(GUARD, text + RISK_NOTE) == text + RISK_NOTE
    assert GUARD.closing("请告诉我您的手机号") == ""
    assert GUARD.closing("为避免给您不准确的利率或条款，这里不作推测。") == ""


def test_custom_checker_is_injectable() -> None:
    calls: list[str] = []

    def checker(text: str, **_: object) -> Report:
        calls.append(text)
        return Report(findings=(), text=text)

    guard = ComplianceGuard(checker=checker)
    assert guard.clean("任何文本") == "任何文本"
    assert calls == ["任何文本"]


def test_verdicts_are_remembered_per_text_and_rewrites_logged_every_time(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    def checker(text: str, **kwargs: object) -> Report:
        calls.append(text)
        return check(text, **kwargs)  # type: ignore[arg-type]

    guard = ComplianceGuard(checker=checker)
    caplog.set_level("INFO", logger="assistant.service.guard")
    outputs = [guard.clean(text) for text in ("所有贷款都包过", "年化利率3.45%起", "所有贷款都包过")]
    assert calls == ["所有贷款都包过", "年化利率3.45%起"]  # the repeated text was not checked again
    assert outputs[0] == outputs[2] and "包过" not in outputs[2]
    assert outputs[1] == "年化利率3.45%起"
    assert sum("rewrote a reply" in r.getMessage() for r in caplog.records) == 2


def test_gate_renumbers_citations_in_first_use_order() -> None:
    passages = [passage(1, "甲产品期限12个月。"), passage(2, "乙产品额度50万元。")]
    gate = SentenceGate(GUARD, passages)
    out = list(gate.feed("乙产品额度50万元[2]。甲产品期限12个月[1]。")) + list(gate.finish())
    assert "".join(out) == "乙产品额度50万元[1]。甲产品期限12个月[2]。"
    assert [c.source for c in gate.citations] == ["doc2.md", "doc1.md"]


def test_gate_drops_sentences_with_numbers_from_nowhere() -> None:
    gate = SentenceGate(GUARD, [passage(1, "年化利率3.45%—5.8%。")], question="贷300万可以吗")
    text = "".join([*gate.feed("年化利率3.45%—5.8%[1]。最低可到2.9%。300万在额度内[1]。"), *gate.finish()])
    assert "2.9" not in text and "3.45%" in text and "300万" in text
    assert gate.dropped == 1


def test_gate_waits_for_markers_after_the_full_stop_and_handles_streaming() -> None:
    gate = SentenceGate(GUARD, [passage(1, "可以提前还款。")])
    pieces = []
    for delta in ["可以提", "前还款。", "[1", "]", "其他。"]:
        pieces += list(gate.feed(delta))
    pieces += list(gate.finish())
    assert pieces == ["可以提前还款。[1]", "其他。"]
    assert len(gate.citations) == 1


def test_gate_drops_citations_to_missing_passages_and_guards_each_sentence() -> None:
    gate = SentenceGate(GUARD, [passage(1, "符合条件可申请。")])
    text = "".join([*gate.feed("符合条件可申请[1][7]。本产品包过[1]。"), *gate.finish()])
    assert "[7]" not in text and "包过" not in text
    assert [c.source for c in gate.citations] == ["doc1.md"]
