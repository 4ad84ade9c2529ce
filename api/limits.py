"""Per-client rate limits (GCRA: a smooth token bucket) in process memory, or in Redis so that every worker
and machine shares one budget per client. Limits are written "30/minute"; "off" disables one."""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.metrics import LIMITER_ERRORS, RATE_LIMITED

log = logging.getLogger("api.limits")
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_UNIT_SECONDS |= {"d": 86400, "day": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    period: float  # seconds

    @property
    def interval(self) -> float:
        return self.period / self.count

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """ "30/minute", "5/10s", "1000/hour"; None for "off"."""
        if text.strip().lower() in ("off", "none", "unlimited", ""):
            return None
        match = _RATE_RE.match(text)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"invalid rate limit {text!r}: write it like '30/minute' or 'off'")
        multiplier = int(match.group(2) or 1)
        return cls(int(match.group(1)), multiplier * _UNIT_SECONDS[match.group(3).lower()])


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0


class Limiter(Protocol):
    def hit(self, key: str, rate: Rate) -> Decision: ...


class MemoryLimiter:
    """GCRA per key in this process (one worker only: each process would have its own budget)."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def hit(self, key: str, rate: Rate) -> Decision:
        now = time.monotonic()
        with self._lock:
            tat = max(self._tat.get(key, now), now)
            excess = tat - now - (rate.period - rate.interval)
            if excess > 0:
                return Decision(False, excess)
            if len(self._tat) >= self._max_keys:
                self._tat = {k: v for k, v in self._tat.items() if v > now}
            self._tat[key] = tat + rate.interval
            return Decision(True)


# GCRA in Redis with the server's clock (all workers agree on time); values in milliseconds.
_GCRA_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local excess = tat - now - tolerance
if excess > 0 then return {0, excess} end
local new = tat + interval
redis.call('SET', KEYS[1], string.format('%d', new), 'PX', new - now + 1000)
return {1, 0}
"""


class RedisLimiter:
    """GCRA in Redis, shared by every worker; if Redis fails the request is allowed and the failure logged."""

    def __init__(self, url: str, prefix: str = "finassist") -> None:
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._script: Any = self._client.register_script(_GCRA_LUA)
        self._prefix = prefix
        self._last_warning = 0.0

    def hit(self, key: str, rate: Rate) -> Decision:
        interval = max(1, math.ceil(rate.interval * 1000))
        tolerance = max(0, math.ceil(rate.period * 1000) - interval)
        try:
            allowed, excess = self._script(keys=[f"{self._prefix}:rl:{key}"], args=[interval, tolerance])
        except Exception as exc:
            LIMITER_ERRORS.inc()
            if time.monotonic() - self._last_warning > 30:
                self._last_warning = time.monotonic()
                log.warning("rate limiter unavailable, allowing requests: %s", exc)
            return Decision(True)
        return Decision(bool(allowed), int(excess) / 1000)

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except Exception:
            return False

    def close(self) -> None:
        self._client.close()


def build_limiter(redis_url: str | None, prefix: str) -> Limiter:
    return RedisLimiter(redis_url, prefix) if redis_url else MemoryLimiter()


def client_key(request: Request) -> str:
    """The client's address (behind a proxy, uvicorn's --forwarded-allow-ips makes it the real client's)."""
    return request.client.host if request.client else "unknown"


def rate_limit(scope: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency enforcing `app.state.rates[scope]` per client: 429 with Retry-After when exceeded."""

    async def dependency(request: Request) -> None:
        rate: Rate | None = request.app.state.rates.get(scope)
        if rate is None:
            return
        limiter: Limiter = request.app.state.limiter
        key = f"{scope}:{client_key(request)}"
        if isinstance(limiter, MemoryLimiter):
            decision = limiter.hit(key, rate)
        else:
            decision = await run_in_threadpool(limiter.hit, key, rate)
        if not decision.allowed:
            RATE_LIMITED.labels(scope).inc()
            wait = max(1, math.ceil(decision.retry_after))
            raise ApiError(
                429,
                "rate_limited",
                f"too many {scope} requests from this client (limit {rate.count} per {rate.period:g} s); "
                f"retry in {wait} s",
                headers={"Retry-After": str(wait)},
            )

    return dependency
