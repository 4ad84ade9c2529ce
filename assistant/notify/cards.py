"""The staff card for a handoff: a WeCom group-robot markdown message with the kind, the priority, the
member's masked phone, a one-line summary and the staff link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.privacy import mask_pii

TYPE_LABELS = {
    "human": "会员要求转人工",
    "complaint": "会员投诉",
    "application": "融资申请意向",
    "amount": "大额融资需求",
    "unanswered": "多次未能回答",
    "lead": "新线索",
}
PRIORITY_LABELS = {"high": "高", "normal": "普通"}
SUMMARY_CHARS = 120


@dataclass(frozen=True)
class Handoff:
    """One handoff to tell staff about (built by the agent after the turn is committed)."""

    kind: str  # an escalation type, or "lead"
    priority: str
    summary: str
    path: str  # the staff API path (PUBLIC_BASE_URL is put before it)
    phone_masked: str | None = None
    escalation: str | None = None  # the escalation type a lead card also stands for (application, amount)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "priority": self.priority,
            "summary": self.summary,
            "path": self.path,
            "phone_masked": self.phone_masked,
            "escalation": self.escalation,
        }


def one_line(text: str, limit: int = SUMMARY_CHARS) -> str:
    line = " ".join(mask_pii(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def card(handoff: Handoff, base_url: str) -> dict[str, Any]:
    """The webhook body: `{"msgtype": "markdown", "markdown": {"content": ...}}`."""
    label = TYPE_LABELS.get(handoff.kind, handoff.kind)
    priority = PRIORITY_LABELS.get(handoff.priority, handoff.priority)
    colour = "warning" if handoff.priority == "high" else "info"
    codes = handoff.kind
    if handoff.escalation:
        codes += f"；{handoff.escalation}：{TYPE_LABELS.get(handoff.escalation, handoff.escalation)}"
    lines = [
        f"### 转人工提醒：{label}",
        f'> 类型：<font color="{colour}">{label}</font>（{codes}）',
        f'> 优先级：<font color="{colour}">{priority}</font>',
        f"> 电话：{mask_pii(handoff.phone_masked) if handoff.phone_masked else '未留'}",
        f"> 摘要：{one_line(handoff.summary)}",
        f"[在员工后台查看]({base_url.rstrip('/')}{handoff.path})",
    ]
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}
