"""The Store: one repository per resource over shared short transactions; no state in process memory."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, text

from assistant.store.analytics import AnalyticsRepo
from assistant.store.api_keys import ApiKeyRepo
from assistant.store.audit import AuditRepo
from assistant.store.channels import ChannelMessageRepo, ChannelTokenRepo
from assistant.store.conversations import ConversationRepo
from assistant.store.db import Transactions, create_all, make_engine
from assistant.store.drafts import DraftRepo
from assistant.store.escalations import ConsentRepo, EscalationRepo
from assistant.store.leads import LeadRepo
from assistant.store.notices import NoticeRepo


@dataclass
class Store:
    """Repositories sharing one engine; safe to use from several threads and worker processes."""

    engine: Engine
    tx: Transactions = field(init=False, repr=False)
    conversations: ConversationRepo = field(init=False, repr=False)
    escalations: EscalationRepo = field(init=False, repr=False)
    consents: ConsentRepo = field(init=False, repr=False)
    leads: LeadRepo = field(init=False, repr=False)
    audit: AuditRepo = field(init=False, repr=False)
    api_keys: ApiKeyRepo = field(init=False, repr=False)
    drafts: DraftRepo = field(init=False, repr=False)
    analytics: AnalyticsRepo = field(init=False, repr=False)
    channel_messages: ChannelMessageRepo = field(init=False, repr=False)
    channel_tokens: ChannelTokenRepo = field(init=False, repr=False)
    notices: NoticeRepo = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tx = Transactions(self.engine)
        self.conversations = ConversationRepo(self.tx)
        self.escalations = EscalationRepo(self.tx)
        self.consents = ConsentRepo(self.tx)
        self.leads = LeadRepo(self.tx)
        self.audit = AuditRepo(self.tx)
        self.api_keys = ApiKeyRepo(self.tx)
        self.drafts = DraftRepo(self.tx)
        self.analytics = AnalyticsRepo(self.tx)
        self.channel_messages = ChannelMessageRepo(self.tx)
        self.channel_tokens = ChannelTokenRepo(self.tx)
        self.notices = NoticeRepo(self.tx)

    def ping(self) -> bool:
        """True when the database answers (for /readyz)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def create_schema(self) -> int:
        """Create missing tables; returns the schema version."""
        return create_all(self.engine)

    def close(self) -> None:
        """Release pooled connections (call on shutdown, and in a child process after fork)."""
        self.engine.dispose()


def build_store(url: str, *, create_schema: bool = True, echo: bool = False) -> Store:
    """A Store for `url` (e.g. Settings().resolved_database_url), creating the schema unless told not to."""
    store = Store(make_engine(url, echo=echo))
    if create_schema:
        store.create_schema()
    return store
