"""Toasts that go away by themselves (Gradio keeps an Info or Warning up until it is closed unless given a
duration); an error stays a little longer so it can be read. ``ui.app`` places them clear of the top bar and
closes them when the editor switches tabs."""

from __future__ import annotations

import gradio as gr

INFO_SECONDS = 4.0
ERROR_SECONDS = 8.0
# Gradio titles its toasts in English ("Error", "Warning", "Info") whatever the page's locale.
INFO_TITLE, WARNING_TITLE, ERROR_TITLE = "提示", "注意", "错误"


def info(message: str) -> None:
    gr.Info(message, duration=INFO_SECONDS, title=INFO_TITLE)


def warning(message: str) -> None:
    gr.Warning(message, duration=ERROR_SECONDS, title=WARNING_TITLE)


def error(message: str) -> gr.Error:
    """An error to ``raise``: Gradio shows it as a toast and runs nothing else."""
    return gr.Error(message, duration=ERROR_SECONDS, title=ERROR_TITLE)
