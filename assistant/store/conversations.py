"""Conversations, their turns and the agent's per-conversation state (optimistically versioned)."""

from __future__ import annotations

import re
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, Integer, Table, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from assistant.store.base import Repository, load
from assistant.store.db import Transactions
from assistant.store.dbapi import Prepared
from assistant.store.errors import ConflictError, NotFoundError
from assistant.store.models import Conversation, Turn, new_id, utcnow
from assistant.store.records import ConversationRecord, TurnRecord

SESSION_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
Role = Literal["user", "assistant"]
_CONVERSATIONS = cast(Table, Conversation.__table__)
_TURNS = cast(Table, Turn.__table__)

# The per-turn statements; ConversationRepo compiles each once per engine (dbapi.Prepared) and runs it below
# SQLAlchemy's Connection. The keys name the parameters each execution supplies.
_GET = select(_CONVERSATIONS).where(_CONVERSATIONS.c.id == bindparam("b_id"))
_VERSION = select(_CONVERSATIONS.c.version).where(_CONVERSATIONS.c.id == bindparam("b_id"))
_LAST_SEQ = select(func.max(_TURNS.c.seq)).where(_TURNS.c.conversation_id == bindparam("b_id"))
# The conditional UPDATE is the optimistic version check and, on PostgreSQL, locks the row until commit, so
# turn numbers cannot collide. SET takes state, version, updated_at (and unanswered_streak) from the parameters.
_UPDATE_IF_VERSION = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("b_id"), _CONVERSATIONS.c.version == bindparam("b_version"))
    .returning(*_CONVERSATIONS.c)
)
_UPDATE_IF_VERSION_ADDING = _UPDATE_IF_VERSION.values(
    unanswered_streak=_CONVERSATIONS.c.unanswered_streak + bindparam("b_add", type_=Integer)
)
_INSERT_TURNS = insert(_TURNS)
_UPDATE_KEYS = ("b_id", "b_version", "state", "version", "updated_at")
_TURN_KEYS = ("conversation_id", "seq", "role", "text", "intent", "answered", "citations", "created_at", "request_id")


def _new_row(conversation_id: str, channel: str, client_id: str | None, token_hash: str | None = None) -> Conversation:
    """A fresh conversation row: empty state, version 1, no unanswered questions."""
    now = utcnow()
    return Conversation(
        id=conversation_id,
        channel=channel,
        client_id=client_id,
        created_at=now,
        updated_at=now,
        state={},
        version=1,
        unanswered_streak=0,
        token_hash=token_hash,
    )


