"""An ASGI middleware in front of the Gradio page at ``<path>/``: without a valid session it redirects to our
login page; with one, it lets Gradio answer and makes the page Chinese whatever the browser's language.

Gradio picks its built-in strings (loading, upload, toast titles…) from ``navigator.language`` and offers no
setting to fix the locale, so the page gets a first script that reports ``zh-CN`` to Gradio before its own
scripts run. The editors' text is Chinese anyway; this makes Gradio's own text match it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCALE = "zh-CN"
LOCALE_SCRIPT = (
    "<script>(() => {"
    f"const lang = '{LOCALE}', langs = ['{LOCALE}', 'zh'];"
    "for (const [name, value] of [['language', lang], ['languages', langs]]) {"
    "try { Object.defineProperty(navigator, name, { get: () => value, configurable: true }); } catch (e) {}"
    "}"
    "document.documentElement.lang = lang;"
    "})();</script>"
)


def localise(html: bytes) -> bytes:
    """The page with LOCALE_SCRIPT as the first thing in its <head>, and <html lang> set to LOCALE."""
    text = html.decode("utf-8")
    head = text.find("<head>")
    if head < 0:
        return html
    text = text[: head + len("<head>")] + LOCALE_SCRIPT + text[head + len("<head>") :]
    text = text.replace('<html lang="en"', f'<html lang="{LOCALE}"', 1)
    return text.encode("utf-8")


class EditorGate:
    """Redirect a page load without a session to ``<path>/login``; localise Gradio's page otherwise."""

    def __init__(self, app: ASGIApp, *, path: str, user: Callable[[str | None], str | None], cookie: str) -> None:
        self.app = app
        self.pages = {path, f"{path}/"}
        self.login = f"{path}/login"
        self.user = user
        self.cookie = cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["path"] not in self.pages:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if await run_in_threadpool(self.user, request.cookies.get(self.cookie)) is None:
            await RedirectResponse(self.login, status_code=303)(scope, receive, send)
            return
        plain = dict(scope)  # ask for an uncompressed page so it can be edited
        plain["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
        await self.app(plain, receive, _Localising(send))


class _Localising:
    """Buffers an HTML response, localises it and sends it with the right length; other responses pass."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.start: Message | None = None
        self.body: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            kinds = [v for k, v in message.get("headers", []) if k.lower() == b"content-type"]
            if any(b"text/html" in kind for kind in kinds):
                self.start = message
                return
        if self.start is None or message["type"] != "http.response.body":
            await self.send(message)
            return
        self.body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        page = localise(b"".join(self.body))
        kept = [(k, v) for k, v in self.start.get("headers", []) if k.lower() != b"content-length"]
        kept.append((b"content-length", str(len(page)).encode("ascii")))
        await self.send({**self.start, "headers": kept})
        await self.send({"type": "http.response.body", "body": page})


def gradio_user(user: Callable[[str | None], str | None], cookie: str) -> Callable[[Any], Awaitable[str | None]]:
    """Gradio's ``auth_dependency``: the key id behind the request's session cookie (checked on every request)."""

    async def dependency(request: Any) -> str | None:
        return await run_in_threadpool(user, request.cookies.get(cookie))

    return dependency
