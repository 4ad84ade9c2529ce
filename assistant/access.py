"""Who may do what: the one table from API-key roles to permissions, used by the HTTP API's dependencies and by
the editors' UI alike (so a UI tab never shows what the API refuses the same key).

Roles: ``staff`` works leads and reads analytics; ``editor`` works drafts and knowledge; ``admin`` does all of
that and also manages keys, reads the audit log, exports and erases leads.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class Permission(StrEnum):
    LEADS = "leads"  # list, read, update and annotate leads and escalations
    LEADS_ADMIN = "leads_admin"  # export and erase leads
    PHONE = "phone"  # see a lead's phone number unmasked
    ANALYTICS = "analytics"  # member questions (knowledge gaps), the lead funnel, document freshness
    DRAFTS = "drafts"  # write, edit, approve and export drafts (including drafts for a knowledge gap)
    KNOWLEDGE = "knowledge"  # upload documents, index status, search
    COMPLIANCE = "compliance"  # check a text against the compliance rules
    EDITOR_UI = "editor_ui"  # log in to the editors' UI at /ui
    KEYS = "keys"  # create, list and revoke API keys
    AUDIT = "audit"  # read the audit log


ROLES: Final[tuple[str, ...]] = ("staff", "editor", "admin")
ROLE_NAMES: Final[Mapping[str, str]] = {"staff": "客户经理", "editor": "编辑", "admin": "管理员"}
_STAFF = frozenset({Permission.LEADS, Permission.PHONE, Permission.ANALYTICS, Permission.COMPLIANCE})
_EDITOR = frozenset({Permission.DRAFTS, Permission.KNOWLEDGE, Permission.COMPLIANCE, Permission.EDITOR_UI})
PERMISSIONS: Final[Mapping[str, frozenset[Permission]]] = {
    "staff": _STAFF,
    "editor": _EDITOR,
    "admin": frozenset(Permission),
}


def allows(role: str | None, permission: Permission) -> bool:
    """Whether a key of ``role`` has ``permission`` (unknown roles have none)."""
    return permission in PERMISSIONS.get(role or "", frozenset())


def roles_with(permission: Permission) -> tuple[str, ...]:
    """The roles that have ``permission``, in ROLES order (for messages such as "needs editor or admin")."""
    return tuple(role for role in ROLES if allows(role, permission))
