"""Conversations: creation, transcript order, unanswered streak and optimistic state updates."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.store import ConflictError, NotFoundError, Store


def test_get_or_create_is_idempotent(store: Store) -> None:
    first = store.conversations.get_or_create("sess-1", channel="wechat", client_id="c1")
    second = store.conversations.get_or_create("sess-1")
    assert first == second
    assert (first.channel, first.client_id, first.version, first.state) == ("wechat", "c1", 1, {})


def test_get_or_create_without_id_makes_uuid(store: Store) -> None:
    conversation = store.conversations.get_or_create()
    assert len(conversation.id) == 32 and int(conversation.id, 16) >= 0


@pytest.mark.parametrize("bad", ["", "a b", "x" * 65, "会话"])
def test_session_id_is_validated(store: Store, bad: str) -> None:
    with pytest.raises(ValueError, match="session id"):
        store.conversations.get_or_create(bad or "  ")


def test_concurrent_get_or_create_yields_one_conversation(store: Store) -> None:
    barrier = threading.Barrier(8)

    def worker(_: int) -> str:
        barrier.wait()
        return store.conversations.get_or_create("shared").id

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(worker, range(8))) == {"shared"}


def test_transcript_keeps_order(store: Store) -> None:
    store.conversations.get_or_create("t")
    texts = [f"第{i}句" for i in range(12)]
    for i, text in enumerate(texts):
        role = "user" if i % 2 == 0 else "assistant"
        store.conversations.append_turn("t", role, text, intent="question" if role == "user" else None)
    turns = store.conversations.transcript("t")
    assert [t.text for t in turns] == texts
    assert [t.seq for t in turns] == list(range(1, 13))
    assert turns[0].intent == "question" and turns[1].intent is None


def test_turn_fields_roundtrip(store: Store) -> None:
    store.conversations.get_or_create("f")
    citations = [{"source": "corpus/政策.md", "title": "贴息政策", "snippet": "年化利率 3.85%"}]
    turn = store.conversations.append_turn("f", "assistant", "答复", answered=True, citations=citations)
    assert store.conversations.transcript("f") == [turn]
    assert turn.citations == citations and turn.answered is True


def test_concurrent_appends_get_distinct_seq(store: Store) -> None:
    store.conversations.get_or_create("c")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: store.conversations.append_turn("c", "user", str(i)), range(40)))
    turns = store.conversations.transcript("c")
    assert [t.seq for t in turns] == list(range(1, 41))
    assert sorted(int(t.text) for t in turns) == list(range(40))


def test_unanswered_streak(store: Store) -> None:
    store.conversations.get_or_create("u")
    for answered in (False, False, None):
        store.conversations.append_turn("u", "assistant", "不知道", answered=answered)
    assert store.conversations.get("u").unanswered_streak == 2
    store.conversations.append_turn("u", "assistant", "答案", answered=True)
    assert store.conversations.get("u").unanswered_streak == 0


def test_append_turn_checks_role_and_conversation(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.conversations.append_turn("missing", "user", "hi")
    store.conversations.get_or_create("r")
    with pytest.raises(ValueError):
        store.conversations.append_turn("r", "system", "hi")  # type: ignore[arg-type]
    with pytest.raises(NotFoundError):
        store.conversations.transcript("missing")


def test_commit_turn_refuses_no_turns_and_bad_roles_writing_nothing(store: Store) -> None:
    conversation = store.conversations.get_or_create("t")
    with pytest.raises(ValueError, match="at least one turn"):
        store.conversations.commit_turn("t", {"k": 1}, conversation.version, [])
    with pytest.raises(ValueError, match="role"):
        store.conversations.commit_turn("t", {"k": 1}, conversation.version, [{"role": "system", "text": "x"}])
    assert store.conversations.get("t") == conversation
    assert store.conversations.transcript("t") == []


def test_update_state_bumps_version(store: Store) -> None:
    conversation = store.conversations.get_or_create("s")
    state = {"lead_capture": {"step": "phone", "fields": {"name": "李四"}}}
    updated = store.conversations.update_state("s", state, conversation.version, unanswered_streak=0)
    assert updated.version == conversation.version + 1
    assert store.conversations.get("s").state == state


def test_stale_update_raises_conflict(store: Store) -> None:
    seen_by_a = store.conversations.get_or_create("o")
    seen_by_b = store.conversations.get("o")
    store.conversations.update_state("o", {"by": "a"}, seen_by_a.version)
    with pytest.raises(ConflictError, match="version 2, not 1"):
        store.conversations.update_state("o", {"by": "b"}, seen_by_b.version)
    assert store.conversations.get("o").state == {"by": "a"}


def test_concurrent_updates_exactly_one_wins(store: Store) -> None:
    version = store.conversations.get_or_create("race").version
    barrier = threading.Barrier(6)

    def worker(i: int) -> bool:
        barrier.wait()
        try:
            store.conversations.update_state("race", {"winner": i}, version)
        except ConflictError:
            return False
        return True

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(worker, range(6)))
    assert results.count(True) == 1
    final = store.conversations.get("race")
    assert final.version == version + 1 and final.state == {"winner": results.index(True)}


def test_update_state_missing_conversation(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.conversations.update_state("nope", {}, 1)
