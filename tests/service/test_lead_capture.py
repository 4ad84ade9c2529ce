"""The consent-first lead capture state machine (pure functions)."""

from __future__ import annotations

import pytest

from assistant.service import lead_capture, replies
from assistant.service.fields import LeadFields
from assistant.service.lead_capture import complete, on_message, parse_consent, start

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("同意", True),
        ("好的", True),
        ("嗯", True),
        ("OK", True),
        ("同意，我叫张三，电话13812345678", True),
        ("不同意", False),
        ("我不同意", False),
        ("算了", False),
        ("拒绝", False),
        ("不想留电话", False),
        ("可以贷多少", None),
        ("不用抵押的产品有哪些", None),
        ("星火贷利率多少", None),
    ],
)
def test_parse_consent(message: str, answer: bool | None) -> None:
    assert parse_consent(message) is answer


def test_start_asks_for_consent_and_keeps_only_non_personal_fields() -> None:
    step = start("idle", LeadFields(), "我叫张三，想贷300万买设备，电话13812345678")
    assert step.stage == "awaiting_consent"
    assert step.reply is not None and replies.CONSENT_TEXT in step.reply and replies.UNSAVED_DETAILS in step.reply
    assert step.fields == LeadFields(amount=3_000_000, purpose="买设备")
    assert step.consent is None and not step.create


def test_consent_then_all_fields_creates_a_lead() -> None:
    granted = on_message("awaiting_consent", LeadFields(amount=3_000_000), "同意")
    assert granted is not None and granted.consent is True and granted.stage == "collecting"
    assert granted.reply is not None and "手机号" in granted.reply and "融资金额" not in granted.reply
    done = on_message("collecting", granted.fields, "我叫张三，苏州星河精密机械有限公司，13812345678，买设备")
    assert done is not None and done.create and done.stage == "done"
    assert done.fields == LeadFields("张三", "苏州星河精密机械有限公司", "13812345678", 3_000_000, "买设备")


def test_consent_and_fields_in_the_same_message() -> None:
    step = on_message("awaiting_consent", LeadFields(), "同意，我叫张三，电话13812345678，想贷100万周转")
    assert step is not None and step.consent is True and step.create
    assert step.fields.phone == "13812345678"


def test_refusal_clears_everything() -> None:
    step = on_message("awaiting_consent", LeadFields(amount=8_000_000), "不同意")
    assert step is not None
    assert (step.stage, step.consent, step.fields, step.reply) == (
        "refused",
        False,
        LeadFields(),
        replies.CONSENT_REFUSED,
    )


def test_unrelated_message_while_waiting_passes_through_with_a_reminder() -> None:
    step = on_message("awaiting_consent", LeadFields(), "星火贷利率多少")
    assert step is not None and step.reply is None and step.reminder == replies.CONSENT_REMINDER
    collecting = on_message("collecting", LeadFields(name="张三"), "星火贷利率多少")
    assert collecting is not None and collecting.reply is None and "手机号" in (collecting.reminder or "")


def test_partial_fields_ask_for_the_rest_and_withdrawal() -> None:
    step = on_message("collecting", LeadFields(), "我叫张三")
    assert step is not None and step.stage == "collecting" and step.fields.name == "张三"
    assert step.reply is not None and "您的称呼" not in step.reply and "手机号" in step.reply
    gone = on_message("collecting", step.fields, "算了，不留了")
    assert gone is not None and gone.stage == "withdrawn" and gone.fields == LeadFields()


def test_done_and_idle() -> None:
    assert start("done", LeadFields(), "我想申请").reply == replies.lead_exists()
    assert on_message("idle", LeadFields(), "同意") is None
    assert on_message("refused", LeadFields(), "同意") is None
    assert lead_capture.missing_fields(LeadFields(name="a")) == ["company", "phone", "amount", "purpose"]


@pytest.mark.parametrize(
    ("message", "ask"),
    [
        ("电话13812345678", ("name", "company")),
        ("我叫王五，电话13812345678", ("company",)),
        ("南京张记餐饮店，电话13812345678", ("name",)),
        ("王五，南京张记餐饮店，电话13812345678", ()),
    ],
)
def test_the_lead_is_created_with_the_phone_and_a_missing_contact_field_is_asked_for(
    message: str, ask: tuple[str, ...]
) -> None:
    step = on_message("collecting", LeadFields(amount=1_000_000), message)
    assert step is not None and step.create and step.fields.phone == "13812345678"
    assert step.ask == ask and step.stage == ("completing" if ask else "done")


def test_the_answer_to_the_one_question_fills_skips_or_passes_through() -> None:
    filled = on_message("completing", LeadFields(), "王五，南京张记餐饮店")
    assert filled is not None and filled.fill and not filled.create and filled.stage == "done"
    assert filled.fields == LeadFields(name="王五", company="南京张记餐饮店")
    assert filled.reply == replies.CONTACT_ADDED
    for skip in ("跳过", "不用了", "不方便"):
        skipped = complete(skip)
        assert (skipped.stage, skipped.fill, skipped.reply) == ("done", False, replies.CONTACT_SKIPPED)
    other = complete("星火科创信用贷需要什么材料？")  # answered as usual, and never asked again
    assert (other.stage, other.fill, other.reply, other.reminder) == ("done", False, None, None)
    again = start("completing", LeadFields(), "我还想申请")
    assert again.stage == "done" and again.reply == replies.lead_exists() and not again.fill
