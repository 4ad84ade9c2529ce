"""The analytics overview and the store queries behind it, on the hand-built database of `seed.py`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.insights import build_overview, lead_funnel, median_seconds
from assistant.store import Store, build_store
from tests.insights.seed import ANXIN, CROSS_BORDER, GOLD, SUZHOU_2023, seed

FROM = datetime(2026, 3, 1, tzinfo=UTC)
TO = datetime(2026, 4, 1, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    built = build_store(f"sqlite:///{tmp_path / 'insights.db'}")
    seed(built)
    yield built
    built.close()


def test_overview_figures(store: Store) -> None:
    view = build_overview(store.analytics, created_from=FROM, created_to=TO, intents=2).to_dict()
    assert view["conversations"] == 3
    assert view["answers"] == {"answered": 2, "unanswered": 4, "answer_rate": 0.3333}
    assert view["escalations_by_type"] == {"human": 1, "unanswered": 1, "application": 1}
    assert view["funnel"] == [
        {"stage": "new", "count": 7, "rate_from_previous": None, "rate_from_start": 1.0},
        {"stage": "assigned", "count": 6, "rate_from_previous": 0.8571, "rate_from_start": 0.8571},
        {"stage": "contacted", "count": 4, "rate_from_previous": 0.6667, "rate_from_start": 0.5714},
        {"stage": "qualified", "count": 2, "rate_from_previous": 0.5, "rate_from_start": 0.2857},
        {"stage": "won", "count": 1, "rate_from_previous": 0.5, "rate_from_start": 0.1429},
    ]
    assert view["median_first_contact_seconds"] == 3 * 3600
    assert view["contacted_leads_timed"] == 4
    assert view["top_intents"] == [{"intent": "question", "count": 5}, {"intent": "apply", "count": 1}]


def test_period_bounds(store: Store) -> None:
    everything = build_overview(store.analytics).to_dict()
    assert everything["conversations"] == 4
    assert everything["answers"]["unanswered"] == 5
    later = build_overview(store.analytics, created_from=TO).to_dict()
    assert later["conversations"] == 0 and later["answers"]["answer_rate"] is None
    assert later["median_first_contact_seconds"] is None
    assert [s["count"] for s in later["funnel"]] == [0, 0, 0, 0, 0]
    assert all(s["rate_from_previous"] is None for s in later["funnel"])


def test_unanswered_questions_and_citations(store: Store) -> None:
    in_period = store.analytics.unanswered_questions(created_from=FROM, created_to=TO)
    assert sorted(in_period) == sorted([*CROSS_BORDER, GOLD])
    assert sorted(store.analytics.unanswered_questions()) == sorted([*CROSS_BORDER, GOLD, GOLD])
    assert store.analytics.citation_counts() == {ANXIN: 2, SUZHOU_2023: 1}  # `old` cites anxin too
    assert store.analytics.citation_counts(created_from=FROM) == {ANXIN: 1, SUZHOU_2023: 1}


def test_funnel_and_median_helpers() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    assert median_seconds([]) == (None, 0)
    assert median_seconds([("contacted", t, t.replace(hour=1)), ("won", t, t.replace(hour=2))]) == (5400.0, 2)
    stages = lead_funnel([("lost", t, None), ("won", t, t)])
    assert [(s.stage, s.count) for s in stages] == [
        ("new", 2),
        ("assigned", 2),
        ("contacted", 1),
        ("qualified", 1),
        ("won", 1),
    ]
