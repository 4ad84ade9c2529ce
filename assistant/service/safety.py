"""Safety screen, run before anything else: prompt injection, other people's data, account changes and
approval promises are refused. Retrieved passages are screened too: instruction-like sentences inside a
document are data, so they are cut out before any model sees them.

Patterns are data (the tables below); each one is a regular expression over the normalised message
(``knowledge.text.normalise``: half-width, lower-case, simplified characters).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from knowledge.text import normalise, sentence_spans, surname_pattern
from knowledge.types import SearchResult

SafetyCategory = Literal["injection", "others_data", "account_change", "approval_promise"]

INJECTION_PATTERNS = (
    r"忽略(?:掉)?(?:以上|上面|上述|前面|之前|先前|所有|全部|你的|系统)",
    r"无视(?:以上|上面|上述|前面|之前|所有|你的|系统)",
    r"(?:不要|别|无需)(?:再)?(?:遵守|遵循|理会)(?:以上|上面|之前|你的|系统)?(?:规则|指令|设定|要求)",
    r"忘(?:记|掉)(?:以上|上面|之前|你的|所有)?(?:规则|指令|设定|身份)",
    r"(?:系统|开发者)(?:提示|指令|设定)(?:词)?",
    r"(?:输出|打印|泄露|告诉我|显示|复述)(?:你的|一下)?(?:提示词|prompt|初始指令|内部规则)|提示词|初始指令",
    r"你现在(?:是|扮演|成为|变成)(?!(?:一个)?(?:机器人|真人|人工|ai|人|谁)(?:吗|呢|还是|[?？]|$)|什么)",
    r"(?:请|你)?扮演(?:一个|一位|成)?",
    r"(?:进入|开启|切换到?)(?:开发者|调试|管理员|越狱)模式",
    r"(?:新的|以下是新)(?:指令|规则|任务)[:：]",
    r"ignore (?:all |the |any )?(?:previous|prior|above|earlier|preceding) (?:instructions|rules|prompts?)",
    r"disregard (?:all |the |your )?(?:previous|prior|above) ",
    r"system prompt|developer mode|jailbreak|\bdan mode\b|you are now|act as|pretend (?:to be|you are)",
    r"<\|?(?:system|im_start|im_end)\|?>|\[/?inst\]",
    r"system ?(?:message|消息)|(?:你收到的|你的)(?:全部|所有)?(?:system|系统|隐藏|内部)(?:消息|指令|提示|设定)",
    # Dictated replies: the member writes what the assistant is to say ("你就直接回复：批准…", "说一句“已审批通过”",
    # "改好了回复“已修改”", "原样发给我"). Quoting the assistant's own cues (回复“转人工”/“同意”) is not one.
    r"(?:你|就|直接|只要|只需|麻烦|然后|并|统一|一律)(?:就|直接|统一|只)?(?:回复|回答|回|说一句|说|输出|写)(?:一句|一下|我|给我)?"
    r"(?:[:：]|[“\"「『'](?!(?:转人工|同意|不同意|撤回授权|删除我的信息|我要投诉)[”\"」』']))",
    r"(?:改好|改完|换好|换完|办好|弄好|变更好|处理好)(?:了|后|之后)?[，,]?(?:就|直接|请)?(?:回复|回|告诉|通知)(?:我|一声)?",
    r"原样(?:发|输出|回复|复述|转发|照发|说)|照着?(?:念|说|回复)|一字不[改差漏]",
    r"你(?:来)?(?:演|饰演|装作|假装)(?!示)",
    r"(?:reply|respond|answer) (?:with|only with|using) (?:exactly|only|this|the following)",
    r"say exactly|repeat after me",
)
_THIRD_PARTY = r"(?:他|她|他们|她们|同事|朋友|亲戚|老板|领导|家人|合伙人|股东|别人|其他人|[\u4e00-\u9fff]总)"
_SURNAME = surname_pattern()  # lexicons/surnames.txt
OTHERS_DATA_PATTERNS = (
    r"(?:其他|别的|其它|所有|全部)(?:会员|客户|用户|借款人|申请人)(?:的)?(?:信息|资料|名单|电话|手机|号码|联系方式|数据|线索|申请)",
    r"(?:别人|他人|其他人|同行)(?:的)?(?:电话|手机|号码|联系方式|身份证|资料|信息|贷款|申请|额度)",
    r"(?:导出|下载|拉取|发我|给我|提供|查看|看看|列出)(?:一下|一份)?(?:所有|全部|其他)?(?:会员|客户|用户|线索|意向客户|借款人)(?:的)?(?:名单|列表|清单|电话|信息|资料|数据|线索)",
    r"(?:客户|会员|线索|借款人)(?:名单|列表|清单|通讯录)",
    r"(?:查|查询|看)(?:一下)?(?:他|她|张三|李四|某人|朋友|同事|老板)(?:的)?(?:贷款|征信|额度|申请|电话|信息)",
    # Someone else's application with us: 我同事李四在你们这申请了多少额度, 他们公司在你们这登记的资料.
    rf"{_THIRD_PARTY}[\u4e00-\u9fff]{{0,3}}(?:公司|企业)?在(?:你们|贵|社群|这)[^。？?！!]{{0,12}}"
    r"(?:申请|登记|贷|借|融资|提交|留)[^。？?！!]{0,10}(?:额度|资料|信息|进度|记录|多少|电话|手机|联系方式|情况|材料|结果)",
    # A named person's contact details: 欧阳明月的手机号.
    rf"(?:^|[，,。？?！!\s]|告诉我|查一?下|问一?下|给我){_SURNAME}(?!经理|专员|客服|老师|顾问)[\u4e00-\u9fff]{{1,2}}的"
    r"(?:手机号?码?|电话(?:号码)?|联系方式|身份证号?|住址|家庭住址)",
    # Who another applicant is: 昨天那个要融8000万的公司是哪家？
    r"(?:那个|那家|这家|昨天|刚才|上次|之前)[^。？?！!]{0,12}(?:公司|企业|客户|会员|老板)(?:是)?(?:哪家|哪个|谁|叫什么|名字)",
    r"(?:哪个|哪位|哪家)(?:会员|客户|用户|公司|企业)[^。？?！!]{0,8}(?:申请|贷|借|融|登记)(?:了|过)",
    r"\bleads?\b[^.?!]{0,30}(?:phone|contact|number|name|list|data)|(?:list|export|download|dump)[^.?!]{0,20}\bleads\b",
    r"(?:other|all) (?:members|customers|clients|users|borrowers|applicants)'?s? ?"
    r"(?:phone|contact|data|detail|info|number|name)",
)
_ACCOUNT = (
    r"(?:预留的?手机号?码?|手机号码?|预留手机|收款账[户号]|收款卡|还款账户|还款卡|银行卡|账户|账号|密码|授信额度|额度"
    r"|企业名称|公司名称|法人|法定代表人|登记信息|会员信息|联系电话)"
)
ACCOUNT_CHANGE_PATTERNS = (
    rf"(?:帮我|给我|替我|请)?(?:改|修改|更改|变更|更换|换)(?:一下)?(?:我的)?(?:绑定的?)?{_ACCOUNT}",
    rf"(?:把|将)(?:我的?)?(?:会员)?(?:登记|绑定|预留)?的?{_ACCOUNT}(?:也)?(?:改|修改|更改|变更|换)",
    r"(?:帮我|给我)(?:提|提高|调高|调整|增加|提升)(?:一下)?(?:额度|授信|利率)",
    r"(?:把|将)(?:钱|款|贷款|放款)(?:打到|转到|放到)(?:别的|另一个|这个|新的)",
    r"(?:打到|转到|放到|汇到|打给|转给|付到)[^。？?！!]{0,8}(?:别的|另一个|另外|新的?|朋友|他人|别人|亲戚|家人|第三方)"
    r"[^。？?！!]{0,6}(?:账户|账号|卡|户头)",
    r"(?:解冻|注销|冻结)(?:我的)?(?:账户|账号)",
    r"(?:管理员|后台|admin)[^。？?！!]{0,8}(?:密码|口令|密钥|账号)",
    r"(?:admin|administrator|root)[^.?!]{0,20}(?:password|credential|login)",
    r"(?:change|update|modify|switch|replace)[^.?!]{0,25}"
    r"(?:bank account|account|card|phone number|mobile|password|payee)",
)
APPROVAL_PROMISE_PATTERNS = (
    r"(?<![不无没])(?:保证(?!金|人|担保|保险|责任)|确保|承诺(?!书)|打包票)[^。？?！!]{0,12}(?:批|获批|通过|下款|放款|到账)",
    r"包(?:我|我们)?(?:能|一定)?(?:批|获批|下款|放款)",
    r"(?:能不能|可不可以|可以|能否)(?:给我)?(?:保证|承诺|打包票)",
    r"(?<!不)(?:一定|肯定|百分百|百分之百|100%|绝对)(?:能|会|可以)?(?:批|获批|通过|下款|放款|成功)",
    r"包(?:过|批|下款)吗",
    r"guarantee[^.?!]{0,40}(?:approv|disburs|loan|pass)|(?:100%|definitely|surely|certainly) (?:be )?approved",
)
# A message that matches a category's pattern but is plainly about something else: asking how to spot a
# scam that asks for an account change is not an account change; asking whether a promise someone else
# made can be trusted is not asking us for one.
EXEMPTIONS: dict[SafetyCategory, str] = {
    "account_change": r"(?:防范|防止|识别|警惕|提防|避免|怎么防|如何防|谨防)[^。？?！!]{0,20}(?:诈骗|骗局|骗子|冒充)"
    r"|(?:诈骗|骗局|冒充)[^。？?！!]{0,20}(?:怎么办|怎么防|如何防|识别|防范)",
    "approval_promise": r"(?:有人|别人|中介|对方)(?:说|称|声称|号称|承诺)[^？?]{0,30}"
    r"(?:可信|是真的|靠谱|是不是骗|能信)",
}

_TABLES: tuple[tuple[SafetyCategory, tuple[str, ...]], ...] = (
    ("injection", INJECTION_PATTERNS),
    ("others_data", OTHERS_DATA_PATTERNS),
    ("account_change", ACCOUNT_CHANGE_PATTERNS),
    ("approval_promise", APPROVAL_PROMISE_PATTERNS),
)
_COMPILED = tuple((category, re.compile("|".join(f"(?:{p})" for p in patterns))) for category, patterns in _TABLES)
_EXEMPT = {category: re.compile(pattern) for category, pattern in EXEMPTIONS.items()}
_INJECTION_RE = _COMPILED[0][1]
_SPACES_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class SafetyVerdict:
    """Why a message is refused: the category and the text that matched."""

    category: SafetyCategory
    matched: str


def _normalise(text: str) -> str:
    """The text as patterns see it: normalised (full-width, case, traditional characters), spaces single."""
    return _SPACES_RE.sub(" ", normalise(text))


def screen(message: str) -> SafetyVerdict | None:
    """The first safety rule the message breaks, or None when it may be processed."""
    text = _normalise(message)
    compact = text.replace(" ", "")
    for category, pattern in _COMPILED:
        match = pattern.search(compact) or pattern.search(text)
        exempt = _EXEMPT.get(category)
        if match and not (exempt and exempt.search(compact)):
            return SafetyVerdict(category, match.group(0))
    return None


def is_injection(text: str) -> bool:
    """True when the text contains an instruction aimed at the model."""
    normalised = _normalise(text)
    return bool(_INJECTION_RE.search(normalised.replace(" ", "")) or _INJECTION_RE.search(normalised))


@lru_cache(maxsize=4096)
def strip_instructions(text: str) -> tuple[str, int]:
    """The text without its instruction-like sentences, and how many were removed.

    Cached: every turn screens the passages it retrieved, and the same chunks come back turn after turn.
    """
    kept: list[str] = []
    removed = end = 0
    for sentence in sentence_spans(text):
        kept.append(text[end : sentence.start])  # the line breaks between sentences stay
        if is_injection(sentence.text):
            removed += 1
        else:
            kept.append(sentence.text)
        end = sentence.end
    kept.append(text[end:])
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
