"""Staff authentication: `Authorization: Bearer <API key>`, keys stored hashed, and role checks.

What each role may do is `assistant.access` (one table for the API and the editors' UI); `require(permission)`
admits the roles that have it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from assistant.access import Permission, allows, roles_with

SCHEME_NAME = "ApiKey"
bearer = HTTPBearer(
    auto_error=False,
    scheme_name=SCHEME_NAME,
    bearerFormat="fa_<prefix>_<secret>",
    description="An API key from `finassist keys create --role staff|editor|admin --name N`.",
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True)
class Principal:
    """The caller behind an API key."""

    key_id: str
    name: str
    role: str
    prefix: str

    @property
    def actor(self) -> str:
        """How the caller appears in the audit log."""
        return f"key:{self.prefix}:{self.name}"[:128]


async def authenticate(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Principal:
    """The principal of a valid, unrevoked key; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "unauthorized", "an API key is required: send 'Authorization: Bearer <key>'", _CHALLENGE)
    store = request.app.state.services.store
    record = await run_in_threadpool(store.api_keys.authenticate, credentials.credentials)
    if record is None:
        raise ApiError(401, "unauthorized", "the API key is invalid or revoked", _CHALLENGE)
    return Principal(key_id=record.id, name=record.name, role=record.role, prefix=record.prefix)


def require(permission: Permission) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits only the roles with ``permission`` (403 for the others)."""
    roles = " or ".join(roles_with(permission))

    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not allows(principal.role, permission):
            raise ApiError(403, "forbidden", f"role '{principal.role}' may not do this (needs {roles})")
        return principal

    return check
