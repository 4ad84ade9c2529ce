"""Per-client rate limits for named scopes ("chat", "lead"), kept by the `limits` library: in process memory, or
in Redis (REDIS_URL) so that every worker process and machine shares one budget per client.

Limits are written "30/minute", "5/10s", "1000/hour"; "off" disables one. A moving window: at most `count` hits
in any `period` seconds. Every entry point asks the same object with the client's key (the API: the real peer
address, see api/limits.py), so the lead form and the chat flow's lead capture draw on one budget.

Without REDIS_URL each process keeps its own budgets: with an agent worker process (AGENT_PROCESSES) the chat
flow's leads are counted there and the form's in the server process, so a client may leave up to the limit in
each. Set REDIS_URL to make every process and machine share one budget per client.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from assistant.config import Settings

log = logging.getLogger(__name__)
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_UNIT_SECONDS |= {"d": 86400, "day": 86400}
SCOPES = ("chat", "lead")


@dataclass(frozen=True)
class Rate:
    count: int
    period: int  # seconds

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

    def item(self, scope: str) -> RateLimitItem:
        return RateLimitItemPerSecond(self.count, self.period, namespace=scope)

    def describe(self) -> str:
        return f"{self.count} per {self.period} s"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the next hit would be allowed


class RateLimits:
    """`hit(scope, client)` spends one of the client's hits in the scope's window; a scope set "off", or a caller
    without a client key (the CLI), is never limited. If Redis fails the hit is allowed and the failure logged
    (and passed to `on_error`, e.g. a metric): members are not locked out by a broken limiter."""

    def __init__(
        self,
        rates: Mapping[str, Rate | None],
        storage: Storage | None = None,
        *,
        on_error: Callable[[Exception], Any] | None = None,
    ) -> None:
        self.rates = dict(rates)
        self.storage = storage or MemoryStorage()
        self.shared = not isinstance(self.storage, MemoryStorage)
        self.on_error = on_error
        self._window = MovingWindowRateLimiter(self.storage)
        self._last_warning = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        rates = {"chat": Rate.parse(settings.chat_rate_limit), "lead": Rate.parse(settings.lead_rate_limit)}
        storage: Storage | None = None
        if settings.redis_url:
            storage = RedisStorage(
                settings.redis_url,
                key_prefix=f"{settings.redis_prefix}:rl",
                socket_timeout=1.0,
                socket_connect_timeout=1.0,
            )
        return cls(rates, storage)

    def rate(self, scope: str) -> Rate | None:
        if scope not in self.rates:
            raise KeyError(f"unknown rate-limit scope {scope!r}")
        return self.rates[scope]

    def hit(self, scope: str, client: str | None) -> Decision:
        rate = self.rate(scope)
        if rate is None or not client:
            return Decision(True)
        item = rate.item(scope)
        try:
            if self._window.hit(item, client):
                return Decision(True)
            reset = self._window.get_window_stats(item, client).reset_time
        except Exception as exc:
            self._failed(exc)
            return Decision(True)
        return Decision(False, max(0.0, reset - time.time()))

    def _failed(self, exc: Exception) -> None:
        if self.on_error is not None:
            self.on_error(exc)
        with self._lock:
            if time.monotonic() - self._last_warning <= 30:
                return
            self._last_warning = time.monotonic()
        log.warning("rate limiter unavailable, allowing requests: %s", exc)

    def ping(self) -> bool:
        try:
            return bool(self.storage.check())
        except Exception:
            return False

    def reset(self) -> None:
        """Forget every budget (tests)."""
        self.storage.reset()
