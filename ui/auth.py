"""Editor login for the UI: an API key of a role allowed into the editors' UI (``assistant.access``) logs in on
our own page (``ui.login``) and gets a session bound to the key's id (``assistant.key_sessions``).

Gradio learns the user from ``EditorAuth.user`` (its ``auth_dependency``), which verifies the session cookie on
every request; each handler then calls ``EditorAuth.require(request)``, which re-reads the key by its id, so a
revoked key's session ends at once, whatever other keys share its name.

Gradio is not imported here: the server adds the login page and its gate before Gradio is loaded (ui.deferred);
``NotAuthorized``, a Gradio error, lives in ui.denied and is imported from here on first use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from assistant import key_sessions
from assistant.access import ROLE_NAMES, Permission, allows, roles_with
from assistant.store import NotFoundError

log = logging.getLogger(__name__)
SESSION_EXPIRED = "登录已失效或没有编辑权限，请刷新页面重新登录。"
UNKNOWN_KEY = "密钥无效或已被吊销。请核对后重新输入，或请管理员用 finassist keys create 创建新密钥。"
EMPTY_KEY = "请输入 API 密钥。"


def role_label(role: str) -> str:
    """ "editor（编辑）"; unknown roles as given."""
    name = ROLE_NAMES.get(role)
    return f"{role}（{name}）" if name else role


def roles_label(permission: Permission) -> str:
    return "或 ".join(role_label(r) for r in roles_with(permission))


def refusal(role: str, permission: Permission, what: str) -> str:
    """ "该密钥的角色为 staff（客户经理），编辑后台仅限 editor（编辑）或 admin（管理员）使用。" """
    return f"该密钥的角色为 {role_label(role)}，{what}仅限 {roles_label(permission)}使用。"


class KeyRecord(Protocol):
    id: str
    name: str
    role: str
    revoked_at: Any


class ApiKeys(key_sessions.SigningKeys, Protocol):
    """The part of ``store.api_keys`` the UI uses."""

    def authenticate(self, plaintext: str) -> KeyRecord | None: ...

    def get(self, key_id: str) -> KeyRecord: ...


@dataclass(frozen=True)
class Editor:
    key_id: str
    name: str
    role: str

    def may(self, permission: Permission) -> bool:
        return allows(self.role, permission)


@dataclass(frozen=True)
class LoginOutcome:
    """A session token, or the reason there is none."""

    token: str | None
    message: str = ""
    editor: Editor | None = None
    status: int = 200  # the HTTP status of the login page's answer: 400 no key, 401 unknown key, 403 wrong role


def __getattr__(name: str) -> Any:
    if name == "NotAuthorized":  # `from ui.auth import NotAuthorized` keeps working, importing Gradio then
        from ui.denied import NotAuthorized

        return NotAuthorized
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class EditorAuth:
    """The login, the per-request session check and the per-handler re-check, over the API key repository."""

    def __init__(self, api_keys: ApiKeys) -> None:
        self.api_keys = api_keys

    def login(self, plaintext: str | None) -> LoginOutcome:
        """A session for an active key whose role may use the editors' UI; otherwise a message saying why not."""
        key = (plaintext or "").strip()
        if not key:
            return LoginOutcome(None, EMPTY_KEY, status=400)
        record = self.api_keys.authenticate(key)
        if record is None:
            log.info("ui login refused: unknown or revoked key")
            return LoginOutcome(None, UNKNOWN_KEY, status=401)
        if not allows(record.role, Permission.EDITOR_UI):
            log.info("ui login refused for key %s: role %s", record.id, record.role)
            return LoginOutcome(None, refusal(record.role, Permission.EDITOR_UI, "编辑后台"), status=403)
        token = key_sessions.issue(self.api_keys, record.id)
        if token is None:  # revoked between the two reads
            return LoginOutcome(None, UNKNOWN_KEY, status=401)
        return LoginOutcome(token, editor=Editor(record.id, record.name, record.role))

    def user(self, token: str | None) -> str | None:
        """The key id behind a session token, if its key is active and may use the UI (Gradio's user name)."""
        record = key_sessions.resolve(self.api_keys, token)
        if record is None or not allows(record.role, Permission.EDITOR_UI):
            return None
        return str(record.id)

    def editor(self, key_id: str | None) -> Editor | None:
        """The editor behind a session's key id, if the key is still active and may use the UI."""
        if not key_id:
            return None
        try:
            record = self.api_keys.get(key_id)
        except NotFoundError:
            return None
        if record.revoked_at is not None or not allows(record.role, Permission.EDITOR_UI):
            return None
        return Editor(record.id, record.name, record.role)

    def require(self, request: Any | None, permission: Permission = Permission.EDITOR_UI) -> Editor:
        """The editor making this request (a ``gr.Request``); NotAuthorized (shown as an error toast) otherwise,
        or when the editor's role lacks ``permission``."""
        from ui.denied import NotAuthorized

        editor = self.editor(getattr(request, "username", None))
        if editor is None:
            raise NotAuthorized()
        if not editor.may(permission):
            raise NotAuthorized(refusal(editor.role, permission, "此功能"))
        return editor
