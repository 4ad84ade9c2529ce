"""Platform callbacks: `GET|POST /channels/wechat` (Official Account) and `GET|POST /channels/wecom`.

Only translation: the query and body go to assistant.channels' gateway, which checks, decrypts, dedupes and
answers; its errors become 404 (platform not configured), 403 (bad signature) and 400 (unreadable message).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from api.errors import ApiError, responses
from api.routes.chat import agent_reply, observe
from assistant.channels import BadMessage, BadSignature, ChannelGateway, NotConfigured

router = APIRouter(prefix="/channels", tags=["channels"])
Name = Literal["wechat", "wecom"]
ERRORS = responses(400, 403, 404)


def _gateway(request: Request) -> ChannelGateway:
    return request.app.state.services.channels  # type: ignore[no-any-return]


def _failure(name: str, exc: Exception) -> ApiError:
    if isinstance(exc, NotConfigured):
        return ApiError(404, "channel_not_configured", f"the {name} channel is not configured")
    if isinstance(exc, BadSignature):
        return ApiError(403, "bad_signature", "the request signature does not match")
    return ApiError(400, "bad_message", str(exc))


async def _verify(name: Name, request: Request) -> PlainTextResponse:
    try:
        return PlainTextResponse(_gateway(request).verify(name, request.query_params))
    except (NotConfigured, BadSignature, BadMessage) as exc:
        raise _failure(name, exc) from exc


async def _receive(name: Name, request: Request) -> Response:
    services = request.app.state.services

    async def run_turn(session_id: str, message: str) -> Any:
        reply = await agent_reply(request, services.agent, session_id, message)
        observe(reply, name)
        return reply

    try:
        reply = await _gateway(request).receive(name, request.query_params, await request.body(), run_turn)
    except (NotConfigured, BadSignature, BadMessage) as exc:
        raise _failure(name, exc) from exc
    return Response(reply.body, media_type="application/xml" if reply.xml else "text/plain")


@router.get("/wechat", summary="WeChat Official Account URL verification (echostr)", responses=ERRORS)
async def wechat_verify(request: Request) -> PlainTextResponse:
    return await _verify("wechat", request)


@router.post("/wechat", summary="WeChat Official Account message callback (plain or AES)", responses=ERRORS)
async def wechat_message(request: Request) -> Response:
    return await _receive("wechat", request)


@router.get("/wecom", summary="WeCom app URL verification (encrypted echostr)", responses=ERRORS)
async def wecom_verify(request: Request) -> PlainTextResponse:
    return await _verify("wecom", request)


@router.post("/wecom", summary="WeCom app message callback (AES)", responses=ERRORS)
async def wecom_message(request: Request) -> Response:
    return await _receive("wecom", request)
