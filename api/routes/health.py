"""Ops endpoints: liveness, readiness (every store reachable) and Prometheus metrics."""

from __future__ import annotations

import hmac
import ipaddress
import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.deps import ServicesDep
from api.errors import ApiError, ErrorResponse, error_body
from api.limits import client_key, peer_address
from api.metrics import render
from api.schemas import Health, Ready

router = APIRouter(tags=["ops"])
log = logging.getLogger("api.health")


@router.get("/healthz", response_model=Health, summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _knowledge_ok(services: ServicesDep) -> bool:
    try:
        services.index.vectors.count()
    except Exception as exc:
        log.warning("knowledge index unreachable: %s", exc)
        return False
    return True


@router.get(
    "/readyz",
    response_model=Ready,
    summary="Readiness: database, vector index and (when configured) Redis reachable",
    responses={503: {"model": ErrorResponse, "description": "A store is unreachable"}},
)
def readyz(request: Request, services: ServicesDep) -> JSONResponse:
    checks = {"database": services.store.ping(), "knowledge": _knowledge_ok(services)}
    if services.limits.shared:
        checks["redis"] = services.limits.ping()
    if all(checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    down = ", ".join(name for name, ok in checks.items() if not ok)
    return JSONResponse({**error_body("not_ready", f"unreachable: {down}"), "checks": checks}, status_code=503)


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format)",
    response_class=Response,
    description=(
        "With METRICS_TOKEN set, send `Authorization: Bearer <token>`; without it only loopback peers (the "
        "connection itself, not a forwarded address) are answered. Otherwise 403."
    ),
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}, 403: {"model": ErrorResponse}},
)
def metrics(request: Request, services: ServicesDep) -> Response:
    check_metrics_access(request, services)
    body, content_type = render()
    return Response(body, media_type=content_type)


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def check_metrics_access(request: Request, services: ServicesDep) -> None:
    """403 unless the bearer METRICS_TOKEN is sent (when set) or the request comes from this machine (unset)."""
    token = services.settings.metrics_token
    if token is not None:
        scheme, _, offered = request.headers.get("authorization", "").partition(" ")
        expected = token.get_secret_value().encode()
        if scheme.lower() != "bearer" or not hmac.compare_digest(offered.strip().encode(), expected):
            raise ApiError(403, "forbidden", "/metrics needs Authorization: Bearer <METRICS_TOKEN>")
        return
    if not (_loopback(peer_address(request)) and _loopback(client_key(request))):
        raise ApiError(403, "forbidden", "/metrics answers only on loopback; set METRICS_TOKEN to scrape it remotely")
