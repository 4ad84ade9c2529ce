"""Mount the editors' UI on a FastAPI app (called from ``cli/serve``; ``api/`` never imports ``ui/``)::

from ui.mount import mount_ui
app = mount_ui(create_app(services), services)  # the UI at /ui, behind an editor login
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from ui.app import CSS, THEME, UIServices, build_ui
from ui.auth import LOGIN_MESSAGE, EditorAuth

if TYPE_CHECKING:
    from fastapi import FastAPI

MAX_UPLOAD = "20mb"


def mount_ui(app: FastAPI, services: UIServices, path: str = "/ui") -> FastAPI:
    """Mount ``build_ui(services)`` at ``path``; Gradio's login page admits editor and admin API keys only."""
    return gr.mount_gradio_app(
        app,
        build_ui(services),
        path=path,
        auth=EditorAuth(services.store.api_keys).login,
        auth_message=LOGIN_MESSAGE,
        theme=THEME,
        css=CSS,
        footer_links=[],
        run_history=False,  # drafts and chats must not be copied into the browser's storage
        mcp_server=False,
        ssr_mode=False,
        max_file_size=MAX_UPLOAD,
        show_error=True,
    )
