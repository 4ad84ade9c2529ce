"""Erasure reaches every place the person's data is: their other leads and conversations (found by phone), the
assignee and notes, escalations, audit details and the analytics' member questions; on SQLite nothing is left
in the database file, its WAL or shared memory (secure_delete, WAL checkpoint)."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.privacy import mask_phone
from assistant.store import Store
from tests.store.test_erasure import _tables_with

PHONE = "18612345678"
NAME, COMPANY = "欧阳明月", "苏州星河精密制造有限公司"
ID_CARD = "320102199001011234"
OTHER_NAME, OTHER_PHONE = "李雷雷", "13900001111"


def _seed(store: Store) -> dict[str, str]:
    masked = mask_phone(PHONE)
    a = store.conversations.get_or_create("conv-a").id
    store.conversations.append_turn(a, "user", f"我叫{NAME}，公司是{COMPANY}，手机{masked}", intent="apply")
    consent_a = store.consents.record(a, purpose="lead_contact", granted=True, text="同意联系")
    lead_a = store.leads.create(
        conversation_id=a,
        consent_id=consent_a.id,
        name=NAME,
        company=COMPANY,
        phone=PHONE,
        amount=3_000_000,
        purpose=f"扩建厂房，法人身份证{ID_CARD}",
    )
    store.leads.assign(lead_a.id, f"经理-{PHONE}")
    store.leads.add_note(lead_a.id, "rm-zhao", f"已致电 {PHONE}，{NAME}很有意向")
    store.audit.record("key:ab", "lead.update", lead_a.id, detail={"assignee": f"经理-{PHONE}"})
    # the same person's form lead, in a conversation of its own
    b = store.conversations.get_or_create("conv-b").id
    consent_b = store.consents.record(b, purpose="lead_contact", granted=True, text="同意联系")
    lead_b = store.leads.create(
        conversation_id=b, consent_id=consent_b.id, name=NAME, company=COMPANY, phone=f"+86 {PHONE}", purpose="周转"
    )
    # a conversation with no lead where they typed their phone (stored masked, as the agent stores turns)
    c = store.conversations.get_or_create("conv-c").id
    store.conversations.append_turn(c, "user", f"{COMPANY}的{NAME}，电话{masked}，贷款利率多少？", intent="question")
    store.conversations.append_turn(c, "assistant", "抱歉，暂时没有找到相关资料。", answered=False)
    store.escalations.create(c, "unanswered", reason="连续未答", summary=f"{NAME}（{masked}）询问利率")
    store.audit.record("agent", "agent.sensitive_data", c, detail={"phone": masked})
    # someone else, who must keep their data
    d = store.conversations.get_or_create("conv-d").id
    store.conversations.append_turn(d, "user", f"我是{OTHER_NAME}，贷款利率多少？", intent="question")
    store.conversations.append_turn(d, "assistant", "抱歉，暂时没有找到相关资料。", answered=False)
    consent_d = store.consents.record(d, purpose="lead_contact", granted=True, text="同意联系")
    store.leads.create(conversation_id=d, consent_id=consent_d.id, name=OTHER_NAME, company="某公司", phone=OTHER_PHONE)
    return {"a": lead_a.id, "b": lead_b.id}


def _needles() -> list[str]:
    return [PHONE, mask_phone(PHONE), NAME, COMPANY, ID_CARD]


def test_erasure_covers_every_conversation_and_field_of_the_person(store: Store) -> None:
    leads = _seed(store)
    assert any(NAME in q for q in store.analytics.unanswered_questions())
    store.leads.erase(leads["a"], "admin-1", request_id="req-erase")

    assert _tables_with(store, PHONE, digits_only=True) == set()
    for needle in _needles():
        assert _tables_with(store, needle) == set(), needle
    assert not any(NAME in q for q in store.analytics.unanswered_questions())  # what /v1/analytics/gaps reads
    erased_b = store.leads.get(leads["b"], include_phone=True)
    assert erased_b.erased_at and (erased_b.name, erased_b.phone) == (None, None)
    assert store.leads.get(leads["a"]).assignee == "经理-***"
    # the other member is untouched
    assert _tables_with(store, OTHER_NAME) and OTHER_PHONE in {
        r["phone"] for r in store.leads.export_rows(include_phone=True)
    }
    erasures = {e.target: e for e in store.audit.list(action="lead.erase").items}
    assert set(erasures) == {leads["a"], leads["b"]}
    assert erasures[leads["b"]].detail["with_lead"] == leads["a"]
    assert {e.request_id for e in erasures.values()} == {"req-erase"}


def _file_hits(directory: Path, needles: list[str]) -> dict[str, list[str]]:
    forms = {n: [n.encode(), json.dumps(n).strip('"').encode()] for n in needles}  # UTF-8 and JSON \\u escapes
    hits: dict[str, list[str]] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found = [n for n, encoded in forms.items() if any(e in data for e in encoded)]
        if found:
            hits[path.name] = found
    return hits


def test_nothing_is_left_in_the_sqlite_files(tmp_path: Path) -> None:
    from assistant.store import build_store

    store = build_store(f"sqlite:///{tmp_path / 'finassist.db'}")
    try:
        leads = _seed(store)
        assert _file_hits(tmp_path, [NAME, COMPANY])  # the probe works: they are there before
        store.leads.erase(leads["a"], "admin-1")
        assert {p.name for p in tmp_path.iterdir()} >= {"finassist.db", "finassist.db-wal"}
        assert _file_hits(tmp_path, _needles()) == {}  # with the store still open: database, -wal and -shm
    finally:
        store.close()
    assert _file_hits(tmp_path, _needles()) == {}
