"""Working hours in Asia/Shanghai with an injectable clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.service.hours import WorkingHours, parse_days, parse_hours
from tests.service.conftest import EVENING, IN_HOURS, SATURDAY

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


def test_open_and_closed() -> None:
    hours = WorkingHours.parse("09:00-18:00", "Asia/Shanghai")
    assert hours.is_open(IN_HOURS)
    assert not hours.is_open(EVENING)
    assert not hours.is_open(SATURDAY)
    assert hours.is_open(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))  # 09:00 Shanghai: opening minute
    assert not hours.is_open(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # 18:00 Shanghai: closed
    assert hours.label == "工作日9:00—18:00"


def test_clock_is_injectable_and_zone_matters() -> None:
    assert WorkingHours.parse("09:00-18:00", clock=lambda: IN_HOURS).is_open()
    assert not WorkingHours.parse("09:00-18:00", "UTC", clock=lambda: IN_HOURS).is_open()  # 03:00 UTC
    assert WorkingHours.parse("09:00-18:00", days="1-6", clock=lambda: SATURDAY).is_open()


@pytest.mark.parametrize("spec", ["", "9-18", "18:00-09:00", "09:00"])
def test_bad_hours(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_hours(spec)


def test_days() -> None:
    assert parse_days("1-5") == frozenset({1, 2, 3, 4, 5})
    assert parse_days("1,3,5") == frozenset({1, 3, 5})
    for bad in ("5-1", "0-3", "x", ""):
        with pytest.raises(ValueError):
            parse_days(bad)
    with pytest.raises(Exception):  # noqa: B017 - ZoneInfoNotFoundError
        WorkingHours.parse("09:00-18:00", "Mars/Olympus")
