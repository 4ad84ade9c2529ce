"""Persistence: SQLAlchemy models and repositories (conversations, leads, drafts, audit, api keys).

Use `build_store(settings.resolved_database_url)`; every repository method is its own short
transaction and returns plain records, so API workers share state only through the database.
"""

from assistant.store.db import SCHEMA_VERSION, create_all, make_engine
from assistant.store.errors import ConflictError, ConsentRequired, InvalidTransition, NotFoundError, StoreError
from assistant.store.facade import Store, build_store
from assistant.store.leads import EXPORT_COLUMNS
from assistant.store.records import (
    ApiKeyRecord,
    AuditRecord,
    ConsentRecord,
    ConversationRecord,
    DraftRecord,
    DraftVersionRecord,
    EscalationRecord,
    LeadRecord,
    NoteRecord,
    Page,
    TurnRecord,
)

__all__ = [
    "EXPORT_COLUMNS",
    "SCHEMA_VERSION",
    "ApiKeyRecord",
    "AuditRecord",
    "ConflictError",
    "ConsentRecord",
    "ConsentRequired",
    "ConversationRecord",
    "DraftRecord",
    "DraftVersionRecord",
    "EscalationRecord",
    "InvalidTransition",
    "LeadRecord",
    "NotFoundError",
    "NoteRecord",
    "Page",
    "Store",
    "StoreError",
    "TurnRecord",
    "build_store",
    "create_all",
    "make_engine",
]
