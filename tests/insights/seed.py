"""A hand-built analytics database: the expected figures below are worked out by hand from these rows.

Period March 2026 (UTC): conversations s1, s2, s3; one conversation `old` (Dec 2025) outside it.
- intents of user turns: question 5, human 1, apply 1
- assistant turns: answered 2, unanswered 4 (rate 0.3333); `old` adds one unanswered outside the period
- unanswered questions: 跨境贸易融资 ×3 (three wordings), 黄金能抵押吗 ×1 (+1 in `old`)
- escalations: human 1, unanswered 1, application 1
- leads (7): new, assigned, contacted (+2h), qualified (+4h), won (+1h), lost after contact (+10h), lost
  funnel new 7 → assigned 6 → contacted 4 → qualified 2 → won 1; median first contact = median(1h, 2h, 4h, 10h) = 3h
- citations: anxin cited by one turn (twice in it), the 2023 Suzhou policy by one turn
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from assistant.store import Store
from assistant.store.models import Consent, Conversation, Escalation, Lead, Turn, new_id

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
OLD = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
PERIOD = {"created_from": "2026-03-01T00:00:00+00:00", "created_to": "2026-04-01T00:00:00+08:00"}
ANXIN = "products/anxin-guarantee-loan.md"
SUZHOU_2023 = "policies/suzhou-tech-loan-subsidy-2023.md"
CROSS_BORDER = ("你们有没有做跨境贸易融资的", "跨境贸易融资能办吗", "有跨境贸易融资产品吗")
GOLD = "黄金能抵押吗"

U, A = "user", "assistant"
# conversation → [(role, text, intent, answered, citations)]
TURNS: dict[str, list[tuple[str, str, str | None, bool | None, list[dict[str, str]]]]] = {
    "s1": [
        (U, "安心政担贷利率多少", "question", None, []),
        (A, "年化利率…[1]", None, True, [{"source": ANXIN}, {"source": ANXIN}]),
        (U, CROSS_BORDER[0], "question", None, []),
        (A, "抱歉，暂时没有相关资料。", None, False, []),
    ],
    "s2": [
        (U, CROSS_BORDER[1], "question", None, []),
        (A, "抱歉，暂时没有相关资料。", None, False, []),
        (U, GOLD, "question", None, []),
        (A, "抱歉，暂时没有相关资料。", None, False, []),
        (U, "我要找人工", "human", None, []),
        (A, "已为您转接客户经理。", None, None, []),
    ],
    "s3": [
        (U, CROSS_BORDER[2], "question", None, []),
        (A, "抱歉，暂时没有相关资料。", None, False, []),
        (U, "我想申请贷款", "apply", None, []),
        (A, "请先确认授权…[1]", None, True, [{"source": SUZHOU_2023}]),
    ],
}
# (status, hours to first contact or None)
LEADS: list[tuple[str, float | None]] = [
    ("new", None),
    ("assigned", None),
    ("contacted", 2),
    ("qualified", 4),
    ("won", 1),
    ("lost", 10),
    ("lost", None),
]


def _conversation(cid: str, at: datetime) -> Conversation:
    return Conversation(id=cid, channel="web", created_at=at, updated_at=at, state={}, version=1, unanswered_streak=0)


def seed(store: Store) -> None:
    rows: list[Any] = []
    for n, cid in enumerate(TURNS):
        start = T0 + timedelta(days=n)
        rows.append(_conversation(cid, start))
        for seq, (role, text, intent, answered, citations) in enumerate(TURNS[cid], start=1):
            at = start + timedelta(minutes=seq)
            rows.append(
                Turn(
                    conversation_id=cid,
                    seq=seq,
                    role=role,
                    text=text,
                    intent=intent,
                    answered=answered,
                    citations=citations,
                    created_at=at,
                )
            )
    rows.append(_conversation("old", OLD))
    rows.append(
        Turn(
            conversation_id="old",
            seq=1,
            role=U,
            text=GOLD,
            intent="question",
            answered=None,
            citations=[],
            created_at=OLD,
        )
    )
    rows.append(
        Turn(
            conversation_id="old",
            seq=2,
            role=A,
            text="抱歉。",
            intent=None,
            answered=False,
            citations=[{"source": ANXIN}],
            created_at=OLD,
        )
    )
    for cid, kind in (("s2", "human"), ("s2", "unanswered"), ("s3", "application")):
        rows.append(
            Escalation(
                id=new_id(),
                conversation_id=cid,
                type=kind,
                priority="normal",
                reason="r",
                summary="",
                created_at=T0 + timedelta(days=1),
            )
        )
    consent = Consent(
        id=new_id(), conversation_id="s3", purpose="lead_capture", granted=True, text="同意", created_at=T0
    )
    rows.append(consent)
    for n, (status, hours) in enumerate(LEADS):
        created = T0 + timedelta(hours=n)
        contacted = created + timedelta(hours=hours) if hours is not None else None
        rows.append(
            Lead(
                id=new_id(),
                conversation_id="s3",
                consent_id=consent.id,
                status=status,
                priority="normal",
                type="application",
                created_at=created,
                updated_at=created,
                first_contacted_at=contacted,
            )
        )
    with store.tx.write() as session:
        for row in rows:  # one by one, in order, so foreign keys are satisfied on PostgreSQL too
            session.add(row)
            session.flush()
