"""Intent of a member message: rule tables (offline, always available) and an optional model classifier.

Labels match prompts/intent.md: question, apply, human, complaint, chitchat, out_of_scope. Negative
sentiment is scored here too: strongly negative messages are treated as complaints.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, Field

from assistant.llm import ChatModel, ChatRequest, LLMError, Message
from assistant.privacy import mask_pii
from assistant.service.types import INTENTS, Intent
from knowledge.text import normalise

log = logging.getLogger(__name__)

HUMAN_PATTERNS = (
    r"转人工|转接人工|人工客服|人工服务|人工坐席|找人工|要人工|接人工|真人|活人|客服人员",
    r"(?:找|叫|要|让|请)(?:你们的?)?(?:客户经理|客服经理|专员|工作人员|负责人|经理)(?:来)?(?:联系|回复|跟我|和我|打电话|处理)?",
    r"(?:和|跟|同)(?:人|真人|工作人员)(?:聊|说|沟通)",
    r"human agent|real person|live agent|talk to (?:a )?human"
    r"|(?:speak|talk) (?:to|with) (?:a |an |some)?(?:one|body|human|person|agent)",
)
APPLY_PATTERNS = (
    r"(?:想|(?<![需只])要|准备|打算|希望|计划)(?:要)?(?:申请|办理|办(?!法)|贷(?!多少)|借(?!鉴)|融资|做一笔|申办)",
    r"(?:帮我|给我|替我)(?:申请|办理|办|安排|对接)",
    r"(?:我|我们|公司|企业)(?:需要|缺|急需)(?:一笔|一些)?(?:资金|贷款|融资|周转|钱)",
    r"(?:有|存在)(?:融资|贷款|资金)(?:需求|意向)",
    r"(?:联系我|回电|给我打电话|打我电话|留(?:个|下)?(?:电话|联系方式))",
    r"我要(?:申请|贷款|融资|办)",
)
COMPLAINT_PATTERNS = (
    r"投诉|举报|曝光|维权|12378|12363|银保监|金融监管局|消协|报警|起诉",
    r"(?:要求|我要)(?:赔偿|退款|退钱|道歉)",
)
# Questions ABOUT complaints or the human service, not a complaint or a hand-off request themselves.
INQUIRY_PATTERNS = (
    r"(?:投诉|举报)(?:的|后|以后|之后)?(?:处理)?(?:流程|程序|渠道|方式|途径|电话|热线|号码|邮箱|地址|时限|进度)",
    # the complaint word, then within its clause a question about it (投诉了以后多久处理完？投诉资料保存多久？);
    # not after a wish to complain (我要投诉…怎么回事 is a complaint)
    r"(?<![要想])(?:投诉|举报)(?:了|过)?[^。！!，,？?]{0,10}(?:多久|几天|几个工作日|什么时候|怎么处理|如何处理|哪里查|是否)",
    r"(?:人工客服|人工服务|客服|客户经理|专员)的?(?:服务|工作|上班|在线)?(?:时间|时段|几点)",
    r"(?:人工客服|人工服务|客服)(?:什么时候|几点)(?:上班|在线|有人)",
)
# Who the member is talking to: answered as chit-chat, never a hand-off (你是机器人还是真人？).
IDENTITY_PATTERN = (
    r"^(?:请问)?(?:你|您)(?:现在)?(?:到底)?是(?:不是)?(?:一个)?(?:机器人|真人|人工|ai|人|智能助手|客服|谁)"
    r"(?:吗|呢|啊)?(?:还是(?:机器人|真人|人工|ai|人)(?:呢|啊)?)?[?？!！。]*$"
)
CHITCHAT_PATTERNS = (
    r"^(?:你好|您好|哈喽|嗨|hi|hello|在吗|在不在|早上好|上午好|中午好|下午好|晚上好|早安|晚安)[!！。.~～呀啊]*$",
    r"^(?:谢谢|多谢|感谢|谢啦|thanks?|thank you|辛苦了|好的|好|嗯|嗯嗯|ok|收到|明白了|知道了|再见|拜拜|bye)"
    r"(?:你|您|啦|了|哈)?[!！。.~～呀啊]*$",
    r"^(?:你是谁|你叫什么|你是机器人吗|你是真人吗|你能做什么|你会什么)[?？]*$",
    r"^(?:你|你们|您)(?:都|还)?(?:能|可以|会)(?:做|干|帮我?|帮我做|提供)(?:些)?(?:什么|啥|哪些)(?:服务|事情|事)?[?？!！。]*$",
    r"^(?:你|你们)有(?:什么|哪些)(?:功能|服务)[?？!！。]*$",
    r"^(?:好的?|嗯+|行|ok|那)?[，,]?(?:我)?(?:先)?(?:再)?(?:考虑|想想|想一想|看看|研究|商量|琢磨)(?:一下|看|下)?"
    r"(?:吧|再说|再联系)?[!！。.~～]*$",
)
OUT_OF_SCOPE_PATTERNS = (
    r"天气|股票|炒股|个股|哪只股|基金推荐|买什么基金|彩票|比特币|虚拟币|数字货币|外汇|期货|写(?:一段|个)?代码|编程"
    r"|python|java(?:script)?|翻译|写(?:一首)?诗|笑话|电影|电视剧|菜谱|做饭|游戏|足球|篮球|星座|算命|减肥|旅游攻略",
)
# Financing vocabulary: a message with one of these is never out of scope.
DOMAIN_PATTERN = (
    r"贷|融资|利率|利息|年化|额度|授信|担保|抵押|质押|贴息|补贴|奖励|政策|申请|审批|放款|还款|征信|材料|租赁|贴现"
    r"|汇票|保理|应收|路演|讲座|活动|会员|社群|产品|费用|期限|手续费|资金|周转|贷款"
)
NEGATIVE_TERMS: dict[str, int] = {
    "骗子": 3, "骗人": 3, "诈骗": 2, "垃圾": 3, "坑人": 3, "太坑": 3, "欺骗": 3, "忽悠": 2, "乱收费": 3,
    "气死": 3, "愤怒": 3, "恶心": 3, "差劲": 2, "太差": 2, "很差": 2, "什么破": 2, "失望": 2, "不满": 2,
    "生气": 2, "无语": 1, "离谱": 2, "过分": 2, "太慢": 1, "一直没": 1, "还没": 1, "等了": 1, "没人理": 2,
    "没人管": 2, "不靠谱": 2, "烂": 1, "退钱": 3, "投诉": 3, "受不了": 2, "浪费时间": 2, "搞什么": 2,
}  # fmt: skip
STRONG_NEGATIVE = 3
ACK_MAX_CHARS = 8  # a confirmation is a few characters; anything longer carries a request or a question

_HUMAN_RE = re.compile("|".join(HUMAN_PATTERNS), re.IGNORECASE)
_INQUIRY_RE = re.compile("|".join(INQUIRY_PATTERNS))
_IDENTITY_RE = re.compile(IDENTITY_PATTERN, re.IGNORECASE)
_APPLY_RE = re.compile("|".join(APPLY_PATTERNS))
_ACTION_RE = re.compile(r"投诉|举报|转人工|人工客服|人工服务|(?<![需只])要申请|申请")
_COMPLAINT_RE = re.compile("|".join(COMPLAINT_PATTERNS))
_CHITCHAT_RE = re.compile("|".join(CHITCHAT_PATTERNS), re.IGNORECASE)
_OUT_OF_SCOPE_RE = re.compile("|".join(OUT_OF_SCOPE_PATTERNS), re.IGNORECASE)
_DOMAIN_RE = re.compile(DOMAIN_PATTERN)
_QUESTION_RE = re.compile(r"(?:怎么|如何|多少|多久|什么|哪些|哪个|是否|能否|可以吗|吗|呢|么)[?？]?|[?？]")
# A first-person wish or request: 我要投诉, 帮我申请, 请转人工 … (a question without one only asks about it).
_REQUEST_RE = re.compile(
    r"我(?:们)?(?:要|想|需要|准备|打算)|(?:帮|给|替)我|^请|麻烦|马上|立刻|赶紧|我(?:们)?(?:公司|企业)?(?:急需|缺)"
)
# An expressed wish to apply (not only a need to borrow): what turns a question into an application.
_APPLY_WISH_RE = re.compile(
    r"(?:我|我们|公司|企业)(?:想|要|准备|打算|希望|计划)(?:要)?(?:申请|办理|申办)"
    r"|(?:帮|给|替)我(?:们)?(?:申请|办理|办|安排|对接)|我要(?:申请|贷款|融资|办)"
)
_SPACES_RE = re.compile(r"\s+")
_LATER_RE = re.compile(r"考虑|想想|想一想|看看|研究|商量|琢磨")
_THANKS_RE = re.compile(r"谢|感谢|thank|辛苦", re.IGNORECASE)


@dataclass(frozen=True)
class IntentResult:
    """The classified intent, its confidence, the sentiment score and a short reason."""

    intent: Intent
    confidence: float
    negative: int = 0
    reason: str = ""

    @property
    def strongly_negative(self) -> bool:
        return self.negative >= STRONG_NEGATIVE


class IntentClassifier(Protocol):
    def classify(self, message: str, history: Sequence[str] = ()) -> IntentResult: ...


def negativity(text: str) -> int:
    """Sum of negative-term weights, plus one for angry punctuation."""
    score = sum(weight for term, weight in NEGATIVE_TERMS.items() if term in text)
    if re.search(r"[!！]{2,}|[?？]{3,}", text):
        score += 1
    return score


class RuleIntentClassifier:
    """Keyword/regex tables, checked in priority order: complaint, human, apply, out of scope, chit-chat.

    A question about the complaint process or the human service ("投诉以后多久答复？") is a question: its
    complaint/human words are not counted. Patterns are matched on the message without spaces (Chinese)
    and with single spaces (English).
    """

    def classify(self, message: str, history: Sequence[str] = ()) -> IntentResult:
        spaced = _SPACES_RE.sub(" ", normalise(message)).strip()
        text = spaced.replace(" ", "")
        if _INQUIRY_RE.search(text) and _QUESTION_RE.search(text):
            text = spaced = _INQUIRY_RE.sub("，", text)  # asks about the process: only the rest can complain
            if not re.search(r"\w", text):
                return IntentResult("question", 0.8, negativity(message), "asks about the complaint or human service")
        if _QUESTION_RE.search(text) and not _REQUEST_RE.search(text) and not re.search(r"^(?:投诉|举报)", text):
            # asks about complaints, the human service or applying, without asking for them
            text, spaced = _ACTION_RE.sub("，", text), _ACTION_RE.sub("，", spaced)
        negative = negativity(text)
        if _COMPLAINT_RE.search(text) or negative >= STRONG_NEGATIVE:
            return IntentResult("complaint", 0.9, negative, "complaint words or strong negative sentiment")
        if _IDENTITY_RE.search(text):
            return IntentResult("chitchat", 0.9, negative, "asks who it is talking to")
        if _HUMAN_RE.search(text) or _HUMAN_RE.search(spaced):
            return IntentResult("human", 0.95, negative, "asks for a human")
        if _APPLY_RE.search(text) and (not _QUESTION_RE.search(text) or _APPLY_WISH_RE.search(text)):
            # a question naming a need, an amount or a purpose stays a question: only a wish to apply applies
            return IntentResult("apply", 0.8, negative, "states an intention to apply or be contacted")
        if _OUT_OF_SCOPE_RE.search(text) and not _DOMAIN_RE.search(text):
            return IntentResult("out_of_scope", 0.8, negative, "topic outside financing services")
        if _CHITCHAT_RE.search(text) or _CHITCHAT_RE.search(spaced):
            return IntentResult("chitchat", 0.9, negative, "greeting or thanks")
        if not _DOMAIN_RE.search(text) and not _QUESTION_RE.search(text) and len(text) <= 4:
            return IntentResult("chitchat", 0.5, negative, "short message without a question")
        return IntentResult("question", 0.6, negative, "default: a question for the knowledge base")


def is_acknowledgement(message: str) -> bool:
    """A short reply that asks nothing and names no financing subject (对，就这些 / 没了 / 是的): it confirms."""
    text = re.sub(r"[\W_]+", "", normalise(message))
    return 0 < len(text) <= ACK_MAX_CHARS and not _QUESTION_RE.search(text) and not _DOMAIN_RE.search(text)


def chitchat_kind(message: str) -> str:
    """Which polite reply a chit-chat message gets: thanks, identity, later (will think about it) or greeting."""
    text = _SPACES_RE.sub("", normalise(message))
    if _THANKS_RE.search(text):
        return "thanks"
    if _IDENTITY_RE.search(text):
        return "identity"
    if _LATER_RE.search(text):
        return "later"
    return "greeting"


class IntentSchema(BaseModel):
    intent: str
    confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    reason: str = ""


class ModelIntentClassifier:
    """Asks the chat model (prompts/intent.md, structured output); falls back to the rules on any error.

    The rules still decide complaints and human requests, so a model mistake can never hide an escalation.
    """

    def __init__(self, model: ChatModel, fallback: RuleIntentClassifier | None = None) -> None:
        self.model = model
        self.fallback = fallback or RuleIntentClassifier()

    def classify(self, message: str, history: Sequence[str] = ()) -> IntentResult:
        ruled = self.fallback.classify(message, history)
        if ruled.intent in ("complaint", "human"):
            return ruled
        messages = [Message.user(mask_pii(h)) for h in history[-2:]] + [Message.user(mask_pii(message))]
        try:
            parsed = self.model.structured(ChatRequest(messages, task="intent", temperature=0.0), IntentSchema)
        except LLMError as error:
            log.info("intent model unavailable, using rules: %s", error)
            return ruled
        if parsed.intent not in INTENTS:
            return ruled
        intent: Intent = parsed.intent  # type: ignore[assignment]
        return IntentResult(intent, parsed.confidence, ruled.negative, parsed.reason[:200])
