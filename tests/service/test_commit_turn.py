"""ConversationRepo.commit_turn (added for the agent): state and turns in one transaction."""

from __future__ import annotations

import pytest

from assistant.store import ConflictError, Store

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def test_commit_turn_writes_state_and_turns_together(store: Store) -> None:
    conversation = store.conversations.get_or_create("c1")
    turns = [
        {"role": "user", "text": "问题", "intent": "question"},
        {"role": "assistant", "text": "不知道", "answered": False, "citations": [{"source": "a.md"}]},
    ]
    record = store.conversations.commit_turn("c1", {"k": 1}, conversation.version, turns)
    assert record.version == conversation.version + 1 and record.state == {"k": 1}
    assert record.unanswered_streak == 1
    transcript = store.conversations.transcript("c1")
    assert [(t.seq, t.role, t.intent, t.answered) for t in transcript] == [
        (1, "user", "question", None),
        (2, "assistant", None, False),
    ]
    assert transcript[1].citations == [{"source": "a.md"}]


def test_a_stale_version_writes_nothing(store: Store) -> None:
    conversation = store.conversations.get_or_create("c2")
    store.conversations.update_state("c2", {"other": True}, conversation.version)
    with pytest.raises(ConflictError):
        store.conversations.commit_turn("c2", {"mine": True}, conversation.version, [{"role": "user", "text": "x"}])
    assert store.conversations.transcript("c2") == []
    assert store.conversations.get("c2").state == {"other": True}
    with pytest.raises(ValueError):
        store.conversations.commit_turn("c2", {}, 2, [{"role": "system", "text": "x"}])
