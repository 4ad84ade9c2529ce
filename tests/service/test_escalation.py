"""EscalationPolicy: triggers, priorities, de-duplication and configuration from Settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.service.escalation import EscalationPolicy

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
POLICY = EscalationPolicy(amount_threshold=5_000_000, unanswered_limit=2)


def test_each_trigger() -> None:
    assert POLICY.triggers("human") == ["human"]
    assert POLICY.triggers("complaint") == ["complaint"]
    assert POLICY.triggers("question", negative=True) == ["complaint"]
    assert POLICY.triggers("apply") == ["application"]
    assert POLICY.triggers("apply", amount=8_000_000) == ["amount", "application"]
    assert POLICY.triggers("apply", amount=5_000_000) == ["application"]  # above, not at, the threshold
    assert POLICY.triggers("question", amount=8_000_000) == []  # a question reaches staff only as a lead
    assert POLICY.triggers("question", unanswered_streak=1) == []
    assert POLICY.triggers("question", unanswered_streak=2) == ["unanswered"]
    assert POLICY.triggers("chitchat", amount=9_000_000) == []


def test_most_urgent_wins_and_reason_names_all() -> None:
    decision = POLICY.decide("apply", amount=8_000_000)
    assert decision is not None
    assert decision.type == "amount" and decision.priority == "high"
    assert decision.triggers == ("amount", "application")
    assert "融资金额超过阈值" in decision.reason and "申请意向" in decision.reason and "800万" in decision.reason
    complaint = POLICY.decide("complaint")
    assert complaint is not None and complaint.priority == "high"
    human = POLICY.decide("human")
    assert human is not None and human.priority == "normal"


def test_no_second_escalation_for_the_same_work() -> None:
    assert POLICY.decide("human", existing={"human": "e1"}) is None
    assert POLICY.decide("apply", existing={"amount": "e1"}) is None
    assert POLICY.decide("apply", amount=9_000_000, existing={"application": "e1"}) is None
    complaint = POLICY.decide("complaint", existing={"human": "e1"})
    assert complaint is not None and complaint.type == "complaint"


def test_from_settings(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        escalation_amount_threshold=1_000_000,
        escalation_unanswered_limit=3,
        escalation_disabled="application, unanswered",
    )
    policy = EscalationPolicy.from_settings(settings)
    assert policy.amount_threshold == 1_000_000 and policy.unanswered_limit == 3
    assert policy.triggers("apply", unanswered_streak=5) == []
    assert policy.triggers("apply", amount=2_000_000) == ["amount"]
    with pytest.raises(ValueError, match="unknown escalation trigger"):
        EscalationPolicy.from_settings(Settings(data_dir=tmp_path, escalation_disabled="weather"))
