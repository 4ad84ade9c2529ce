"""Numbers as an editor reads them: durations in 秒 / 分钟 / 小时 / 天 chosen by their size."""

from __future__ import annotations

MINUTE = 60.0
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def _amount(value: float) -> str:
    """One decimal below ten, whole numbers above ("1.5", "12"); a trailing ".0" is dropped."""
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    return text.removesuffix(".0")


def duration_zh(seconds: float | None) -> str:
    """A duration in the largest unit it fills at least once: 54 → "54 秒", 150 → "2.5 分钟", 10800 → "3 小时"."""
    if seconds is None:
        return "—"
    seconds = max(0.0, float(seconds))
    if seconds < MINUTE:
        return f"{seconds:.0f} 秒"
    if seconds < HOUR:
        return f"{_amount(seconds / MINUTE)} 分钟"
    if seconds < DAY:
        return f"{_amount(seconds / HOUR)} 小时"
    return f"{_amount(seconds / DAY)} 天"
