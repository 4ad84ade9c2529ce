"""Rate limits: parsing, the in-process moving window, and the Redis one shared by several instances (workers)."""

from __future__ import annotations

import os
import uuid

import pytest
import redis
from limits.storage import RedisStorage

from assistant.ratelimit import Rate, RateLimits

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
    limiter = RateLimits({"chat": Rate(3, 60), "lead": None})
    assert [limiter.hit("chat", "a").allowed for _ in range(3)] == [True] * 3
    refused = limiter.hit("chat", "a")
    assert not refused.allowed and 0 < refused.retry_after <= 60
    assert limiter.hit("chat", "b").allowed  # per key
    assert all(limiter.hit("lead", "a").allowed for _ in range(10))  # "off"
    assert limiter.hit("chat", None).allowed  # no client key (the CLI): not limited


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
    rates = {"chat": Rate(4, 60), "lead": Rate(1, 60)}
    workers = [RateLimits(rates, RedisStorage(redis_url, key_prefix=prefix)) for _ in range(2)]
    try:
        decisions = [workers[i % 2].hit("chat", "10.0.0.1") for i in range(6)]
        assert [d.allowed for d in decisions] == [True] * 4 + [False] * 2
        assert 0 < decisions[-1].retry_after <= 60
        assert workers[0].hit("chat", "10.0.0.2").allowed
        assert workers[0].hit("lead", "10.0.0.1").allowed and not workers[1].hit("lead", "10.0.0.1").allowed
        assert workers[0].ping() and workers[0].shared
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)


@pytest.mark.allow_hosts(["127.0.0.1", "::1"])
def test_redis_limiter_fails_open_when_redis_is_down() -> None:
    errors: list[Exception] = []
    storage = RedisStorage("redis://127.0.0.1:1/0", socket_connect_timeout=1.0, socket_timeout=1.0)
    limiter = RateLimits({"chat": Rate(1, 60)}, storage, on_error=errors.append)
    assert limiter.hit("chat", "x").allowed and limiter.hit("chat", "x").allowed
    assert len(errors) == 2 and not limiter.ping()
