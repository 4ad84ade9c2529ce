"""Channel state on SQLite and PostgreSQL: the dedupe claim several workers agree on, access tokens with
their expiry, and the staff-notice outbox's one-at-a-time claims."""

from __future__ import annotations

import threading
from datetime import timedelta

from assistant.store import Store, build_store


def test_a_message_is_claimed_once_and_later_deliveries_see_its_state(store: Store) -> None:
    repo = store.channel_messages
    assert repo.claim("k1", "wechat").first
    again = repo.claim("k1", "wechat")
    assert (again.first, again.status, again.reply) == (False, "running", None)
    assert repo.move("k1", "replied", reply="答复")
    assert repo.claim("k1", "wechat").reply == "答复"
    assert not repo.move("k1", "sent", only_from="running")  # a compare-and-set that lost
    assert repo.get("k1") is not None and repo.get("k1").status == "replied"  # type: ignore[union-attr]


def test_concurrent_claims_from_several_engines_have_one_winner(store: Store, db_url: str) -> None:
    others = [build_store(db_url, create_schema=False) for _ in range(3)]
    stores = [store, *others]
    results: list[bool] = []
    barrier = threading.Barrier(len(stores))

    def claim(s: Store) -> None:
        barrier.wait()
        results.append(s.channel_messages.claim("same-msg", "wecom").first)

    threads = [threading.Thread(target=claim, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in others:
        s.close()
    assert sorted(results) == [False, False, False, True]


def test_old_messages_are_purged(store: Store) -> None:
    store.channel_messages.claim("old", "wechat")
    assert store.channel_messages.purge(timedelta(days=1)) == 0
    assert store.channel_messages.purge(timedelta(seconds=-1)) == 1
    assert store.channel_messages.get("old") is None


def test_tokens_expire_and_a_rejected_token_is_dropped(store: Store) -> None:
    tokens = store.channel_tokens
    assert tokens.get("wechat:app") is None
    tokens.put("wechat:app", "t1", 7200)
    assert tokens.get("wechat:app") == "t1"
    tokens.put("wechat:app", "t2", 7200)
    assert tokens.get("wechat:app") == "t2"
    tokens.drop("wechat:app", "t1")  # an older token: the newer one stays
    assert tokens.get("wechat:app") == "t2"
    tokens.put("wechat:app", "t3", 60)  # inside the 5-minute margin: treated as expired
    assert tokens.get("wechat:app") is None
    tokens.drop("wechat:app", "t3")
    assert tokens.get("wechat:app", margin=timedelta(0)) is None


def test_a_notice_is_claimed_by_one_worker_and_retried_after_a_failure(store: Store) -> None:
    notices = store.notices
    notice = notices.add("complaint", {"msgtype": "markdown", "markdown": {"content": "x"}})
    assert notices.due() == [notice.id]
    claimed = notices.claim(notice.id)
    assert claimed is not None and claimed.deliveries == 1
    assert notices.claim(notice.id) is None and notices.due() == []  # leased
    notices.failed(notice.id, "HTTP 503", retry_in=timedelta(seconds=-1))
    assert notices.due() == [notice.id]
    assert notices.claim(notice.id) is not None
    notices.sent(notice.id)
    done = notices.get(notice.id)
    assert done is not None and (done.status, done.deliveries, done.last_error) == ("sent", 2, None)
    other = notices.add("human", {})
    notices.claim(other.id)
    notices.failed(other.id, "down", retry_in=None)
    assert [n.id for n in notices.list(status="dead")] == [other.id]
