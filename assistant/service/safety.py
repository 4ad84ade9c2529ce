"""Safety screen, run before anything else: prompt injection, other people's data, account changes and
approval promises are refused. Retrieved passages are screened too: instruction-like sentences inside a
document are data, so they are cut out before any model sees them.

Patterns are data (the tables below); each one is a regular expression over the lower-cased message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from knowledge.types import SearchResult

SafetyCategory = Literal["injection", "others_data", "account_change", "approval_promise"]

INJECTION_PATTERNS = (
    r"忽略(?:掉)?(?:以上|上面|上述|前面|之前|先前|所有|全部|你的|系统)",
    r"无视(?:以上|上面|上述|前面|之前|所有|你的|系统)",
    r"(?:不要|别|无需)(?:再)?(?:遵守|遵循|理会)(?:以上|上面|之前|你的|系统)?(?:规则|指令|设定|要求)",
    r"忘(?:记|掉)(?:以上|上面|之前|你的|所有)?(?:规则|指令|设定|身份)",
    r"(?:系统|开发者)(?:提示|指令|设定)(?:词)?",
    r"(?:输出|打印|泄露|告诉我|显示|复述)(?:你的|一下)?(?:提示词|prompt|初始指令|内部规则)|提示词|初始指令",
    r"你现在(?:是|扮演|成为|变成)",
    r"(?:请|你)?扮演(?:一个|一位|成)?",
    r"(?:进入|开启|切换到?)(?:开发者|调试|管理员|越狱)模式",
    r"(?:新的|以下是新)(?:指令|规则|任务)[:：]",
    r"ignore (?:all |the |any )?(?:previous|prior|above|earlier|preceding) (?:instructions|rules|prompts?)",
    r"disregard (?:all |the |your )?(?:previous|prior|above) ",
    r"system prompt|developer mode|jailbreak|\bdan mode\b|you are now|act as|pretend (?:to be|you are)",
    r"<\|?(?:system|im_start|im_end)\|?>|\[/?inst\]",
)
OTHERS_DATA_PATTERNS = (
    r"(?:其他|别的|其它|所有|全部)(?:会员|客户|用户|借款人|申请人)(?:的)?(?:信息|资料|名单|电话|手机|号码|联系方式|数据|线索|申请)",
    r"(?:别人|他人|其他人|同行)(?:的)?(?:电话|手机|号码|联系方式|身份证|资料|信息|贷款|申请|额度)",
    r"(?:导出|下载|拉取|发我|给我|提供|查看|看看|列出)(?:一下|一份)?(?:所有|全部|其他)?(?:会员|客户|用户|线索|意向客户|借款人)(?:的)?(?:名单|列表|清单|电话|信息|资料|数据|线索)",
    r"(?:客户|会员|线索|借款人)(?:名单|列表|清单|通讯录)",
    r"(?:查|查询|看)(?:一下)?(?:他|她|张三|李四|某人|朋友|同事|老板)(?:的)?(?:贷款|征信|额度|申请|电话|信息)",
)
_ACCOUNT = r"(?:手机号码?|预留手机|收款账[户号]|收款卡|还款账户|还款卡|银行卡|账户|账号|密码|授信额度|额度)"
ACCOUNT_CHANGE_PATTERNS = (
    rf"(?:帮我|给我|替我|请)?(?:改|修改|更改|变更|更换|换)(?:一下)?(?:我的)?(?:绑定的?)?{_ACCOUNT}",
    rf"(?:把|将)(?:我的)?(?:绑定的?)?{_ACCOUNT}(?:改|修改|更改|变更|换)",
    r"(?:帮我|给我)(?:提|提高|调高|调整|增加|提升)(?:一下)?(?:额度|授信|利率)",
    r"(?:把|将)(?:钱|款|贷款|放款)(?:打到|转到|放到)(?:别的|另一个|这个|新的)",
    r"(?:解冻|注销|冻结)(?:我的)?(?:账户|账号)",
)
APPROVAL_PROMISE_PATTERNS = (
    r"(?:保证|确保|承诺|打包票)[^。，,？?！!]{0,8}(?:批|获批|通过|下款|放款|到账)",
    r"包(?:我|我们)?(?:能|一定)?(?:批|获批|下款|放款)",
    r"(?:能不能|可不可以|可以|能否)(?:给我)?(?:保证|承诺|打包票)",
    r"(?:一定|肯定|百分百|100%)(?:能|会)(?:批|获批|通过|下款|放款)吗",
    r"包(?:过|批|下款)吗",
)

_TABLES: tuple[tuple[SafetyCategory, tuple[str, ...]], ...] = (
    ("injection", INJECTION_PATTERNS),
    ("others_data", OTHERS_DATA_PATTERNS),
    ("account_change", ACCOUNT_CHANGE_PATTERNS),
    ("approval_promise", APPROVAL_PROMISE_PATTERNS),
)
_COMPILED = tuple((category, re.compile("|".join(f"(?:{p})" for p in patterns))) for category, patterns in _TABLES)
_INJECTION_RE = _COMPILED[0][1]
_SPACES_RE = re.compile(r"[\s\u3000]+")
_SENTENCE_RE = re.compile(r"[^。！？!?；;\n]*[。！？!?；;\n]?")


@dataclass(frozen=True)
class SafetyVerdict:
    """Why a message is refused: the category and the text that matched."""

    category: SafetyCategory
    matched: str


def _normalise(text: str) -> str:
    return _SPACES_RE.sub(" ", text.lower()).replace("：", ":")


def screen(message: str) -> SafetyVerdict | None:
    """The first safety rule the message breaks, or None when it may be processed."""
    text = _normalise(message)
    compact = text.replace(" ", "")
    for category, pattern in _COMPILED:
        match = pattern.search(compact) or pattern.search(text)
        if match:
            return SafetyVerdict(category, match.group(0))
    return None


def is_injection(text: str) -> bool:
    """True when the text contains an instruction aimed at the model."""
    normalised = _normalise(text)
    return bool(_INJECTION_RE.search(normalised.replace(" ", "")) or _INJECTION_RE.search(normalised))


def strip_instructions(text: str) -> tuple[str, int]:
    """The text without its instruction-like sentences, and how many were removed."""
    kept: list[str] = []
    removed = 0
    for sentence in _SENTENCE_RE.findall(text):
        if sentence and is_injection(sentence):
            removed += 1
            if sentence.endswith("\n"):
                kept.append("\n")
            continue
        kept.append(sentence)
    return "".join(kept), removed


def sanitize_passages(passages: Sequence[SearchResult]) -> tuple[list[SearchResult], int]:
    """Passages with embedded instructions cut out (empty ones dropped), and the number of cuts."""
    clean: list[SearchResult] = []
    total = 0
    for passage in passages:
        text, removed = strip_instructions(passage.text)
        total += removed
        if not removed:
            clean.append(passage)
        elif text.strip():
            core = passage.snippet.strip("…")
            snippet = passage.snippet if core and core in text else text.strip()[:120].replace("\n", " ")
            clean.append(replace(passage, text=text, snippet=snippet))
    return clean, total
