"""Turn a member message into a standalone question: resolve follow-ups ("那最多能贷多少？") against the
conversation's topic, find the products it is about, and map colloquial wording onto the corpus's terms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jieba

from assistant.service.catalog import Catalog
from knowledge.text import arabic_amounts

# Colloquial wording -> the term the documents use. Order matters: the first match of a group wins.
ASPECTS: tuple[tuple[str, str], ...] = (
    (
        r"能贷多少|贷多少|借多少|能借多少|最多(?:能|可以)?(?:贷|借)|最高(?:能|可以)?(?:贷|借)|额度|上限|多少钱"
        r"|(?i:loan amount|credit limit|how much can i borrow|maximum amount)",
        "额度",
    ),
    (r"利率|利息|年化|多少息|息多少|费率|贵不贵|成本|(?i:interest|\brates?\b|\bapr\b)", "年化利率"),
    (
        r"(?:审批|放款|到账|批下来|办下来|下款|出结果|审核)[^，。？?]{0,4}?(?:要|需要)?多久"
        r"|多久(?:能|可以)?(?:审批|放款|到账|批|下款|办好|办下来)|时效|(?i:approval time|how long[^?]{0,30}approv)",
        "审批时效",
    ),
    (
        r"期限|几年|借多长|租期|贷期|借期|(?:能|可以)?(?:贷|借|用|还)(?:款)?(?:能|可以)?(?:用|贷|借|还)?(?:多久|多长时间)",
        "期限",
    ),
    (r"怎么还|如何还|还款|还钱|提前还|提前结清|(?i:repay)", "还款方式"),
    (
        r"(?:什么|哪些|啥)(?:材料|资料)|(?:材料|资料)(?:清单|有哪些|要哪些|包括)|准备什么|带什么|提交什么|申请材料"
        r"|(?i:documents|paperwork)",
        "申请材料",
    ),
    (r"条件|门槛|资格|能不能申请|能申请|可以申请|符合|准入|适用|(?i:eligib|requirements?|qualif)", "申请条件"),
    (r"费用|手续费|收费|收不收|违约金|补偿金|交费|缴费|付费|要钱|花钱|(?i:\bfees?\b|charges)", "费用"),
    (r"报名|参加|参与", "报名"),
    (r"什么时候|何时|哪天|几号|几点|日期", "时间"),
    (r"在哪|哪里|什么地方|地点|地址|场地", "地点"),
    (r"流程|步骤|怎么申请|如何申请|怎么办理|如何办理", "办理流程"),
)
_ASPECT_RES = tuple((re.compile(pattern), term) for pattern, term in ASPECTS)
# A pronoun points back at the topic; a weak marker (那/还有…) only when the message names no subject of its own.
_PRONOUN_RE = re.compile(r"它|这个|这款|那款|该产品|该政策|该活动|这种|那种|上述|刚才说的|前面说的|这项|那项|此产品")
_WEAK_MARKER_RE = re.compile(r"^(?:那|那么|还有|另外|以及|然后|再问|顺便)")
_FILLER_RE = re.compile(r"^(?:那么|那|这个|它的|它|该|请问|还有|另外|然后|再问一下|顺便问一下)+")
_TRAILING_RE = re.compile(r"[？?。！!\s]+$")
# "Tell me about X": with a product named and no aspect asked, answer with its main terms.
_OVERVIEW_RE = re.compile(r"介绍|简介|是什么|怎么样|了解一下|讲讲|说说|详细")
OVERVIEW_FOCUS = "产品简介、额度、期限和年化利率"
SHORT_FOLLOWUP = 12  # characters; a short aspect-only message continues the topic
SHORT_PRODUCT_FOLLOWUP = 16  # characters; a short question in the product's own words continues it


@dataclass(frozen=True)
class Topic:
    """What the conversation is about: products, or the distinctive terms of the last question."""

    products: tuple[str, ...] = ()
    subject: str = ""  # the last standalone question, for replies ("关于…")
    terms: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.products and not self.terms

    @property
    def label(self) -> str:
        return "、".join(self.products) or self.subject

    def to_state(self) -> dict[str, Any]:
        return {"products": list(self.products), "subject": self.subject, "terms": list(self.terms)}

    @classmethod
    def from_state(cls, data: dict[str, Any] | None) -> Topic:
        data = data or {}
        return cls(
            tuple(str(p) for p in data.get("products", ())),
            str(data.get("subject", "")),
            tuple(str(t) for t in data.get("terms", ())),
        )


@dataclass(frozen=True)
class ResolvedQuery:
    """A message made standalone.

    ``question``: natural wording for a language model; ``focus``: the question without product names,
    plus topic and corpus terms (for the extractive model); ``search``: the retrieval query.
    """

    message: str
    question: str
    focus: str
    search: str
    products: tuple[str, ...]
    aspects: tuple[str, ...]
    followup: bool
    topic: Topic

    @property
    def topic_terms(self) -> tuple[str, ...]:
        """Terms inherited from the previous question (follow-ups about a non-product subject)."""
        return self.topic.terms if self.followup and not self.products else ()


def aspects_of(text: str) -> tuple[str, ...]:
    """Corpus terms for the colloquial wording in the text ('最多能贷多少' -> '额度')."""
    found: list[str] = []
    for pattern, term in _ASPECT_RES:
        if term == "期限" and "审批时效" in found:
            continue
        if pattern.search(text) and term not in found:
            found.append(term)
    return tuple(found)


def subject_terms(text: str, catalog: Catalog) -> list[str]:
    """The text's key terms outside its aspect wording (办下来一般要多久 → none): what the question is about."""
    blanked = text
    for pattern, _ in _ASPECT_RES:
        blanked = pattern.sub(" ", blanked)
    left = set(catalog.key_terms(blanked))
    return [t for t in catalog.key_terms(text) if t in left]


