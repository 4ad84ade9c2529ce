"""Rate limits: parsing, the in-process GCRA, and the Redis one shared by several limiter instances (workers)."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from api.limits import MemoryLimiter, Rate, RedisLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30/minute", Rate(30, 60)),
        ("5/10s", Rate(5, 10)),
        ("1000/hour", Rate(1000, 3600)),
        ("2 / day", Rate(2, 86400)),
        ("off", None),
    ],
)
def test_parse(text: str, expected: Rate | None) -> None:
    assert Rate.parse(text) == expected


@pytest.mark.parametrize("text", ["30", "0/minute", "x/minute", "5/fortnight", "-1/s"])
def test_parse_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="30/minute"):
        Rate.parse(text)


def test_memory_limiter_allows_the_burst_then_refuses_with_a_wait() -> None:
    limiter, rate = MemoryLimiter(), Rate(3, 60)
    assert [limiter.hit("a", rate).allowed for _ in range(3)] == [True] * 3
    refused = limiter.hit("a", rate)
    assert not refused.allowed and 0 < refused.retry_after <= 20
    assert limiter.hit("b", rate).allowed  # per key


@pytest.fixture
def redis_url() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} unreachable ({exc}) and CI is set", pytrace=False)
        pytest.skip(f"Redis at {REDIS_URL} unreachable ({exc})")
    return REDIS_URL


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_redis_limiter_is_shared_by_workers(redis_url: str) -> None:
    prefix = f"finassist-test-{uuid.uuid4().hex}"
    workers = [RedisLimiter(redis_url, prefix), RedisLimiter(redis_url, prefix)]
    rate = Rate(4, 60)
    try:
        decisions = [workers[i % 2].hit("chat:10.0.0.1", rate) for i in range(6)]
        assert [d.allowed for d in decisions] == [True] * 4 + [False] * 2
        assert 0 < decisions[-1].retry_after <= 15
        assert workers[0].hit("chat:10.0.0.2", rate).allowed
        assert workers[0].ping()
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        for worker in workers:
            worker.close()


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_redis_limiter_fails_open_when_redis_is_down() -> None:
    limiter = RedisLimiter("redis://127.0.0.1:1/0")
    assert limiter.hit("chat:x", Rate(1, 60)).allowed and limiter.hit("chat:x", Rate(1, 60)).allowed
    assert not limiter.ping()
