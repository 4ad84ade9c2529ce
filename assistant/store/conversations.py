"""Conversations, their turns and the agent's per-conversation state (optimistically versioned)."""

from __future__ import annotations

import re
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, Table, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from assistant.store.base import Repository, load
from assistant.store.errors import ConflictError, NotFoundError
from assistant.store.models import Conversation, Turn, new_id, utcnow
from assistant.store.records import ConversationRecord, TurnRecord

SESSION_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
Role = Literal["user", "assistant"]
_CONVERSATIONS = cast(Table, Conversation.__table__)


class ConversationRepo(Repository):
    """Conversations keyed by the member's session id; state lives here, never in worker memory."""

    def get_or_create(
        self, session_id: str | None = None, *, channel: str = "web", client_id: str | None = None
    ) -> ConversationRecord:
        """The conversation for `session_id`, created when missing (a new id when None)."""
        conversation_id = session_id or new_id()
        if not SESSION_ID_RE.fullmatch(conversation_id):
            raise ValueError("session id must be 1-64 characters of A-Z a-z 0-9 _ . : -")
        for _ in range(2):
            with self._tx.read() as session:  # a Core select: this runs on every chat turn
                found = session.execute(select(_CONVERSATIONS).where(_CONVERSATIONS.c.id == conversation_id)).first()
                if found is not None:
                    return ConversationRecord.of(found)
            try:
                with self._tx.write() as session:
                    now = utcnow()
                    row = Conversation(
                        id=conversation_id,
                        channel=channel,
                        client_id=client_id,
                        created_at=now,
                        updated_at=now,
                        state={},
                        version=1,
                        unanswered_streak=0,
                    )
                    session.add(row)
                    session.flush()
                    return ConversationRecord.of(row)
            except IntegrityError:
                continue  # another worker created it between our read and write: read it again
        raise ConflictError(f"conversation {conversation_id!r} could not be created")

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

        Each item of `turns` holds `role`, `text` and optionally `intent`, `answered`, `citations`, with
        append_turn's meaning. ConflictError (nothing written) when the version is not `expected_version`.
        """
        for item in turns:
            if item["role"] not in ("user", "assistant"):
                raise ValueError(f"role must be 'user' or 'assistant', not {item['role']!r}")
        now = utcnow()
        streak: Any = _CONVERSATIONS.c.unanswered_streak
        for item in turns:
            if item["role"] == "assistant" and item.get("answered") is not None:
                streak = literal(0) if item["answered"] else streak + 1
        # Core statements, not the ORM: this runs on every chat turn. The conditional UPDATE is the optimistic
        # version check and, on PostgreSQL, locks the row until commit, so turn numbers cannot collide.
        with self._tx.write() as session:
            updated = session.execute(
                update(_CONVERSATIONS)
                .where(_CONVERSATIONS.c.id == conversation_id, _CONVERSATIONS.c.version == expected_version)
                .values(state=state, version=expected_version + 1, updated_at=now, unanswered_streak=streak)
                .returning(*_CONVERSATIONS.c)
            ).first()
            if updated is None:
                current = session.scalar(select(Conversation.version).where(Conversation.id == conversation_id))
                if current is None:
                    raise NotFoundError("conversation", conversation_id)
                raise ConflictError(
                    f"conversation {conversation_id!r} is at version {current}, "
                    f"not {expected_version}: it was changed by another request"
                )
            last = session.scalar(select(func.max(Turn.seq)).where(Turn.conversation_id == conversation_id)) or 0
            session.execute(
                insert(Turn),
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
                    }
                    for offset, item in enumerate(turns, start=1)
                ],
            )
            return ConversationRecord.of(updated)
