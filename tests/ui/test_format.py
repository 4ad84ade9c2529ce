"""Durations shown in the unit their size calls for."""

from __future__ import annotations

import pytest

from ui.format import duration_zh


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "—"),
        (0, "0 秒"),
        (54, "54 秒"),
        (59.4, "59 秒"),
        (60, "1 分钟"),
        (150, "2.5 分钟"),
        (45 * 60, "45 分钟"),
        (3600, "1 小时"),
        (10_800, "3 小时"),
        (5400, "1.5 小时"),
        (86_400, "1 天"),
        (36 * 3600, "1.5 天"),
        (30 * 86_400, "30 天"),
        (-5, "0 秒"),
    ],
)
def test_duration_in_its_unit(seconds: float | None, shown: str) -> None:
    assert duration_zh(seconds) == shown


def test_toasts_expire_and_have_chinese_titles() -> None:
    import gradio as gr

    from ui import notify
    from ui.auth import NotAuthorized

    for error in (notify.error("x"), NotAuthorized()):
        assert isinstance(error, gr.Error) and error.title == "错误" and error.duration == notify.ERROR_SECONDS