class ConversationRepo(Repository):
    """Conversations keyed by the member's session id; state lives here, never in worker memory."""

    def __init__(self, tx: Transactions) -> None:
        super().__init__(tx)
        # The per-turn statements, compiled once for this engine and run in DBAPI transactions (see dbapi.py).
        dialect = tx.engine.dialect
        self._get = Prepared(_GET, dialect, ["b_id"])
        self._version = Prepared(_VERSION, dialect, ["b_id"])
        self._last_seq = Prepared(_LAST_SEQ, dialect, ["b_id"])
        self._update_if_version = Prepared(_UPDATE_IF_VERSION, dialect, [*_UPDATE_KEYS, "unanswered_streak"])
        self._update_if_version_adding = Prepared(_UPDATE_IF_VERSION_ADDING, dialect, [*_UPDATE_KEYS, "b_add"])
        self._insert_turns = Prepared(_INSERT_TURNS, dialect, _TURN_KEYS)

    @staticmethod
    def _record(statement: Prepared, row: tuple[Any, ...]) -> ConversationRecord:
        return ConversationRecord(**dict(zip(statement.columns, row, strict=True)))

    def _insert(
        self, conversation_id: str, channel: str, client_id: str | None, token_hash: str | None = None
    ) -> ConversationRecord:
        """A new conversation row written in its own transaction (IntegrityError when the id is taken)."""
        with self._tx.write() as session:
            row = _new_row(conversation_id, channel, client_id, token_hash)
            session.add(row)
            session.flush()
            return ConversationRecord.of(row)

    def get_or_create(
        self, session_id: str | None = None, *, channel: str = "web", client_id: str | None = None
    ) -> ConversationRecord:
        """The conversation for `session_id`, created when missing (a new id when None)."""
        conversation_id = session_id or new_id()
        if not SESSION_ID_RE.fullmatch(conversation_id):
            raise ValueError("session id must be 1-64 characters of A-Z a-z 0-9 _ . : -")
        for _ in range(2):
            with self._tx.read_dbapi() as raw:  # a prepared statement: this runs on every chat turn
                found = self._get.first(raw, {"b_id": conversation_id})
                if found is not None:
                    return self._record(self._get, found)
            try:
                return self._insert(conversation_id, channel, client_id)
            except IntegrityError:
                continue  # another worker created it between our read and write: read it again
        raise ConflictError(f"conversation {conversation_id!r} could not be created")

    def find(self, conversation_id: str) -> ConversationRecord | None:
        """The conversation, or None (one prepared read: this runs on every member turn)."""
        with self._tx.read_dbapi() as raw:
            found = self._get.first(raw, {"b_id": conversation_id})
            return None if found is None else self._record(self._get, found)

    def create(
        self, conversation_id: str, *, channel: str, token_hash: str | None = None, client_id: str | None = None
    ) -> ConversationRecord:
        """A new conversation (ConflictError when the id is taken)."""
        try:
            return self._insert(conversation_id, channel, client_id, token_hash)
        except IntegrityError:
            raise ConflictError(f"conversation {conversation_id!r} already exists") from None

    def get(self, conversation_id: str) -> ConversationRecord:
        with self._tx.read() as session:
            return ConversationRecord.of(load(session, Conversation, conversation_id, "conversation"))

    def append_turn(
        self,
        conversation_id: str,
        role: Role,
        text: str,
        *,
        intent: str | None = None,
        answered: bool | None = None,
        citations: list[Any] | None = None,
    ) -> TurnRecord:
        """Append a turn with the next sequence number.

        `intent` is meant for user turns and `answered` for assistant turns (analytics). An assistant
        turn with answered=False increments the conversation's unanswered streak, answered=True resets it.
        """
        if role not in ("user", "assistant"):
            raise ValueError(f"role must be 'user' or 'assistant', not {role!r}")
        with self._tx.write() as session:
            conversation = load(session, Conversation, conversation_id, "conversation", lock=True)
            last = session.scalar(select(func.max(Turn.seq)).where(Turn.conversation_id == conversation_id))
            now = utcnow()
            turn = Turn(
                conversation_id=conversation_id,
                seq=(last or 0) + 1,
                role=role,
                text=text,
                intent=intent,
                answered=answered,
                citations=list(citations or []),
                created_at=now,
            )
            session.add(turn)
            if role == "assistant" and answered is not None:
                conversation.unanswered_streak = 0 if answered else conversation.unanswered_streak + 1
            conversation.updated_at = now
            session.flush()
            return TurnRecord.of(turn)

    def transcript(self, conversation_id: str) -> list[TurnRecord]:
        """All turns in order."""
        with self._tx.read() as session:
            load(session, Conversation, conversation_id, "conversation")
            turns = session.scalars(select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.seq))
            return [TurnRecord.of(t) for t in turns]

    def update_state(
        self,
        conversation_id: str,
        state: dict[str, Any],
        expected_version: int,
        *,
        unanswered_streak: int | None = None,
    ) -> ConversationRecord:
        """Replace the state if the stored version is still `expected_version`, else ConflictError."""
        values: dict[str, Any] = {
            "state": state,
            "version": Conversation.version + 1,
            "updated_at": utcnow(),
        }
        if unanswered_streak is not None:
            values["unanswered_streak"] = unanswered_streak
        with self._tx.write() as session:
            result = cast(
                CursorResult[Any],
                session.execute(
                    update(Conversation)
                    .where(Conversation.id == conversation_id, Conversation.version == expected_version)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                ),
            )
            current = load(session, Conversation, conversation_id, "conversation")
            if result.rowcount != 1:
                raise ConflictError(
                    f"conversation {conversation_id!r} is at version {current.version}, "
                    f"not {expected_version}: it was changed by another request"
                )
            session.refresh(current)
            return ConversationRecord.of(current)

    def commit_turn(
        self,
        conversation_id: str,
        state: dict[str, Any],
        expected_version: int,
        turns: list[dict[str, Any]],
    ) -> ConversationRecord:
        """`update_state` and `append_turn` for each of `turns` in ONE transaction (one fsync per turn).

        Each item of `turns` holds `role`, `text` and optionally `intent`, `answered`, `citations` (with
        append_turn's meaning) and `request_id`. ConflictError (nothing written) when the version is not
        `expected_version`.
        """
        if not turns:
            raise ValueError("commit_turn needs at least one turn")
        for item in turns:
            if item["role"] not in ("user", "assistant"):
                raise ValueError(f"role must be 'user' or 'assistant', not {item['role']!r}")
        now = utcnow()
        reset, added = False, 0  # the unanswered streak after these turns: (0 if reset else current) + added
        for item in turns:
            if item["role"] == "assistant" and item.get("answered") is not None:
                reset, added = (True, 0) if item["answered"] else (reset, added + 1)
        values: dict[str, Any] = {
            "b_id": conversation_id,
            "b_version": expected_version,
            "state": state,
            "version": expected_version + 1,
            "updated_at": now,
        }
        if reset:
            statement, values["unanswered_streak"] = self._update_if_version, added
        else:
            statement, values["b_add"] = self._update_if_version_adding, added
        # Prepared statements in a DBAPI transaction, not the ORM: this runs on every chat turn.
        with self._tx.write_dbapi() as raw:
            updated = statement.first(raw, values)
            if updated is None:
                current = self._version.scalar(raw, {"b_id": conversation_id})
                if current is None:
                    raise NotFoundError("conversation", conversation_id)
                raise ConflictError(
                    f"conversation {conversation_id!r} is at version {current}, "
                    f"not {expected_version}: it was changed by another request"
                )
            last = self._last_seq.scalar(raw, {"b_id": conversation_id}) or 0
            self._insert_turns.executemany(
                raw,
                [
                    {
                        "conversation_id": conversation_id,
                        "seq": last + offset,
                        "role": item["role"],
                        "text": item["text"],
                        "intent": item.get("intent"),
                        "answered": item.get("answered"),
                        "citations": list(item.get("citations") or []),
                        "created_at": now,
                        "request_id": item.get("request_id"),
                    }
                    for offset, item in enumerate(turns, start=1)
                ],
            )
            return self._record(statement, updated)
