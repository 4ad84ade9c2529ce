"""Offline drafts on the sample corpus: structured, cited to the right documents, and every figure grounded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.compliance import check
from assistant.drafting import CHANNELS, Brief, Citation, DraftService, DraftView, NoSourcesError
from assistant.drafting.templates import load_template
from assistant.llm import check_numbers_grounded
from assistant.llm.offline import DRAFT_LABEL, RISK_NOTE
from knowledge.types import SearchResult
from tests.conftest import CORPUS
from tests.drafting.conftest import SAMPLES

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

CATEGORY_TYPES = {
    "products": "product_intro",
    "policies": "policy_explainer",
    "events": "event_notice",
    "faq": "faq_digest",
    "service": "faq_digest",
}


def as_passages(citations: list[Citation]) -> list[SearchResult]:
    """Citation n as passage n, for the offline model's own number check."""
    ordered = sorted(citations, key=lambda c: c.n)
    return [SearchResult(str(c.n), c.source, c.title, c.heading, c.text, c.snippet, 1.0) for c in ordered]


def assert_grounded(view: DraftView) -> None:
    unsupported = [c.message for c in view.claims if not c.supported]
    assert not unsupported, (unsupported, view.text)
    assert [c.n for c in view.citations] == list(range(1, len(view.citations) + 1))
    check_numbers_grounded(view.text, as_passages(view.citations))
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", view.text)}
    assert cited == {c.n for c in view.citations}


@pytest.mark.parametrize("channel", list(CHANNELS))
@pytest.mark.parametrize(("post_type", "topic", "source"), SAMPLES)
def test_sample_drafts(service: DraftService, post_type: str, topic: str, source: str, channel: str) -> None:
    view = service.create(Brief(post_type, topic, channel=channel), author="editor:test")
    assert view.version == 1 and view.status == "draft" and view.type == post_type
    sources = {c.source for c in view.citations}
    assert len(sources) == 1 and sources <= set(source.split("|")), sources  # one document, one of those named
    assert_grounded(view)
    if channel != "moments":
        assert view.claims, "a sample draft states at least one checkable figure"
    assert not [f for f in view.findings if f["severity"] == "error"]
    assert view.blocking == []
    assert view.text.rstrip().endswith(DRAFT_LABEL)
    if post_type in ("product_intro", "policy_explainer", "case_story"):
        assert RISK_NOTE in view.text
    assert check(view.text).passed


def test_article_structure_follows_the_template(service: DraftService) -> None:
    view = service.create(Brief("product_intro", "安心政担贷", audience="浙江小微企业主"), author="editor:test")
    headings = re.findall(r"^## (.+)$", view.text, flags=re.MULTILINE)
    template = [s.heading for s in load_template("product_intro").sections]
    assert headings == [h for h in template if h in headings] and len(headings) >= 4
    assert view.text.startswith("# 安心政担贷")
    assert "> 写给：浙江小微企业主" in view.text
    assert "年化利率3.5%—4.8%" in view.text  # rates stay in their annualized wording
    rate = next(c for c in view.claims if c.kind == "rate" and "3.5%" in c.text)
    assert rate.supported and view.citation(rate.citation or 0).heading.endswith("额度、期限与成本")


def test_short_channels_stay_short(service: DraftService) -> None:
    article = service.create(Brief("policy_explainer", "苏州科技贷款贴息"), author="e")
    group = service.create(Brief("policy_explainer", "苏州科技贷款贴息", channel="group_message"), author="e")
    moments = service.create(Brief("policy_explainer", "苏州科技贷款贴息", channel="moments"), author="e")
    assert len(moments.text) < len(group.text) < len(article.text)
    assert "#" not in group.text and "\n" not in moments.text
    assert group.text.startswith("【")


def test_digits_in_the_brief_never_reach_an_offline_draft(service: DraftService) -> None:
    view = service.create(Brief("product_intro", "安心政担贷", audience="成立满5年的企业"), author="e")
    assert "满5年" not in view.text
    assert_grounded(view)


def test_no_relevant_sources(service: DraftService) -> None:
    with pytest.raises(NoSourcesError, match="没有关于“火星移民旅游攻略”"):
        service.create(Brief("product_intro", "火星移民旅游攻略"), author="e")


@pytest.mark.parametrize("topic", ["房地产开发贷", "比特币质押贷款", "留学贷款", "深圳市贷款贴息政策", "跨境电商贷"])
def test_a_topic_next_to_the_corpus_is_refused_not_swapped(service: DraftService, topic: str) -> None:
    """Words the corpus shares (贷款, 质押, 贴息) no longer let a draft drift onto another subject."""
    with pytest.raises(NoSourcesError, match="最接近的资料"):
        service.create(Brief("product_intro", topic), author="e")


def corpus_documents() -> list[tuple[str, str]]:
    docs = []
    for path in sorted(CORPUS.rglob("*.md")):
        title = re.search(r"^title:\s*(.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
        assert title, path
        docs.append((CATEGORY_TYPES[path.parent.name], title.group(1).strip()))
    return docs


@pytest.mark.parametrize(("post_type", "title"), corpus_documents())
def test_every_sample_document_drafts_without_an_unsupported_figure(
    service: DraftService, post_type: str, title: str
) -> None:
    """The claim checker proves it on the whole sample corpus: offline drafts only state cited figures."""
    for channel in ("wechat_article", "group_message"):
        try:
            view = service.create(Brief(post_type, title, channel=channel), author="e")
        except NoSourcesError:
            assert "2023" in title  # a superseded policy is not in force on the test date
            return
        assert_grounded(view)
        assert not [f for f in view.findings if f["severity"] == "error"], view.findings


def test_corpus_sample_is_complete() -> None:
    assert len(corpus_documents()) == len(list(Path(CORPUS).rglob("*.md"))) >= 29
