"""The Analytics tab's handlers, called directly: figures, gaps with the draft action, freshness, auth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest

from assistant.services import Services
from tests.insights.seed import CROSS_BORDER, SUZHOU_2023, seed
from tests.ui.conftest import ADMIN, EDITOR, STAFF, UIEnv, build_env
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
    stats, funnel, intents, answers, gaps, choices, freshness = controller(env.services).refresh(env.request(ADMIN))
    assert "对话数" in stats and "<b>4</b>" in stats and "3 小时" in stats
    assert funnel["阶段"].tolist() == ["新线索", "已分配", "已联系", "已确认意向", "成交"]  # the workflow's order
    assert funnel["线索数"].tolist() == [7, 6, 4, 2, 1]
    assert funnel["转化率"].tolist() == ["—", "86%", "67%", "50%", "50%"]
    assert answers["次数"].tolist() == [2, 5]
    assert intents["次数"].tolist()[0] == 6
    assert gaps[0][1] == 3 and all(q in gaps[0][2] for q in CROSS_BORDER)
    assert choices["value"] == gaps[0][0] and len(choices["choices"]) == len(gaps)
    assert SUZHOU_2023 in freshness and "已被替代" in freshness


def test_draft_for_gap(env: UIEnv) -> None:
    ctl = controller(env.services)
    made = ctl.draft_for_gap("安心政担贷怎么申请", env.request(ADMIN))
    assert "fa-note-ok" in made and "问答汇编草稿" in made
    missing = ctl.draft_for_gap("火星移民签证", env.request(ADMIN))
    assert "fa-note-warn" in missing
    with pytest.raises(gr.Error):
        ctl.draft_for_gap("", env.request(ADMIN))


def test_editors_get_no_member_questions_funnel_or_freshness(env: UIEnv) -> None:
    """The API refuses editors analytics (assistant.access); so does the UI, without an error toast on load."""
    stats, funnel, intents, answers, gaps, choices, freshness = controller(env.services).refresh(env.request(EDITOR))
    assert "该密钥的角色为 editor" in stats and "admin" in stats and "对话数" not in stats
    assert funnel.empty and intents.empty and answers.empty and gaps == [] and freshness == ""
    assert choices["choices"] == []
    with pytest.raises(NotAuthorized, match="editor"):
        controller(env.services).draft_for_gap("跨境贸易融资", env.request(EDITOR))


def test_handlers_recheck_the_editor(env: UIEnv) -> None:
    ctl = controller(env.services)
    with pytest.raises(NotAuthorized):
        ctl.refresh(env.request(STAFF))  # a staff key cannot use the editors' UI
    with pytest.raises(NotAuthorized):
        ctl.draft_for_gap("跨境贸易融资", env.request("nobody"))


def test_freshness_html_escapes() -> None:
    class Doc:
        title, source, status, expires, superseded_by, answers = "<b>x</b>", "a.md", "expired", None, None, 2

    html = freshness_html([Doc()])
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "fa-note-ok" in freshness_html([])


def test_the_charts_count_from_zero_in_workflow_order(ui_app: object) -> None:
    """The bar plots' own settings: y from zero, the funnel in the workflow's order, answered before unanswered."""
    from ui.analytics_tab import ANSWER_LABELS, STAGES

    mounted = next(route for route in ui_app.routes if getattr(route, "path", None) == "/ui")  # type: ignore[attr-defined]
    plots = {c["props"].get("elem_id"): c["props"] for c in mounted.app.get_blocks().config["components"]}
    for elem_id in ("an-funnel", "an-answers", "an-intents"):
        assert plots[elem_id]["y_lim"][0] == 0, elem_id
    assert plots["an-funnel"]["sort"] == list(STAGES.values()) == ["新线索", "已分配", "已联系", "已确认意向", "成交"]
    assert plots["an-answers"]["sort"] == list(ANSWER_LABELS)
