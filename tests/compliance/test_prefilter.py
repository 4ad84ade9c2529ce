"""The literal pre-filter: derived triggers are sound, and the index reports overlapping triggers."""

from __future__ import annotations

import re

import pytest

from assistant.compliance.prefilter import TriggerIndex, finditer_near, max_width, required_literals, windows


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("包过", {"包过"}),
        ("(?<!红)包过(?!户)", {"包过"}),
        ("零风险|稳赚不赔", {"零风险", "稳赚不赔"}),
        ("(?:保证|确保)下款", {"保证下款", "确保下款"}),
        (r"日息\s{0,2}\d", {"日息"}),
    ],
)
def test_required_literals(pattern: str, expected: set[str]) -> None:
    assert required_literals(pattern) == expected


@pytest.mark.parametrize("pattern", [r"\d+", r"[^，]{0,3}", "a?", "(?:x|\\d)", "(?i)apr", "(?i:apr)x?"])
def test_no_literals_means_no_filter(pattern: str) -> None:
    assert required_literals(pattern) is None


def test_max_width() -> None:
    assert max_width("包过") == 2
    assert max_width(r"日息\s{0,2}\d{1,3}") == 7
    assert max_width(r"\d+") is None


def test_index_reports_overlapping_and_prefix_triggers() -> None:
    index = TriggerIndex(
        [("a", frozenset({"确保"})), ("b", frozenset({"保证"})), ("c", frozenset({"保"})), ("d", None)]
    )
    found = index.candidates("请确保证件齐全")
    assert set(found) == {"a", "b", "c", "d"}
    assert found["a"] == [1] and found["b"] == [2] and found["d"] is None
    assert set(index.candidates("无关文本")) == {"d"}


def test_windows_merge_and_clip() -> None:
    assert windows([5, 8, 100], width=3, margin=1, length=50) == [(1, 12)]


def test_finditer_near_matches_full_scan_near_triggers() -> None:
    regex = re.compile("包过(?!户)")
    text = "办理包过户手续。" + "甲" * 50 + "包过"
    positions = [m.start() for m in re.finditer("包过", text)]
    assert [m.span() for m in finditer_near(regex, text, positions, 2)] == [m.span() for m in regex.finditer(text)]
