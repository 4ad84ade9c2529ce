"""Editor login for the UI: Gradio's login page (``auth=`` of ``mount_gradio_app``) checks an API key.

The user name is the key's name and the password is the key itself (``finassist keys create --role editor
--name N``). Only editor and admin keys get in. Gradio then keeps the user name in its session cookie; every
handler calls ``EditorAuth.require(request)``, which looks the name up again, so revoking a key (or all keys of
that name) locks its holder out at the next click rather than at the next login.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import gradio as gr

log = logging.getLogger(__name__)
EDITOR_ROLES = frozenset({"editor", "admin"})
LOGIN_MESSAGE = (
    "<p><b>融资社区助手 · 编辑工作台</b></p>"
    "<p>用户名填写 API 密钥的名称，密码填写 API 密钥本身（由管理员用 "
    "<code>finassist keys create --role editor --name 名称</code> 创建）。</p>"
)
SESSION_EXPIRED = "登录已失效或没有编辑权限，请重新登录。"


class KeyRecord(Protocol):
    name: str
    role: str
    revoked_at: Any


class ApiKeys(Protocol):
    """The part of ``store.api_keys`` the UI uses."""

    def authenticate(self, plaintext: str) -> KeyRecord | None: ...

    def list(self, *, include_revoked: bool = False) -> list[Any]: ...


@dataclass(frozen=True)
class Editor:
    name: str
    role: str


class NotAuthorized(gr.Error):
    """Raised inside a handler: Gradio shows the message and runs nothing else."""

    def __init__(self, message: str = SESSION_EXPIRED) -> None:
        super().__init__(message)


class EditorAuth:
    """The login check and the per-handler re-check, over the API key repository."""

    def __init__(self, api_keys: ApiKeys) -> None:
        self.api_keys = api_keys

    def login(self, username: str, password: str) -> bool:
        """Gradio's ``auth`` callable: an active editor/admin key whose name is the user name."""
        record = self.api_keys.authenticate((password or "").strip())
        ok = record is not None and record.role in EDITOR_ROLES and record.name == (username or "").strip()
        if not ok:
            log.info("ui login refused for %r", (username or "")[:40])
        return ok

    def editor(self, username: str | None) -> Editor | None:
        """The editor behind a logged-in user name, if it still has an active editor/admin key."""
        if not username:
            return None
        roles = [k.role for k in self.api_keys.list() if k.name == username and k.role in EDITOR_ROLES]
        if not roles:
            return None
        return Editor(username, "admin" if "admin" in roles else "editor")

    def require(self, request: gr.Request | Any | None) -> Editor:
        """The editor making this request; NotAuthorized (shown as an error toast) otherwise."""
        editor = self.editor(getattr(request, "username", None))
        if editor is None:
            raise NotAuthorized()
        return editor
