"""Who a member says they are: their name and their company's name, read from free text.

A name comes from a self-introduction (我叫/我是/本人/姓X/联系人…) or from a message that opens with a
name-shaped segment ("王五，…": a surname from the lexicon and two to three characters in all). A company
comes from "公司是/公司叫/单位是/店名叫 X" or from a word ending in a business suffix (lexicon
``business_suffixes``: 有限公司, 合作社, 店, 厂, 工作室, 门市部 …) whose part before the suffix is a name:
never a place alone, a determiner, a generic trade word (奶茶店, 科技公司), a product name (…小店贷) or a
piece of a question.
"""

from __future__ import annotations

import re
from functools import cache

from knowledge.text import business_suffixes, dictionary_word, product_heads, specificity, surnames
from knowledge.text.regions import places_in, short_name

_HAN = r"\u4e00-\u9fa5"
_CLAUSE_RE = re.compile(r"[，,。；;！!？?\s、\n]+")
_NAME_RES = (
    re.compile(rf"(?:我叫|我的名字(?:是|叫)|名字(?:是|叫)|姓名(?:是|为)?[:：]?|联系人(?:是|为)?[:：]?|称呼(?:我)?(?:为)?[:：]?)"
               rf"\s*([{_HAN}]{{2,4}}?|[A-Za-z][A-Za-z ]{{1,30}})(?=$|[先女总经老想要是在来电手公我的])"),
    re.compile(rf"(?:我姓|免贵姓|姓)([{_HAN}])(?:[，,。\s]|$|先生|女士|总|经理)"),
    re.compile(rf"^(?:我是|本人)?([{_HAN}]{{1,2}}(?:先生|女士|总|经理))$"),
)  # fmt: skip
_PLAIN_NAME_RE = re.compile(rf"^(?:我是|我叫|本人|联系人)([{_HAN}]{{2,4}})$")
_BARE_NAME_RE = re.compile(rf"[{_HAN}]{{2,4}}")
_NOT_IN_NAME_RE = re.compile(r"[好们的了吗呢吧啊呀哦嗯总哥姐]")  # 王总好, 李姐: a greeting or a title, not a name
_COMMON_WORD = 13.0  # a dictionary word less specific than this is an everyday word, not a person's name

# "公司是/公司叫/单位是/店名叫 X": the rest of the clause is the name as the member gives it.
_NAMED_COMPANY_RE = re.compile(
    r"(?:公司|企业|单位|工厂|厂子|门店|店铺|店|商号|字号)(?:的)?(?:名称|全称|名字|名)?(?:是|叫|为|[:：])+[ \t\u3000]*"
    r"([^，,。；;！!？?:：\s、]{2,60})"
)
# Where a company's name starts inside a clause: after the last of these.
_LEAD_IN_RE = re.compile(
    r"是|在(?!线)|来自|就职于|任职于|名叫|名为|的|开了|开设了?|经营着?|创办了?|成立了?|注册了?"
    r"|(?:[一两二三四五六七八九十几这那每某]|\d+)(?:家|个|间|所)"
)
_FILLER_RE = re.compile(r"^(?:我们|我司|本公司|我|本人|咱们)+")
# A piece of a sentence rather than a name: question words, pronouns, negations, particles.
_FRAGMENT_RE = re.compile(
    r"吗|呢|吧|什么|怎么|怎样|哪|如何|多少|请问|是否|能否|可以|能不能|可不可以|不是|不能|不会|不要|不用|没有"
    r"|我|你|您|他|她|它|咱|给|把|被|让|了"
)
_DESCRIPTION_RE = re.compile(r"^(?:做|搞|干|开|卖|从事|生产|经营|主营|在|有|没|是)|的$|(?:企业|单位|性质|行业|类型)$")
# Words in front of a trade name that say what kind of business it is, not which one.
_MODIFIER_RE = re.compile(r"^(?:小型|中型|大型|小微|中小|微型|个体|私营|民营|国有|本地|当地|社区|家庭|自家|小|大)+")
_DETERMINER_RE = re.compile(r"^(?:贵|你们|我们|我|本|该|这|那|一|哪|什么|大|小|总|分|子|某)?(?:家|个|间)?$")
_DISTRICT_RE = re.compile(rf"^[{_HAN}]{{1,3}}?(?:省|市|区|县|镇|乡|街道)")
_VERB_LIKE_HEADS = ("贷款", "融资")  # product heads a member also uses as verbs (…店融资50万)


@cache
def _suffix_re() -> re.Pattern[str]:
    suffixes = sorted(business_suffixes(), key=lambda s: (-len(s), s))
    return re.compile("(?:" + "|".join(map(re.escape, suffixes)) + ")+")


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_RE.split(text) if c]


