"""API keys (admin): list, create (the key is shown once), revoke. Changes are audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import KeysKey, RequestId, StoreDep, audit
from api.errors import STAFF, responses
from api.staff_schemas import ApiKey, ApiKeyCreated, KeyCreate
from api.views import api_key

router = APIRouter(prefix="/v1/keys", tags=["keys"])
KeyId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


@router.get("", response_model=list[ApiKey], summary="Active API keys", responses=responses(*STAFF))
def list_keys(store: StoreDep, who: KeysKey, include_revoked: bool = False) -> list[dict[str, Any]]:
    return [api_key(r) for r in store.api_keys.list(include_revoked=include_revoked)]


@router.post("", status_code=201, response_model=ApiKeyCreated, summary="Create a key", responses=responses(*STAFF))
def create_key(body: KeyCreate, store: StoreDep, who: KeysKey, request_id: RequestId) -> dict[str, Any]:
    record, plaintext = store.api_keys.create(body.name, body.role)
    audit(store, who, "key.create", record.id, request_id, {"name": record.name, "role": record.role})
    return {**api_key(record), "key": plaintext}


@router.delete("/{key_id}", response_model=ApiKey, summary="Revoke a key", responses=responses(*STAFF, 404))
def revoke_key(key_id: KeyId, store: StoreDep, who: KeysKey, request_id: RequestId) -> dict[str, Any]:
    record = store.api_keys.revoke(key_id)
    audit(store, who, "key.revoke", record.id, request_id, {"name": record.name, "role": record.role})
    return api_key(record)
