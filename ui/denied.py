"""The error a UI handler raises for a request without an editor's session (or without the permission)."""

from __future__ import annotations

import gradio as gr

from ui.auth import SESSION_EXPIRED
from ui.notify import ERROR_SECONDS, ERROR_TITLE


class NotAuthorized(gr.Error):
    """Raised inside a handler: Gradio shows the message and runs nothing else."""

    def __init__(self, message: str = SESSION_EXPIRED) -> None:
        super().__init__(message, duration=ERROR_SECONDS, title=ERROR_TITLE)
