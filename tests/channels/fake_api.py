"""A loopback fake of the platforms' access-token and customer-service message APIs (both hosts' paths),
checking the token flow the way the platforms do: unknown or expired tokens answer errcode 40001/42001."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class FakePlatformApi:
    credentials: dict[str, str]  # appid/corpid -> secret
    expires_in: int = 7200
    tokens_issued: list[str] = field(default_factory=list)
    valid: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    delivered: threading.Event = field(default_factory=threading.Event)

    def expire_tokens(self) -> None:
        """The platform forgets every token (as when another party fetched a new one)."""
        self.valid.clear()

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/cgi-bin/token", self.oa_token),
                Route("/cgi-bin/gettoken", self.wecom_token),
                Route("/cgi-bin/message/custom/send", self.send, methods=["POST"]),
                Route("/cgi-bin/message/send", self.send, methods=["POST"]),
            ]
        )

    def _issue(self, app_id: str | None, secret: str | None) -> JSONResponse:
        if not app_id or self.credentials.get(app_id) != secret:
            return JSONResponse({"errcode": 40013, "errmsg": "invalid appid or secret"})
        token = uuid.uuid4().hex
        self.tokens_issued.append(token)
        self.valid.add(token)
        return JSONResponse({"errcode": 0, "access_token": token, "expires_in": self.expires_in})

    async def oa_token(self, request: Request) -> JSONResponse:
        q = request.query_params
        if q.get("grant_type") != "client_credential":
            return JSONResponse({"errcode": 40002, "errmsg": "invalid grant_type"})
        return self._issue(q.get("appid"), q.get("secret"))

    async def wecom_token(self, request: Request) -> JSONResponse:
        return self._issue(request.query_params.get("corpid"), request.query_params.get("corpsecret"))

    async def send(self, request: Request) -> JSONResponse:
        token = request.query_params.get("access_token", "")
        if token not in self.valid:
            code = 42001 if token in self.tokens_issued else 40001
            self.rejected.append(code)
            return JSONResponse({"errcode": code, "errmsg": "access_token invalid or expired"})
        body = await request.json()
        self.sent.append({"path": request.url.path, "token": token, **body})
        self.delivered.set()
        return JSONResponse({"errcode": 0, "errmsg": "ok"})
