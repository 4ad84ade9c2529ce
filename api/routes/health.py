"""Ops endpoints: liveness, readiness (every store reachable) and Prometheus metrics."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.deps import ServicesDep
from api.errors import ErrorResponse, error_body
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
    limiter = request.app.state.limiter
    if hasattr(limiter, "ping"):
        checks["redis"] = limiter.ping()
    if all(checks.values()):
        return JSONResponse({"status": "ready", "checks": checks})
    down = ", ".join(name for name, ok in checks.items() if not ok)
    return JSONResponse({**error_body("not_ready", f"unreachable: {down}"), "checks": checks}, status_code=503)


@router.get(
    "/metrics",
    summary="Prometheus metrics (text exposition format)",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics() -> Response:
    body, content_type = render()
    return Response(body, media_type=content_type)
