"""The role → permission table that both the API and the editors' UI enforce."""

from __future__ import annotations

from assistant.access import PERMISSIONS, ROLES, Permission, allows, roles_with
from assistant.store.models import API_ROLES


def test_every_stored_role_has_an_entry() -> None:
    assert set(ROLES) == set(API_ROLES) == set(PERMISSIONS)


def test_editors_do_not_see_member_questions_or_leads() -> None:
    for permission in (Permission.ANALYTICS, Permission.LEADS, Permission.PHONE, Permission.AUDIT, Permission.KEYS):
        assert not allows("editor", permission)
    assert allows("editor", Permission.DRAFTS) and allows("editor", Permission.EDITOR_UI)


def test_staff_cannot_enter_the_editor_ui_and_admin_does_everything() -> None:
    assert roles_with(Permission.EDITOR_UI) == ("editor", "admin")
    assert roles_with(Permission.ANALYTICS) == ("staff", "admin")
    assert roles_with(Permission.LEADS_ADMIN) == ("admin",)
    assert all(allows("admin", p) for p in Permission)
    assert not allows("nobody", Permission.COMPLIANCE) and not allows(None, Permission.COMPLIANCE)