def is_followup(message: str, subject: list[str], aspects: tuple[str, ...], previous: Topic, catalog: Catalog) -> bool:
    """Does the message lean on the previous topic (pronoun, 那…, a bare aspect such as 利率呢, or a short
    question in the previous product's own words such as 担保费怎么收)?"""
    if previous.empty:
        return False
    if _PRONOUN_RE.search(message):
        return True
    length = len(_TRAILING_RE.sub("", message))
    if subject:
        return length <= SHORT_PRODUCT_FOLLOWUP and catalog.about_products(subject, previous.products)
    return bool(_WEAK_MARKER_RE.search(message)) or (length <= SHORT_FOLLOWUP and bool(aspects))


def pieces(terms: list[str], text: str) -> list[str]:
    """Shorter words inside long terms (知识讲座 → 知识, 讲座) that the text does not already contain."""
    found: list[str] = []
    for term in terms:
        if len(term) >= 4:
            found += [p for p in jieba.lcut_for_search(term) if len(p) >= 2 and p != term and p not in found]
    return found


def resolve(message: str, previous: Topic, catalog: Catalog) -> ResolvedQuery:
    """The standalone question for this message, given the conversation's previous topic; homophone slips in
    it (申抱 for 申报) are put right against the knowledge base's words first, and amounts in Chinese numerals
    written as the documents write them (一百万 → 100万)."""
    text = arabic_amounts(catalog.correct_slips(message.strip()))
    products = tuple(catalog.find_products(text))
    aspects = aspects_of(text)
    unnamed = catalog.strip_products(text)
    own_terms = catalog.key_terms(unnamed)
    followup = not products and is_followup(text, subject_terms(unnamed, catalog), aspects, previous, catalog)
    core = _FILLER_RE.sub("", text) or text
    if followup:
        topic = previous
        question = f"{previous.label}：{core}"
    else:
        subject = _TRAILING_RE.sub("", text)[:60]
        topic = Topic(products, subject, tuple(own_terms))
        question = text
    inherited = topic.terms if followup and not topic.products else ()
    # The extractive model scores sentences by word overlap: the member's wording (which value is asked
    # for: 万分之五, 多久, 在哪里) plus the corpus terms for it ("需要满足什么条件" -> "申请条件").
    wording = catalog.strip_products(core, topic.products)
    if products and not aspects and _OVERVIEW_RE.search(text):
        wording, aspects = OVERVIEW_FOCUS, aspects_of(OVERVIEW_FOCUS)
    focus = " ".join([*inherited, wording, *aspects]).strip() or question
    if topic.products:
        # The search is filtered to these products, so their names would match every chunk: search for
        # what is asked about them instead, sharpened with the corpus terms.
        search = " ".join(part for part in (catalog.strip_products(core, topic.products), *aspects) if part)
        search = search or " ".join(topic.products)
    else:
        # Unscoped: the wording with long words split (知识讲座 → 知识 讲座), then the corpus terms for what is
        # asked (in last place, so the subject's words still decide which documents come back).
        search = " ".join(part for part in (*inherited, core, *pieces(own_terms, core), *aspects) if part)
    return ResolvedQuery(text, question, focus, search, topic.products, aspects, followup, topic)
