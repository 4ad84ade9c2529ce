"""Intent rules (offline) and the model-backed classifier with its fallback."""

from __future__ import annotations

import pytest

from assistant.llm import ChatRequest, FakeModel, LLMError, LLMUnsupported, Message, OfflineModel
from assistant.privacy import find_phones
from assistant.service.intent import (
    IntentSchema,
    ModelIntentClassifier,
    RuleIntentClassifier,
    chitchat_kind,
    negativity,
)

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
RULES = RuleIntentClassifier()


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("星火科创信用贷的年化利率是多少？", "question"),
        ("那最多能贷多少？", "question"),
        ("申请需要什么材料", "question"),
        ("怎么申请星火科创信用贷", "question"),
        ("政策补贴需要申请吗", "question"),
        ("转人工", "human"),
        ("我要找人工客服", "human"),
        ("让客户经理联系我", "human"),
        ("我要投诉你们的客户经理", "complaint"),
        ("你们就是骗子，垃圾服务", "complaint"),
        ("等了三天没人理，太差了！！", "complaint"),
        ("我想申请贷款", "apply"),
        ("我们公司需要一笔资金周转", "apply"),
        ("想贷300万买设备", "apply"),
        ("帮我申请星火科创信用贷", "apply"),
        # a question stays a question when it names an amount, a need or a purpose; a wish to apply applies
        ("南京开餐馆的个体户，想借20到30万，有什么产品、利率多少？", "question"),
        ("我们公司需要资金周转，有什么产品？", "question"),
        ("想贷300万买设备，利率大概多少？", "question"),
        ("我想申请星火科创信用贷，需要什么材料？", "apply"),
        ("帮我对接一下，需要准备什么？", "apply"),
        ("你好", "chitchat"),
        ("谢谢！", "chitchat"),
        ("好的", "chitchat"),
        ("今天天气怎么样", "out_of_scope"),
        ("帮我写一段python代码", "out_of_scope"),
        ("推荐一只股票", "out_of_scope"),
        ("股票质押贷款有吗", "question"),
        # questions about complaints or the human service are questions, not complaints or hand-offs
        ("投诉以后多久能给初步答复？", "question"),
        ("投诉处理流程是怎样的？", "question"),
        ("人工客服的服务时间是什么时候？", "question"),
        ("我要投诉，投诉电话是多少？", "complaint"),
        ("我想找人工客服聊一下", "human"),
        # English is matched with its spaces
        ("Can I talk to a real person?", "human"),
        ("I want to speak to someone", "human"),
        ("thank you", "chitchat"),
        # who it is, what it can do, "I'll think about it"
        ("你现在是机器人还是真人？", "chitchat"),
        ("你是真人吗", "chitchat"),
        ("你们能做什么？", "chitchat"),
        ("好的，我再考虑一下", "chitchat"),
        ("你们能做什么贷款？", "question"),
    ],
)
def test_rule_table(message: str, intent: str) -> None:
    assert RULES.classify(message).intent == intent


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("谢谢", "thanks"),
        ("你是机器人还是真人？", "identity"),
        ("好的，我再想想", "later"),
        ("你们能做什么？", "greeting"),
    ],
)
def test_chitchat_kind_picks_the_reply(message: str, kind: str) -> None:
    assert chitchat_kind(message) == kind


def test_negativity_scores_strong_and_mild() -> None:
    assert negativity("你们太坑人了，骗子！！") >= 3
    assert 0 < negativity("等了好久还没消息") < 3
    assert negativity("星火贷利率多少") == 0
    assert RULES.classify("太坑人了，骗子").strongly_negative


def test_model_classifier_uses_the_model_and_masks_pii() -> None:
    model = FakeModel([{"intent": "apply", "confidence": 0.8, "reason": "想申请"}])
    result = ModelIntentClassifier(model).classify("我电话13812345678，看看适合什么产品")
    assert result.intent == "apply" and result.confidence == 0.8
    request = model.last_request
    assert request.task == "intent"
    assert not any(find_phones(m.content) for m in request.messages)


@pytest.mark.parametrize("reply", [LLMError("down"), {"intent": "weather", "confidence": 0.9}])
def test_model_classifier_falls_back_to_rules(reply: object) -> None:
    model = FakeModel([reply])  # type: ignore[list-item]
    assert ModelIntentClassifier(model).classify("我想申请贷款").intent == "apply"


def test_model_classifier_never_overrides_human_or_complaint() -> None:
    model = FakeModel(default={"intent": "question", "confidence": 1.0})
    classifier = ModelIntentClassifier(model)
    assert classifier.classify("转人工").intent == "human"
    assert classifier.classify("我要投诉").intent == "complaint"
    assert model.requests == []


def test_offline_model_cannot_classify_so_rules_decide() -> None:
    with pytest.raises(LLMUnsupported):
        OfflineModel().structured(ChatRequest([Message.user("你好")], task="intent"), IntentSchema)
    assert ModelIntentClassifier(OfflineModel()).classify("你好").intent == "chitchat"


@pytest.mark.parametrize(
    "message",
    ["投诉了一般多久能处理完", "投诉资料会保存多久", "投诉了以后一般多久能处理完", "投诉热线是多少？周末能打通吗"],
)
def test_questions_about_the_complaint_process_are_questions(message: str) -> None:
    assert RuleIntentClassifier().classify(message).intent == "question"


@pytest.mark.parametrize(
    "message",
    ["我要投诉你们，怎么这么慢", "我要投诉你们经理多久都不回", "投诉你们骗子，多久退钱", "我要投诉，你们的热线是多少"],
)
def test_a_complaint_that_asks_something_is_still_a_complaint(message: str) -> None:
    assert RuleIntentClassifier().classify(message).intent == "complaint"
