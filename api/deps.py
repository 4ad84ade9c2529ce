"""FastAPI dependencies as `Annotated` aliases: services, store, settings, request id, roles, rate limits."""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from fastapi import Depends, Request

from api.auth import Principal, authenticate, require
from api.limits import client_key, rate_limit
from api.metrics import AUDIT_EVENTS
from assistant.access import Permission
from assistant.config import Settings
from assistant.drafting import DraftService
from assistant.ratelimit import RateLimits
from assistant.store import Store
from knowledge.index import KnowledgeIndex
from knowledge.retriever import HybridRetriever


class AppServices(Protocol):
    """What the API needs from `assistant.services.Services` (tests may pass any object of this shape; read-only,
    so the parts may be built on first use)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def store(self) -> Store: ...
    @property
    def index(self) -> KnowledgeIndex: ...
    @property
    def retriever(self) -> HybridRetriever: ...
    @property
    def agent(self) -> Any: ...
    @property
    def drafts(self) -> DraftService: ...
    @property
    def channels(self) -> Any: ...  # assistant.channels.ChannelGateway
    @property
    def notifier(self) -> Any: ...  # assistant.notify.StaffNotifier | None
    @property
    def limits(self) -> RateLimits: ...


async def get_services(request: Request) -> AppServices:
    return request.app.state.services  # type: ignore[no-any-return]


ServicesDep = Annotated[AppServices, Depends(get_services)]


async def get_store(services: ServicesDep) -> Store:
    return services.store


async def get_settings(services: ServicesDep) -> Settings:
    return services.settings


async def get_request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


async def get_client_key(request: Request) -> str:
    return client_key(request)


StoreDep = Annotated[Store, Depends(get_store)]
ClientKey = Annotated[str, Depends(get_client_key)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RequestId = Annotated[str, Depends(get_request_id)]

AnyKey = Annotated[Principal, Depends(authenticate)]
StaffKey = Annotated[Principal, Depends(require(Permission.LEADS))]
AdminKey = Annotated[Principal, Depends(require(Permission.LEADS_ADMIN))]
EditorKey = Annotated[Principal, Depends(require(Permission.DRAFTS))]
AnalyticsKey = Annotated[Principal, Depends(require(Permission.ANALYTICS))]
KeysKey = Annotated[Principal, Depends(require(Permission.KEYS))]
AuditKey = Annotated[Principal, Depends(require(Permission.AUDIT))]

ChatRateLimit = Depends(rate_limit("chat"))


def audit(
    store: Store,
    who: Principal,
    action: str,
    target: str | None,
    request_id: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record a staff action (actor, action, target, time, request id) in the audit log."""
    store.audit.record(who.actor, action, target, request_id=request_id or None, detail=detail)
    AUDIT_EVENTS.labels(action).inc()
