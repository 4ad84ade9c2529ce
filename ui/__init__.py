"""The editors' Gradio UI (drafts, knowledge, chat preview), mounted at /ui by `finassist serve`.

from ui.mount import mount_ui
mount_ui(fastapi_app, services)
"""