# --- names -------------------------------------------------------------------------------------------------


def _has_surname(text: str) -> bool:
    names = surnames()
    return text[:2] in names or text[0] in names


def looks_like_name(text: str) -> bool:
    """Two to four characters starting with a common surname, not an everyday word or a place."""
    if not _BARE_NAME_RE.fullmatch(text) or not _has_surname(text) or _NOT_IN_NAME_RE.search(text):
        return False
    if len(text) == 4 and text[:2] not in surnames():  # four characters only with a compound surname
        return False
    if dictionary_word(text) and specificity(text) < _COMMON_WORD:
        return False
    return not places_in(text)


def find_name(text: str) -> str | None:
    """The longest name-like candidate: 我叫X / 姓X / X先生 / 我是X / 本人X, or a message opening "X，"."""
    found: list[str] = []
    parts = clauses(text)
    for clause in parts:
        for pattern in _NAME_RES:
            match = pattern.search(clause)
            if match:
                found.append(match.group(1).strip())
        plain = _PLAIN_NAME_RE.match(clause)
        if plain and looks_like_name(plain.group(1)):
            found.append(plain.group(1))
    if not found:
        found.extend(_opening_name(parts))
    return max(found, key=len) if found else None


def _opening_name(parts: list[str]) -> list[str]:
    """A message opening with a name: "王五，公司是…", "同意，王五，…" or a bare "王五" answering the question."""
    opening = parts[:1]
    if parts and len(parts[0]) <= 3 and not looks_like_name(parts[0]):
        opening = parts[1:2]  # after a short 同意 / 好的 / 您好
    return [part for part in opening if looks_like_name(part)]


# --- companies ---------------------------------------------------------------------------------------------


def _strip_places(text: str) -> str:
    """The text without the places (苏州, 江苏省南京市, 鼓楼区) it starts with."""
    while True:
        places = places_in(text[:8])
        lead = next((n for p in places for n in (p.name, short_name(p.name)) if text.startswith(n)), None)
        if lead is None or len(lead) < 2:
            district = _DISTRICT_RE.match(text)
            if district is None or district.end() == len(text):
                return text
            lead = district.group(0)
        text = text[len(lead) :]


def _is_name_part(prefix: str) -> bool:
    """The part of a company's name before its suffix names one business (not a place, a kind or a pronoun)."""
    own = _MODIFIER_RE.sub("", _strip_places(prefix))
    if len(own) < 2 or _DETERMINER_RE.match(own):
        return False
    return not dictionary_word(own)  # 奶茶, 科技, 五金: a kind of business, not its name


def _valid_company(value: str) -> bool:
    return 3 <= len(value) <= 60 and not _FRAGMENT_RE.search(value) and not dictionary_word(value)


def _named_company(text: str) -> str | None:
    """X in "公司是X", "公司叫X", "单位是X", "店名叫X" when X is a name, not a description."""
    for match in _NAMED_COMPANY_RE.finditer(text):
        value = match.group(1)
        if not _valid_company(value) or _DESCRIPTION_RE.search(value):
            continue
        if not _strip_places(value) or (dictionary_word(value) and specificity(value) < _COMMON_WORD):
            continue
        return value
    return None


def _continues_word(clause: str, end: int) -> bool:
    """The suffix ending at ``end`` is the start of another word (厂房, 店铺, 店长, 公司法) or a product (小店贷)."""
    rest = clause[end:]
    if not rest:
        return False
    pair = clause[end - 1] + rest[0]
    if dictionary_word(pair) and pair not in business_suffixes():
        return True
    return any(rest.startswith(head) for head in product_heads() if head not in _VERB_LIKE_HEADS)


def _suffixed_company(text: str) -> str | None:
    """The first "<name><business suffix>" in the text whose name part passes ``_is_name_part``."""
    for clause in clauses(text):
        for match in _suffix_re().finditer(clause):
            if _continues_word(clause, match.end()):
                continue
            head = clause[: match.start()]
            starts = [m.end() for m in _LEAD_IN_RE.finditer(head)]
            start = starts[-1] if starts else 0
            value = clause[start : match.end()]
            filler = _FILLER_RE.match(value)
            if filler:
                value = value[filler.end() :]
            prefix = value[: len(value) - len(match.group(0))]
            if _valid_company(value) and _is_name_part(prefix):
                return value
    return None


def find_company(text: str) -> str | None:
    """The member's company name, when the text gives one (see the module docstring)."""
    return _named_company(text) or _suffixed_company(text)
