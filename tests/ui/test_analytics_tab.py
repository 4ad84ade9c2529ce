"""The Analytics tab's handlers, called directly: figures, gaps with the draft action, freshness, auth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest

from assistant.services import Services
from tests.insights.seed import CROSS_BORDER, SUZHOU_2023, seed
from tests.ui.conftest import UIEnv, build_env
from ui.analytics_tab import AnalyticsController, freshness_html
from ui.auth import EditorAuth, NotAuthorized


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UIEnv]:
    built, closing = build_env(Path(tmp_path_factory.mktemp("analytics-ui")))
    seed(built.services.store)
    yield built
    for thing in closing:
        thing.close()


def controller(services: Services) -> AnalyticsController:
    auth = EditorAuth(services.store.api_keys)
    return AnalyticsController(services.store, services.index, services.retriever, services.drafts, auth)


def test_refresh_shows_the_figures(env: UIEnv) -> None:
    stats, funnel, intents, answers, gaps, choices, freshness = controller(env.services).refresh(env.request())
    assert "对话数" in stats and "<b>4</b>" in stats and "3.0 小时" in stats
    assert funnel["线索数"].tolist() == [7, 6, 4, 2, 1]
    assert funnel["阶段"].tolist()[1:3] == ["已分配（86%）", "已联系（67%）"]
    assert answers["次数"].tolist() == [2, 5]
    assert intents["次数"].tolist()[0] == 6
    assert gaps[0][1] == 3 and all(q in gaps[0][2] for q in CROSS_BORDER)
    assert choices["value"] == gaps[0][0] and len(choices["choices"]) == len(gaps)
    assert SUZHOU_2023 in freshness and "已被替代" in freshness


def test_draft_for_gap(env: UIEnv) -> None:
    ctl = controller(env.services)
    made = ctl.draft_for_gap("安心政担贷怎么申请", env.request())
    assert "fa-note-ok" in made and "问答汇编草稿" in made
    missing = ctl.draft_for_gap("火星移民签证", env.request())
    assert "fa-note-warn" in missing
    with pytest.raises(gr.Error):
        ctl.draft_for_gap("", env.request())


def test_handlers_recheck_the_editor(env: UIEnv) -> None:
    ctl = controller(env.services)
    with pytest.raises(NotAuthorized):
        ctl.refresh(env.request("staff-zhao"))  # a staff key cannot use the editors' UI
    with pytest.raises(NotAuthorized):
        ctl.draft_for_gap("跨境贸易融资", env.request("nobody"))


def test_freshness_html_escapes() -> None:
    class Doc:
        title, source, status, expires, superseded_by, answers = "<b>x</b>", "a.md", "expired", None, None, 2

    html = freshness_html([Doc()])
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "fa-note-ok" in freshness_html([])
