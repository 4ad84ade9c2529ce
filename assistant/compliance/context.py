"""Is a match asserted, or only negated, prohibited, quoted as rule text or warned against?

Heuristics over a small window around the match, tuned for compliance and anti-fraud wording:
"不得承诺包过", "谨防'内部渠道'骗局", "如包过、秒批等说法均属违规", "包过？都是骗人的".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from knowledge.text import CLAUSE_BREAKS, SENTENCE_BREAKS

_AFTER_BREAKS = "，,。；;\n"

# Prohibitions and warnings: they govern the whole clause before the match.
_STRONG = re.compile(
    r"不得|禁止|严禁|杜绝|谨防|警惕|提防|切勿|勿信|别信|不信|不要信|不要相信|防范|远离|打击|揭秘|曝光|举报|"
    r"不承诺|不保证|不能承诺|不能保证|无法承诺|无法保证|不会承诺|不会保证|从不承诺|绝不承诺|不再承诺|拒绝|打破"
)
# Plain negators: only right before the match, and cancelled by a concessive ("没有抵押也包过").
_WEAK = re.compile(
    r"不再|不会|不能|不可|不是|并非|并不|不存在|没有|从不|从未|绝不|决不|不应|不要|无法|不做|不搞|"
    r"不提供|不接受|不认可|不参与|不收取|不代办|不办理|不介绍|不等于|不代表|不意味着|不等同于"
)
_WEAK_WINDOW = 6
_ENUM_WINDOW = 20
_ENUMERATORS = "、/"
_STRONG_WINDOW = 40
# A bare 不/未/非 only negates when it sits right against the match ("不刷流水", "不包过").
_ADJACENT = ("不", "未", "非")
_CONCESSIVE = re.compile(r"也|都|照样|照|仍|依然|一样")

# Words that make the whole sentence anti-fraud education or a quotation of rules.
_EDUCATION = re.compile(
    r"诈骗|骗局|骗子|骗人|陷阱|套路贷|谨防|警惕|提防|声称|号称|所谓|打着|冒充|假借|"
    r"等说法|等字样|等用语|等表述|等词|等宣传|等话术|话术|违规宣传|虚假宣传|属于违规|均属违规|属违规|"
    r"违法违规|涉嫌违法|涉嫌诈骗|广告法|监管要求|明令禁止"
)
# A section (Markdown heading) or table (header row) about fraud quotes fraud language to warn against it.
_EDUCATION_SECTION = re.compile(_EDUCATION.pattern + r"|套路|真相|防骗|反诈|识别")
_NEGATOR = re.compile(r"[不没未勿莫别]")
_TITLE_RE = re.compile(r"^# .*$", re.M)
# Weaker context words that count only when the match is in quotation marks.
_QUOTE_CONTEXT = re.compile(
    r"说|字样|用语|词|表述|宣传|广告|违规|违法|骗|不得|禁止|严禁|提醒|注意|切勿|不要|别信|勿|识别|标语|承诺"
)
_AFTER = re.compile(
    r"不可能|不存在|是假的|都是假|是骗|骗人|骗局|诈骗|违规|违法|无法承诺|无法保证|不能承诺|不能保证|"
    r"不承诺|不保证|不可信|不靠谱|是谣言|没有的事|纯属|是陷阱|套路|一律不|都不可信|"
    r"是不是真的|是真的吗|真的吗|可信吗|靠谱吗|能信吗|已成历史|成为历史"
)
_AFTER_WINDOW = 12
_OPEN_QUOTES = "「『“‘\"'《"
_CLOSE_QUOTES = "」』”’\"'》"
_OPEN_RE = re.compile("[" + re.escape(_OPEN_QUOTES) + "]")
_CLOSE_RE = re.compile("[" + re.escape(_CLOSE_QUOTES) + "]")
_ASYMMETRIC_CLOSE_RE = re.compile("[」』”’》]")
_QUOTE_REACH = 12


@lru_cache(maxsize=16)
def _break_positions(text: str, breaks: str) -> list[int]:
    """Sorted positions of break characters; cached because every match in a text asks again."""
    return [m.start() for m in re.finditer("[" + re.escape(breaks) + "]", text)]


def _clause_start(text: str, pos: int, breaks: str, limit: int) -> int:
    """Index just after the last break before pos, at most `limit` characters back."""
    positions = _break_positions(text, breaks)
    i = bisect_left(positions, pos)
    return max(0, pos - limit, positions[i - 1] + 1 if i else 0)


def _clause_end(text: str, pos: int, breaks: str, limit: int) -> int:
    """Index of the first break at or after pos, at most `limit` characters ahead."""
    positions = _break_positions(text, breaks)
    i = bisect_left(positions, pos)
    return min(len(text), pos + limit, positions[i] if i < len(positions) else len(text))


def _negated_before(text: str, start: int) -> bool:
    clause = text[_clause_start(text, start, CLAUSE_BREAKS, _STRONG_WINDOW) : start]
    if _STRONG.search(clause) or clause.endswith(_ADJACENT):
        return True
    # In an enumeration ("不存在国家背书、政府兜底") the negator may sit before an earlier item.
    window = _ENUM_WINDOW if clause.rstrip(_OPEN_QUOTES)[-1:] in _ENUMERATORS else _WEAK_WINDOW
    near = clause[-window:]
    negators = list(_WEAK.finditer(near))
    return bool(negators) and not _CONCESSIVE.search(near[negators[-1].end() :])


def _negated_after(text: str, end: int) -> bool:
    after = text[end : _clause_end(text, end, _AFTER_BREAKS, _AFTER_WINDOW)]
    return bool(_AFTER.search(after))


def is_quoted(text: str, start: int, end: int) -> bool:
    """True when the match sits inside quotation marks (or a 《》 title) within the same clause."""
    left = text[_clause_start(text, start, CLAUSE_BREAKS, _QUOTE_REACH) : start]
    right = text[end : _clause_end(text, end, CLAUSE_BREAKS, _QUOTE_REACH)]
    opens = [m.start() for m in _OPEN_RE.finditer(left)]
    if not opens:
        return False
    closes = [m.start() for m in _ASYMMETRIC_CLOSE_RE.finditer(left)]
    return opens[-1] > max(closes, default=-1) and _CLOSE_RE.search(right) is not None


def clause_start(text: str, pos: int, limit: int) -> int:
    """Start of the clause (split at ，。！？；and newlines) holding pos, at most `limit` back."""
    return _clause_start(text, pos, CLAUSE_BREAKS, limit)


def sentence_start(text: str, pos: int, limit: int) -> int:
    """Start of the sentence (split at 。！？；and newlines) holding pos, at most `limit` back."""
    return _clause_start(text, pos, SENTENCE_BREAKS, limit)


def clause_end(text: str, pos: int, limit: int) -> int:
    """End of the clause holding pos, at most `limit` ahead."""
    return _clause_end(text, pos, CLAUSE_BREAKS, limit)


def surroundings(text: str, start: int, end: int, limit: int = 120) -> str:
    """The rest of the sentence around a span, without the span itself (joined by a space)."""
    before = text[_clause_start(text, start, SENTENCE_BREAKS, limit) : start]
    return before + " " + text[end : _clause_end(text, end, SENTENCE_BREAKS, limit)]


def section_heading(text: str, pos: int) -> str:
    """The nearest Markdown heading line above pos ("" when there is none)."""
    at = pos
    while at > 0:
        line_start = text.rfind("\n", 0, at - 1) + 1
        if text.startswith("#", line_start):
            line_end = text.find("\n", line_start)
            return text[line_start : len(text) if line_end < 0 else line_end]
        at = line_start
        if at == 0:
            break
    return ""


def document_title(text: str) -> str:
    """The first level-one Markdown heading ("" when there is none)."""
    match = _TITLE_RE.search(text)
    return match.group(0) if match else ""


def table_header(text: str, pos: int) -> str:
    """The header row of the Markdown table holding pos ("" when pos is not in a table row)."""
    line_start = text.rfind("\n", 0, pos) + 1
    if not text.startswith("|", line_start):
        return ""
    header = line_start
    while header > 0:
        previous = text.rfind("\n", 0, header - 1) + 1
        if not text.startswith("|", previous):
            break
        header = previous
    end = text.find("\n", header)
    return text[header : len(text) if end < 0 else end]


def is_negated(text: str, start: int, end: int) -> bool:
    """True when text[start:end] is negated, prohibited, warned against or quoted as rule text."""
    if _negated_before(text, start) or _negated_after(text, end):
        return True
    around = surroundings(text, start, end)
    if _EDUCATION.search(around):
        return True
    context = (table_header(text, start), section_heading(text, start), document_title(text))
    if any(_EDUCATION_SECTION.search(part) for part in context):
        return True
    if is_quoted(text, start, end):
        clause = text[clause_start(text, start, _STRONG_WINDOW) : start]
        return bool(_QUOTE_CONTEXT.search(around) or _NEGATOR.search(clause))
    return False
