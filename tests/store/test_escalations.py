"""Escalations and analytics aggregates."""

from __future__ import annotations

import pytest

from assistant.store import ConflictError, NotFoundError, Store


def test_create_list_resolve(store: Store) -> None:
    store.conversations.get_or_create("e")
    complaint = store.escalations.create("e", "complaint", reason="负面情绪", priority="high")
    unanswered = store.escalations.create("e", "unanswered", reason="连续三次无法回答", summary="问贴息")
    assert store.escalations.get(complaint.id) == complaint
    assert store.escalations.list().total == 2
    assert store.escalations.list(priority="high").items == [complaint]
    resolved = store.escalations.resolve(unanswered.id, resolved_by="rm-zhao", correct_answer="贴息 1%")
    assert resolved.resolved_at is not None and resolved.correct_answer == "贴息 1%"
    assert store.escalations.list(open_only=True).items == [complaint]
    assert store.escalations.list(has_correct_answer=True).items == [resolved]
    assert store.escalations.list(has_correct_answer=False).items == [complaint]
    with pytest.raises(ConflictError):
        store.escalations.resolve(unanswered.id, resolved_by="rm-zhao")


def test_validation(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.escalations.create("missing", "human", reason="x")
    store.conversations.get_or_create("v")
    with pytest.raises(ValueError):
        store.escalations.create("v", "weird", reason="x")  # type: ignore[arg-type]


def test_analytics(store: Store) -> None:
    store.conversations.get_or_create("a")
    for intent in ("question", "question", "apply", None):
        store.conversations.append_turn("a", "user", "q", intent=intent)
    for answered in (True, True, False, None):
        store.conversations.append_turn("a", "assistant", "a", answered=answered)
    store.escalations.create("a", "human", reason="要人工")
    assert store.analytics.intent_counts() == {"question": 2, "apply": 1, "unknown": 1}
    assert store.analytics.answer_counts() == {"answered": 2, "unanswered": 1}
    assert store.analytics.escalations_by_type() == {"human": 1}
    assert store.analytics.leads_by_status() == {}
