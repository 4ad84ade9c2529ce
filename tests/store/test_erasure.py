"""PIPL erasure: the clear phone disappears from every table; turns, notes and state are masked."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from assistant.store import Store
from assistant.store.models import Base
from tests.store.helpers import PHONE

NAME, COMPANY = "张三丰", "深圳云海科技有限公司"
ID_CARD = "110101199003074514"


def _cells(store: Store) -> list[tuple[str, str]]:
    """(table, text) for every non-null cell of every table."""
    out = []
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    if value is None:
                        continue
                    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
                    out.append((table.name, text))
    return out


def _tables_with(store: Store, needle: str, digits_only: bool = False) -> set[str]:
    found = set()
    for table, text in _cells(store):
        haystack = re.sub(r"\D", "", text) if digits_only else text
        if needle in haystack:
            found.add(table)
    return found


def _seed(store: Store) -> Any:
    conversation = store.conversations.get_or_create("erase-me")
    store.conversations.append_turn("erase-me", "user", "我想申请贷款", intent="apply")
    store.conversations.append_turn("erase-me", "user", f"我叫{NAME}，{COMPANY}，电话 138-0013-8000")
    store.conversations.append_turn("erase-me", "user", f"身份证 {ID_CARD}，手机+86 {PHONE}")
    store.conversations.update_state("erase-me", {"lead_capture": {"phone": PHONE, "name": NAME}}, conversation.version)
    escalation = store.escalations.create(
        "erase-me", "application", reason="申请意向", summary=f"{NAME} 需要 300 万，电话 {PHONE}"
    )
    consent = store.consents.record("erase-me", purpose="lead_capture", granted=True, text="同意联系")
    lead = store.leads.create(
        conversation_id="erase-me",
        consent_id=consent.id,
        escalation_id=escalation.id,
        name=NAME,
        company=COMPANY,
        phone=PHONE,
        amount=3_000_000,
        purpose="扩建厂房",
    )
    store.leads.add_note(lead.id, "rm-zhao", f"已致电 {PHONE}，{NAME} 很有意向")
    store.audit.record("rm-zhao", "lead.view", lead.id, detail={"note": f"{NAME} 查看"})
    return lead


def test_erasure_removes_clear_phone_everywhere(store: Store) -> None:
    lead = _seed(store)
    assert "lead_contacts" in _tables_with(store, PHONE, digits_only=True)
    assert _tables_with(store, NAME)

    erased = store.leads.erase(lead.id, "admin-1", request_id="req-42")

    assert _tables_with(store, PHONE, digits_only=True) == set()
    assert _tables_with(store, ID_CARD) == set()
    assert _tables_with(store, NAME) == set()
    assert _tables_with(store, COMPANY) == set()
    assert store.leads.get(lead.id, include_phone=True).phone is None

    assert erased.erased_at is not None
    assert (erased.name, erased.company, erased.phone_masked, erased.purpose, erased.amount) == (None,) * 5
    assert (erased.status, erased.amount_bucket, erased.created_at) == ("new", "100万-500万", lead.created_at)

    turns = store.conversations.transcript("erase-me")
    assert turns[0].text == "我想申请贷款"
    assert "138****8000" in turns[1].text and "***" in turns[1].text
    assert store.leads.get(lead.id).notes[0].text.startswith("已致电 138****8000")


def test_erasure_is_audited_and_idempotent(store: Store) -> None:
    lead = _seed(store)
    version = store.conversations.get("erase-me").version
    first = store.leads.erase(lead.id, "admin-1", request_id="req-1")
    second = store.leads.erase(lead.id, "admin-2")
    assert first.erased_at == second.erased_at
    entries = store.audit.list(action="lead.erase", target=lead.id)
    assert entries.total == 1
    assert (entries.items[0].actor, entries.items[0].request_id) == ("admin-1", "req-1")
    # a worker holding the pre-erasure state cannot write it back
    assert store.conversations.get("erase-me").version == version + 1


def test_erasure_keeps_workflow_usable(store: Store) -> None:
    lead = _seed(store)
    store.leads.erase(lead.id, "admin-1")
    assert store.leads.update(lead.id, status="assigned", assignee="rm-zhao").status == "assigned"
    assert store.leads.list(status="assigned").total == 1
