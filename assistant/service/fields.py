"""Extraction of the five lead fields (name, company, phone, amount, purpose; name and company by
contact_names) and of data the agent must never collect (ID numbers, bank cards, passwords), with masking
for storage."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from assistant.privacy import BANK_CARD_RE, ID_CARD_RE, PHONE_RE, find_phones, mask_pii
from assistant.service.contact_names import find_company, find_name
from assistant.service.replies import FIELD_LABELS
from knowledge.text import CN_DIGITS, DECIMAL
from knowledge.text import parse_amount as amount_in_yuan

_NUM = rf"{DECIMAL}|[{CN_DIGITS}十百千]+"
_AMOUNT_RE = re.compile(rf"({_NUM})\s*(千万|百万|十万|万|亿|千|w|k)?\s*(元|块|人民币)?", re.IGNORECASE)
_NOT_MONEY = ("年", "个月", "月", "天", "日", "%", "％", "岁", "期", "次", "人", "号", "倍", "成", "点")
_AMOUNT_CONTEXT_RE = re.compile(r"贷|借|融资|金额|资金|额度|需要|缺口|申请|周转|要")
_SECRET_RE = re.compile(
    r"(密码|验证码|动态码|口令|支付码|pin码?|cvv|安全码)\s*(?:是|为|:|：)?\s*([A-Za-z0-9]{3,})", re.IGNORECASE
)
_SECRET_WORD_RE = re.compile(r"密码|验证码|动态码|口令|cvv|安全码", re.IGNORECASE)
_PURPOSE_MARKER_RE = re.compile(
    r"(?:用于|用来|用途(?:是|为)?[:：]?|拿来|主要用在|打算用来)\s*([^，。,.;；!！?？\n]{2,40})"
)
_PURPOSE_WORD_RE = re.compile(
    r"(?:买|购买|购置|采购|更新|添置|更换)[\u4e00-\u9fa5]{1,6}|(?:资金|经营)?周转|流动资金|扩大生产|扩产|扩建[\u4e00-\u9fa5]{0,4}"
    r"|研发(?:投入)?|进货|备货|发工资|技改|技术改造|建(?:设)?厂房|装修[\u4e00-\u9fa5]{0,4}|项目建设|支付货款|还(?:旧)?贷"
)
# "企业名称：张记餐馆" lines (the member page's lead form, or a member copying the labels the agent asks with):
# a labelled value is taken as given, without the free-text heuristics (a company need not end in 公司).
_LABELS = "|".join(map(re.escape, FIELD_LABELS.values()))
_LABELLED_RE = re.compile(rf"(?:^|[\n；;])[ \t\u3000]*({_LABELS})[ \t\u3000]*[:：][ \t\u3000]*([^\n；;]*)")
_FIELD_BY_LABEL = {label: name for name, label in FIELD_LABELS.items()}
LABELLED_LIMITS = {"name": 64, "company": 128, "purpose": 200}  # characters kept of a labelled value


@dataclass(frozen=True)
class LeadFields:
    """What a member told us about their financing need. The clear phone never goes into state."""

    name: str | None = None
    company: str | None = None
    phone: str | None = None
    amount: int | None = None
    purpose: str | None = None

    def merged(self, newer: LeadFields) -> LeadFields:
        """These fields updated with every non-empty field of ``newer``."""
        updates = {f.name: getattr(newer, f.name) for f in fields(newer) if getattr(newer, f.name) is not None}
        return replace(self, **updates)

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    @property
    def personal(self) -> bool:
        """Name or phone present: personal information that needs consent first."""
        return self.name is not None or self.phone is not None

    def missing(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is None]

    def without_phone(self) -> dict[str, str | int]:
        """The fields safe to keep in conversation state (the phone only goes to the lead record)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "phone" and getattr(self, f.name)}

    @classmethod
    def from_state(cls, data: Mapping[str, object] | None) -> LeadFields:
        data = data or {}
        amount = data.get("amount")
        return cls(
            name=str(data["name"]) if data.get("name") else None,
            company=str(data["company"]) if data.get("company") else None,
            amount=int(amount) if isinstance(amount, int | float) else None,
            purpose=str(data["purpose"]) if data.get("purpose") else None,
        )


def parse_amount(text: str) -> int | None:
    """The largest money amount in yuan mentioned with a unit or in a financing context, else None."""
    text = PHONE_RE.sub(" ", ID_CARD_RE.sub(" ", BANK_CARD_RE.sub(" ", text)))
    best: int | None = None
    for match in _AMOUNT_RE.finditer(text):
        number, unit, currency = match.groups()
        if text.startswith(_NOT_MONEY, match.end()):
            continue
        if not unit and not currency:  # a bare number: an amount only when long and asked for
            before = text[max(0, match.start() - 6) : match.start()]
            if not (number.isdigit() and len(number) >= 5 and _AMOUNT_CONTEXT_RE.search(before)):
                continue
        amount = amount_in_yuan(match.group(0))
        if amount is not None and (best is None or amount > best):
            best = amount
    return best


def _purpose(text: str) -> str | None:
    match = _PURPOSE_MARKER_RE.search(text)
    if match:
        return match.group(1).strip()[:50]
    match = _PURPOSE_WORD_RE.search(text)
    return match.group(0)[:50] if match else None


def labelled_fields(text: str) -> LeadFields:
    """The fields given as "label：value" lines with the agent's own labels (FIELD_LABELS)."""
    values: dict[str, str | int] = {}
    for match in _LABELLED_RE.finditer(text):
        name, value = _FIELD_BY_LABEL[match.group(1)], match.group(2).strip()
        if name == "phone":
            phones = find_phones(value)
            if phones:
                values[name] = phones[0]
        elif name == "amount":
            amount = amount_in_yuan(value)
            if amount is not None:
                values[name] = amount
        elif value:
            values[name] = value[: LABELLED_LIMITS[name]]
    return LeadFields(**values)  # type: ignore[arg-type]


def extract_fields(text: str) -> LeadFields:
    """Every lead field found in one message (several may be given at once); labelled lines win."""
    phones = find_phones(text)
    found = LeadFields(
        name=find_name(text),
        company=find_company(text),
        phone=phones[0] if phones else None,
        amount=parse_amount(text),
        purpose=_purpose(text),
    )
    return found.merged(labelled_fields(text))


def find_sensitive(text: str) -> list[str]:
    """Kinds of data we refuse to collect that appear in the text: id_card, bank_card, password."""
    kinds = []
    if ID_CARD_RE.search(text):
        kinds.append("id_card")
    if BANK_CARD_RE.search(PHONE_RE.sub(" ", text)):
        kinds.append("bank_card")
    if _SECRET_RE.search(text):
        kinds.append("password")
    return kinds


def mentions_secret(text: str) -> bool:
    return bool(_SECRET_WORD_RE.search(text))


def mask_for_storage(text: str) -> str:
    """Member text as it may be stored or logged: phones, ID numbers, bank cards and passwords masked."""
    return _SECRET_RE.sub(lambda m: f"{m.group(1)}******", mask_pii(text))


def strip_sensitive(text: str) -> str:
    """The text with ID numbers, bank cards and passwords removed (phones are kept)."""
    text = _SECRET_RE.sub(lambda m: m.group(1), text)
    text = ID_CARD_RE.sub(" ", text)
    return BANK_CARD_RE.sub(" ", text)


def redact(text: str) -> str:
    """The text with phones, ID numbers, bank cards and passwords removed (for retrieval and topics)."""
    return PHONE_RE.sub(" ", strip_sensitive(text)).strip()
