"""The members' web surfaces: the chat page `GET /chat`, its assets, the embeddable bubble `GET /chat/widget.js`
and the consent wording the page shows (`GET /v1/chat/consent`). Who may embed the page (CSP) and call its
endpoints (CORS) is composed in api/app.py from CHAT_ALLOWED_ORIGINS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

from api.schemas import ConsentInfo
from assistant.service.fields import LABELLED_LIMITS
from assistant.service.replies import CONSENT_PURPOSE, CONSENT_TEXT, FIELD_LABELS

STATIC = Path(__file__).resolve().parent.parent / "static" / "chat"
PAGE_PATH = "/chat"
ASSETS_PATH = "/chat/assets"
# The endpoints the page calls: CORS is answered for these (and only these) for CHAT_ALLOWED_ORIGINS.
PAGE_API_PATHS = ("/v1/chat", "/v1/chat/stream", "/v1/chat/consent")
NO_CACHE = {"Cache-Control": "no-cache"}  # revalidate: a deploy's new page reaches members at once

router = APIRouter(tags=["member page"])


@router.get(PAGE_PATH, include_in_schema=False)
async def chat_page() -> FileResponse:
    """The member chat page (query string: `title`, `color` as #rgb or #rrggbb, `embed=1` inside the widget)."""
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8", headers=NO_CACHE)


@router.get(f"{PAGE_PATH}/widget.js", include_in_schema=False)
async def widget_script() -> FileResponse:
    """`<script src=".../chat/widget.js" data-title="…" data-color="#…">`: a floating bubble opening the page."""
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=NO_CACHE)


def assets() -> StaticFiles:
    """The page's stylesheet and script (ETag / 304 from StaticFiles), mounted at ASSETS_PATH."""
    return StaticFiles(directory=STATIC)


@router.get(
    "/v1/chat/consent",
    response_model=ConsentInfo,
    tags=["chat"],
    summary="The consent text the agent asks members to agree to before it collects lead details",
)
async def consent() -> dict[str, Any]:
    fields = [
        {"name": name, "label": label, "max_length": LABELLED_LIMITS.get(name)} for name, label in FIELD_LABELS.items()
    ]
    return {"purpose": CONSENT_PURPOSE, "text": CONSENT_TEXT, "fields": fields}
