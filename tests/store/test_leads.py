"""Leads: consent gate, workflow through the repository, notes, filters, paging and export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from assistant.leads import AssigneeRequired
from assistant.store import (
    EXPORT_COLUMNS,
    ConflictError,
    ConsentRequired,
    InvalidTransition,
    LeadRecord,
    NotFoundError,
    Store,
)
from tests.store.helpers import PHONE
from tests.store.test_workflow import ALLOWED

MakeLead = Callable[..., LeadRecord]


def _lead_kwargs(conversation_id: str, consent_id: str | None) -> dict[str, object]:
    return {"conversation_id": conversation_id, "consent_id": consent_id, "name": "王五", "phone": PHONE}


def test_lead_requires_granted_consent(store: Store) -> None:
    conversation = store.conversations.get_or_create("c1")
    other = store.conversations.get_or_create("c2")
    refused = store.consents.record(conversation.id, purpose="lead_capture", granted=False, text="同意吗？")
    elsewhere = store.consents.record(other.id, purpose="lead_capture", granted=True, text="同意吗？")
    for consent_id in (None, "no-such-consent", refused.id, elsewhere.id):
        with pytest.raises(ConsentRequired):
            store.leads.create(**_lead_kwargs(conversation.id, consent_id))  # type: ignore[arg-type]
    assert store.leads.list().total == 0
    # the refusal itself is kept
    assert store.consents.get(refused.id).granted is False
    assert store.consents.latest(conversation.id, "lead_capture") == refused


def test_create_and_get(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead(phone="+86 138-0013-8000", purpose="厂房建设")
    assert lead.status == "new" and lead.priority == "normal" and lead.type == "application"
    assert lead.phone_masked == "138****8000" and lead.phone is None
    assert lead.amount == 3_000_000 and lead.amount_bucket == "100万-500万"
    fetched = store.leads.get(lead.id)
    assert fetched.phone is None and fetched.notes == ()
    assert store.leads.get(lead.id, include_phone=True).phone == PHONE
    with pytest.raises(NotFoundError):
        store.leads.get("missing")


def test_invalid_phone_is_refused(store: Store, make_lead: MakeLead) -> None:
    with pytest.raises(ValueError, match="phone"):
        make_lead(phone="12345")


def test_every_allowed_transition_through_repo(store: Store, make_lead: MakeLead) -> None:
    paths = [
        ["assigned", "contacted", "qualified", "won"],
        ["assigned", "contacted", "qualified", "lost"],
        ["assigned", "contacted", "lost"],
        ["assigned", "lost"],
    ]
    seen = set()
    for path in paths:
        lead = make_lead()
        current = lead.status
        for status in path:
            updated = store.leads.update(lead.id, status=status, assignee="rm-zhao")
            assert updated.status == status
            seen.add((current, status))
            current = status
    assert seen == ALLOWED


def test_first_contacted_at(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead()
    store.leads.assign(lead.id, "rm-zhao")
    contacted = store.leads.update_status(lead.id, "contacted")
    assert contacted.first_contacted_at is not None
    qualified = store.leads.update_status(lead.id, "qualified")
    assert qualified.first_contacted_at == contacted.first_contacted_at
    assert qualified.updated_at >= contacted.updated_at


@pytest.mark.parametrize(
    ("path", "bad"),
    [([], "contacted"), ([], "won"), ([], "lost"), (["assigned"], "won"), (["assigned", "lost"], "new")],
)
def test_disallowed_transitions(store: Store, make_lead: MakeLead, path: list[str], bad: str) -> None:
    lead = make_lead()
    for status in path:
        store.leads.update(lead.id, status=status, assignee="rm-zhao")
    with pytest.raises(InvalidTransition):
        store.leads.update_status(lead.id, bad)
    assert store.leads.get(lead.id).status == (path[-1] if path else "new")


def test_same_status_is_noop_and_unknown_is_refused(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead()
    assert store.leads.update_status(lead.id, "new").updated_at == lead.updated_at
    with pytest.raises(ValueError):
        store.leads.update_status(lead.id, "archived")


def test_assign_moves_new_to_assigned(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead()
    assigned = store.leads.assign(lead.id, "rm-zhao")
    assert (assigned.assignee, assigned.status) == ("rm-zhao", "assigned")
    store.leads.update_status(lead.id, "contacted")
    reassigned = store.leads.assign(lead.id, "rm-qian")
    assert (reassigned.assignee, reassigned.status) == ("rm-qian", "contacted")


def test_notes(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead()
    first = store.leads.add_note(lead.id, "rm-zhao", "已电话沟通")
    second = store.leads.add_note(lead.id, "rm-zhao", "约下周面谈")
    assert store.leads.get(lead.id).notes == (first, second)
    with pytest.raises(NotFoundError):
        store.leads.add_note("missing", "x", "y")
    store.leads.erase(lead.id, "admin")
    with pytest.raises(ConflictError):
        store.leads.add_note(lead.id, "rm-zhao", "again")


def test_fill_contact_adds_only_missing_fields(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead(name=None, company=None)
    assert store.leads.fill_contact(lead.id, name="王五") == ("name",)
    assert store.leads.fill_contact(lead.id, name="李四", company="南京张记餐饮店") == ("company",)
    filled = store.leads.get(lead.id)
    assert (filled.name, filled.company) == ("王五", "南京张记餐饮店")  # a name already there is kept
    assert store.leads.fill_contact(lead.id, name="李四") == ()
    with pytest.raises(NotFoundError):
        store.leads.fill_contact("missing", name="王五")
    erased = make_lead(name=None, company=None)
    store.leads.erase(erased.id, "admin")
    assert store.leads.fill_contact(erased.id, name="王五", company="南京张记餐饮店") == ()
    assert (store.leads.get(erased.id).name, store.leads.get(erased.id).company) == (None, None)


def test_filters_and_paging(store: Store, make_lead: MakeLead) -> None:
    specs = [
        ("normal", "application", None),
        ("high", "application", "rm-a"),
        ("high", "amount", "rm-a"),
        ("normal", "human", "rm-b"),
        ("high", "application", None),
        ("normal", "amount", "rm-b"),
        ("high", "human", "rm-a"),
    ]
    leads = [make_lead(priority=p, type=t) for p, t, _ in specs]
    for lead, (_, _, assignee) in zip(leads, specs, strict=True):
        if assignee:
            store.leads.assign(lead.id, assignee)
    store.leads.update_status(leads[1].id, "contacted")

    page = store.leads.list(limit=3)
    assert page.total == 7 and len(page.items) == 3
    assert [x.id for x in page.items] == [x.id for x in reversed(leads)][:3]
    last = store.leads.list(limit=3, offset=6)
    assert last.total == 7 and [x.id for x in last.items] == [leads[0].id]
    assert store.leads.list(offset=10).items == []

    assert store.leads.list(priority="high").total == 4
    assert store.leads.list(priority="high", limit=1).total == 4
    assert store.leads.list(type="amount").total == 2
    assert store.leads.list(assignee="rm-a").total == 3
    assert store.leads.list(assignee="rm-a", priority="high", type="application").total == 1
    assert store.leads.list(status="new").total == 2
    assert store.leads.list(status="assigned").total == 4
    assert [x.id for x in store.leads.list(status="contacted").items] == [leads[1].id]

    start, end = leads[2].created_at, leads[5].created_at
    window = store.leads.list(created_from=start, created_to=end)
    expected = {x.id for x in leads if start <= x.created_at < end}
    assert {x.id for x in window.items} == expected and window.total == len(expected) >= 3
    assert store.leads.list(created_from=leads[-1].created_at + timedelta(seconds=1)).total == 0


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (501, 0), (10, -1)])
def test_paging_bounds(store: Store, limit: int, offset: int) -> None:
    with pytest.raises(ValueError):
        store.leads.list(limit=limit, offset=offset)


def test_export_rows(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead(name='=HYPERLINK("http://x")', company="某公司")
    make_lead(phone="13912345678", priority="high")
    rows = store.leads.export_rows()
    assert len(rows) == 2 and all(tuple(r) == EXPORT_COLUMNS for r in rows)
    mine = next(r for r in rows if r["id"] == lead.id)
    assert mine["phone"] == "138****8000"
    assert mine["name"].startswith("'=")  # spreadsheet formula neutralised
    assert mine["created_at"] == lead.created_at.isoformat()
    clear = store.leads.export_rows(include_phone=True, priority="high")
    assert [r["phone"] for r in clear] == ["13912345678"]


@pytest.mark.parametrize("lead_id", ["nope", "0" * 32, "A" * 32, "0" * 33, "\x00", "x" * 5000])
def test_unknown_or_malformed_ids_are_not_found(store: Store, lead_id: str) -> None:
    calls = [
        lambda: store.leads.get(lead_id),
        lambda: store.leads.update(lead_id, assignee="rm-zhao"),
        lambda: store.leads.update_status(lead_id, "assigned"),
        lambda: store.leads.assign(lead_id, "rm-zhao"),
        lambda: store.leads.add_note(lead_id, "rm-zhao", "x"),
        lambda: store.leads.erase(lead_id, "admin"),
    ]
    for call in calls:
        with pytest.raises(NotFoundError):
            call()


def test_assigned_requires_an_assignee(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead()
    with pytest.raises(AssigneeRequired, match="assignee"):
        store.leads.update_status(lead.id, "assigned")
    with pytest.raises(AssigneeRequired):
        store.leads.update(lead.id, status="assigned", assignee=None)
    assert store.leads.get(lead.id).status == "new"
    assigned = store.leads.update(lead.id, status="assigned", assignee="rm-zhao")
    assert (assigned.status, assigned.assignee) == ("assigned", "rm-zhao")
    with pytest.raises(AssigneeRequired):
        store.leads.assign(lead.id, None)
    kept = store.leads.get(lead.id)
    assert (kept.status, kept.assignee, kept.updated_at) == ("assigned", "rm-zhao", assigned.updated_at)


def test_a_blank_assignee_is_no_assignee(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead()
    for blank in ("  ", "\u3000", "\t"):
        unassigned = store.leads.assign(lead.id, blank)  # as None: a new lead is not assigned to nobody
        assert (unassigned.status, unassigned.assignee) == ("new", None)
        with pytest.raises(AssigneeRequired):
            store.leads.update(lead.id, status="assigned", assignee=blank)
    assigned = store.leads.assign(lead.id, " rm-zhao ")
    assert (assigned.status, assigned.assignee) == ("assigned", "rm-zhao")
    store.leads.update_status(lead.id, "contacted")
    assert store.leads.assign(lead.id, "  ").assignee is None  # after assigned, a blank name clears it like None


def test_update_changes_assignee_and_status_in_one_step(store: Store, make_lead: MakeLead) -> None:
    lead = make_lead()
    with pytest.raises(InvalidTransition):
        store.leads.update(lead.id, status="won", assignee="rm-zhao")
    assert store.leads.get(lead.id).assignee is None  # the refused step changed nothing
    contacted = store.leads.update(lead.id, status="contacted", assignee="rm-zhao")
    assert (contacted.status, contacted.assignee) == ("contacted", "rm-zhao") and contacted.first_contacted_at
    cleared = store.leads.update(lead.id, assignee=None)
    assert (cleared.status, cleared.assignee) == ("contacted", None)
    assert store.leads.update(lead.id).updated_at == cleared.updated_at  # nothing asked, nothing changed
