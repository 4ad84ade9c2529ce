"""Mount the editors' UI on a FastAPI app (called from ``cli/serve``; ``api/`` never imports ``ui/``)::

from ui.mount import mount_ui
app = mount_ui(create_app(services), services)  # the UI at /ui, behind an editor login

Our login page (``ui.login``) issues a session bound to the key's id; Gradio checks it on every request through
its ``auth_dependency``, and ``ui.gate`` sends page loads without a session to the login page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from ui.app import CSS, THEME, UIServices, build_ui
from ui.auth import EditorAuth
from ui.gate import gradio_user
from ui.login import COOKIE, guard_ui

if TYPE_CHECKING:
    from fastapi import FastAPI

MAX_UPLOAD = "20mb"
# Gradio's event queue polls for work every 1 ms when idle (10 ms for progress): about 1,000 wake-ups a second
# on the event loop the API shares, each taking the interpreter lock from the thread computing a chat turn.
# Editors do not notice 50 ms (Gradio's own value on Windows); the API gets its loop back.
QUEUE_IDLE_POLL_S = 0.05
PROGRESS_IDLE_POLL_S = 0.1


def mount_ui(app: FastAPI, services: UIServices, path: str = "/ui") -> FastAPI:
    """Mount ``build_ui(services)`` at ``path``, behind our login page (roles allowed into the editors' UI only)."""
    auth = guard_ui(app, services.store.api_keys, path)
    blocks, options = gradio_arguments(services, auth)
    return gr.mount_gradio_app(app, blocks, path=path, **options)


def gradio_arguments(services: UIServices, auth: EditorAuth) -> tuple[gr.Blocks, dict[str, Any]]:
    """The Blocks and the options ``gr.mount_gradio_app`` takes (the UI is built now: seconds)."""
    blocks = build_ui(services)
    calm_queue(blocks)
    options: dict[str, Any] = {
        "auth_dependency": gradio_user(auth.user, COOKIE),
        "theme": THEME,
        "css": CSS,
        "footer_links": [],
        "run_history": False,  # drafts and chats must not be copied into the browser's storage
        "mcp_server": False,
        "ssr_mode": False,
        "max_file_size": MAX_UPLOAD,
        "show_error": True,
    }
    return blocks, options


def calm_queue(blocks: gr.Blocks) -> None:
    """Make Gradio's queue poll at QUEUE_IDLE_POLL_S / PROGRESS_IDLE_POLL_S when idle (no public setting exists;
    tests/ui check that these attributes are still there, so a Gradio upgrade that renames them fails loudly)."""
    queue = blocks._queue
    queue.sleep_when_free = QUEUE_IDLE_POLL_S
    queue.progress_update_sleep_when_free = PROGRESS_IDLE_POLL_S
