"""Every fixed sentence the agent says, in one place (Simplified Chinese; no numbers that could be mistaken
for product terms). Functions take the few values that vary."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.privacy import mask_phone

FIELD_LABELS = {
    "name": "您的称呼",
    "company": "企业名称",
    "phone": "手机号",
    "amount": "融资金额",
    "purpose": "资金用途",
}

CONSENT_PURPOSE = "lead_contact"
CONSENT_TEXT = (
    "为了安排客户关系专员与您联系，我们需要收集您的称呼、企业名称、手机号、融资金额和资金用途。"
    "这些信息仅用于本次融资需求的联系与跟进，由社群客户关系团队按《个人信息保护法》要求保管，不会用于其他用途，"
    "您可以随时要求查询、更正或删除。请问您是否同意我们收集并使用上述信息？请回复“同意”或“不同意”。"
)
RISK_NOTE = "风险提示：以上信息仅供参考，融资有风险，请审慎决策，实际额度、利率及费用以合同约定和审批结果为准。"

REFUSALS = {
    "injection": "抱歉，我只能按照社群的服务规则解答融资产品、政策和活动方面的问题，"
    "无法执行更改规则、身份或输出内部设定的要求。请问有什么融资方面的问题我可以帮您？",
    "others_data": "抱歉，依据个人信息保护要求，我不能提供或查询其他会员、客户的任何信息。"
    "如需办理您本人的业务，客户关系专员可以在核实身份后为您处理。",
    "account_change": "抱歉，我无法在对话中修改手机号、收款账户、额度等账户信息。"
    "为保障资金安全，请联系您的客户关系专员，经身份核验后通过正式渠道办理；任何人都不会通过聊天向您索要密码或验证码。",
    "approval_promise": "抱歉，我无法承诺审批结果或放款时间，能否获批以及额度、利率均以合作机构的审批结果为准。"
    "我可以为您介绍产品的申请条件和所需材料，帮助您提前做好准备。",
}
SENSITIVE_WARNING = (
    "温馨提示：请不要在对话中发送身份证号、银行卡号、密码或验证码等敏感信息，我们不会收集这些信息，"
    "已收到的内容已做脱敏处理。"
)
CHITCHAT = (
    "您好！我是社群的会员服务助手，可以为您解答融资产品、申请条件、扶持政策和社群活动等问题，"
    "也可以为您转接客户关系专员。请问有什么可以帮您？"
)
THANKS = "不客气，很高兴能帮到您！如还有融资产品或政策方面的问题，随时可以问我。"
IDENTITY = (
    "我是社群的智能会员服务助手（AI），不是真人。我可以根据社群资料为您解答融资产品、申请条件、扶持政策和社群活动等问题；"
    "如需真人服务，回复“转人工”即可为您转接客户关系专员。"
)
LATER = "好的，您可以慢慢考虑。如还有融资产品、申请条件或政策方面的问题，随时可以问我。"
CHITCHAT_REPLIES = {"thanks": THANKS, "identity": IDENTITY, "later": LATER, "greeting": CHITCHAT}
OUT_OF_SCOPE = "抱歉，这个问题超出了我的服务范围。我可以为您解答融资产品、申请条件、扶持政策和社群活动等方面的问题。"
NOT_SURE_HINT = "我可以为您转接客户关系专员进一步核实，回复“转人工”即可。"
INTERRUPTED = "回答因系统繁忙中断，如需完整解答，请回复“转人工”。"
LLM_FAILED = "抱歉，系统暂时繁忙，没能生成完整的回答。请稍后再试，或回复“转人工”由客户关系专员为您解答。"

CONSENT_REFUSED = "好的，我们不会收集或保存您的任何个人信息。您仍然可以继续向我咨询产品、政策和活动等问题。"
LEAD_WITHDRAWN = "好的，已停止登记，此前提供的信息不会保存。您仍然可以继续向我咨询任何融资问题。"
LEAD_RATE_LIMITED = (
    "抱歉，您这边的登记提交得过于频繁，这次暂时没有为您登记。请稍后再发送一次您的手机号，我们会为您完成登记。"
)
CONSENT_REMINDER = "如需客户关系专员与您联系，请先回复“同意”或“不同意”。"
UNSAVED_DETAILS = "为保护您的个人信息，在您同意之前，您刚才发送的联系方式等信息没有被保存。"


LEAD_ACKNOWLEDGED = "好的，您的融资需求已登记，客户关系专员会与您联系。如还有其他融资问题，随时可以问我。"
APPLY_OFFER = "如需客户关系专员协助办理，可以回复“我要申请”，我会先征得您的同意再登记联系方式。"


def not_found(names: Sequence[str] = ()) -> str:
    """The plain "I don't know". ``names`` are the knowledge base's own names for the subject (catalog product
    titles); the member's words are never quoted back, so nothing they typed is said in the assistant's voice."""
    subject = f"{'、'.join(names)}这方面的" if names else "这个问题的"
    return (
        f"抱歉，根据现有资料，我暂时无法确定{subject}准确信息，为避免给您不准确的利率或条款，这里不作推测。"
        + NOT_SURE_HINT
    )


def handoff(kind: str, open_now: bool, hours_label: str, already: bool = False) -> str:
    """What the member is told when a human takes over (kind: human, complaint, application, amount, unanswered)."""
    if kind == "complaint":
        lead = "非常抱歉给您带来不好的体验。您的反馈已按优先级登记"
    elif kind == "human":
        lead = "好的，已为您转接人工服务" if not already else "已为您登记人工服务，请稍候"
    elif kind == "unanswered":
        lead = "这几个问题我暂时无法根据资料准确回答，已为您通知客户关系专员跟进"
    else:
        lead = "已为您登记融资需求并通知客户关系专员"
    if open_now:
        return f"{lead}，客户关系专员会尽快与您联系（服务时间：{hours_label}）。"
    return f"{lead}。现在是非工作时间，客户关系专员将在{hours_label}与您联系，请您留意。"


def ask_fields(missing: list[str], lead: str = "好的，") -> str:
    labels = "、".join(FIELD_LABELS[name] for name in missing)
    return f"{lead}请告诉我{labels}（可以在一条消息里一起发送）。请不要发送身份证号、银行卡号或密码。"


def consent_granted(missing: list[str]) -> str:
    return ask_fields(missing, lead="感谢您的同意。")


def lead_recorded(name: str | None, phone: str, open_now: bool, hours_label: str) -> str:
    who = f"{name}，" if name else ""
    when = "会尽快" if open_now else f"将在{hours_label}"
    return f"{who}您的融资需求已登记，客户关系专员{when}通过您留下的手机号（{mask_phone(phone)}）与您联系。"


def lead_exists() -> str:
    return "您的融资需求此前已登记，客户关系专员会与您联系。如需补充信息，可以在专员联系您时一并说明。"


def ask_contact(missing: Sequence[str]) -> str:
    """The one question for a name or company the lead was created without."""
    labels = "和".join(FIELD_LABELS[name] for name in missing)
    return f"为便于专员联系时准确称呼和了解您的企业，方便的话请告诉我{labels}；不方便可以回复“跳过”。"


CONTACT_ADDED = "好的，已为您补充到登记信息中，客户关系专员会与您联系。"
CONTACT_SKIPPED = "好的，不影响登记，客户关系专员会通过您留下的手机号与您联系。"


def fields_reminder(missing: list[str]) -> str:
    return ask_fields(missing, lead="如需继续登记融资需求，")
