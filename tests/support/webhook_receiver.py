"""A loopback WeCom group-robot webhook: records every card; can fail the next N posts (HTTP 503 or an
errcode in a 200, as the robot does)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class WebhookReceiver:
    cards: list[dict[str, Any]] = field(default_factory=list)
    arrived_at: list[float] = field(default_factory=list)
    attempts: int = 0
    fail_next: int = 0
    fail_with: str = "errcode"  # "errcode" (HTTP 200 with errcode 93000) or "http" (HTTP 503)
    arrived: threading.Event = field(default_factory=threading.Event)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/cgi-bin/webhook/send", self.send, methods=["POST"])])

    async def send(self, request: Request) -> JSONResponse:
        self.attempts += 1
        if request.query_params.get("key") != "robot-key":
            return JSONResponse({"errcode": 93000, "errmsg": "invalid webhook url"})
        if self.fail_next > 0:
            self.fail_next -= 1
            if self.fail_with == "http":
                return JSONResponse({"errmsg": "busy"}, status_code=503)
            return JSONResponse({"errcode": 45009, "errmsg": "api freq out of limit"})
        self.cards.append(await request.json())
        self.arrived_at.append(time.monotonic())
        self.arrived.set()
        return JSONResponse({"errcode": 0, "errmsg": "ok"})
