"""Staff working hours in the community's time zone, with an injectable clock for tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~]\s*(\d{1,2}):(\d{2})\s*$")
_DAYS_RE = re.compile(r"^\s*([1-7])\s*-\s*([1-7])\s*$")


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_hours(spec: str) -> tuple[time, time]:
    """'09:00-18:00' → (09:00, 18:00); ValueError when malformed or empty."""
    match = _HOURS_RE.match(spec)
    if not match:
        raise ValueError(f"working hours must look like 09:00-18:00, not {spec!r}")
    start = time(int(match.group(1)), int(match.group(2)))
    end = time(int(match.group(3)), int(match.group(4)))
    if start >= end:
        raise ValueError(f"working hours {spec!r} end before they start")
    return start, end


def parse_days(spec: str) -> frozenset[int]:
    """'1-5' → ISO weekdays Monday..Friday; a comma list such as '1,2,3,4,5,6' also works."""
    match = _DAYS_RE.match(spec)
    if match:
        first, last = int(match.group(1)), int(match.group(2))
        if first > last:
            raise ValueError(f"working days {spec!r} end before they start")
        return frozenset(range(first, last + 1))
    try:
        days = frozenset(int(part) for part in spec.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"working days must look like 1-5 or 1,2,3,4,5, not {spec!r}") from None
    if not days or not days <= set(range(1, 8)):
        raise ValueError(f"working days must be ISO weekdays 1-7, not {spec!r}")
    return days


@dataclass(frozen=True)
class WorkingHours:
    """Whether staff are at work now. Public holidays are not modelled (they count as working days)."""

    start: time
    end: time
    timezone: str = "Asia/Shanghai"
    days: frozenset[int] = frozenset(range(1, 6))
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)

    @classmethod
    def parse(
        cls,
        hours: str,
        timezone: str = "Asia/Shanghai",
        days: str = "1-5",
        clock: Callable[[], datetime] = utc_now,
    ) -> WorkingHours:
        start, end = parse_hours(hours)
        ZoneInfo(timezone)  # fail early on an unknown zone
        return cls(start, end, timezone, parse_days(days), clock)

    def is_open(self, at: datetime | None = None) -> bool:
        moment = (at or self.clock()).astimezone(ZoneInfo(self.timezone))
        return moment.isoweekday() in self.days and self.start <= moment.time() < self.end

    @property
    def label(self) -> str:
        """How replies state the hours, e.g. 工作日9:00—18:00."""
        days = "工作日" if self.days == frozenset(range(1, 6)) else "服务日"
        return f"{days}{self.start.hour}:{self.start.minute:02d}—{self.end.hour}:{self.end.minute:02d}"
