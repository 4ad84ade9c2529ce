"""Channel callbacks' shared state: one row per delivered platform message (the dedupe record several
workers agree on through its primary key) and the platforms' access tokens with their expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import String, Text, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.base import Repository
from assistant.store.models import Base, Stamp, _in, utcnow

MESSAGE_STATES = ("running", "replied", "deferred", "sent", "failed")
MessageState = Literal["running", "replied", "deferred", "sent", "failed"]


class ChannelMessage(Base):
    """A platform message by its keyed hash (MsgId, or sender + CreateTime for events); `reply` is the
    passive reply (PII masked) once ready, so a retried delivery gets the same answer."""

    __tablename__ = "channel_messages"
    __table_args__ = (_in("status", MESSAGE_STATES),)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    reply: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    updated_at: Mapped[datetime] = mapped_column(Stamp)


class ChannelToken(Base):
    """A platform access token (e.g. `wechat:<appid>`) and when it expires."""

    __tablename__ = "channel_tokens"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(Stamp)


@dataclass(frozen=True)
class Delivery:
    """What `claim` found: `first` when this caller owns the message; else the state the owner left."""

    first: bool
    status: str
    reply: str | None


class ChannelMessageRepo(Repository):
    def claim(self, key: str, platform: str) -> Delivery:
        """Record the message as running unless it was seen before (the primary key decides, across workers)."""
        now = utcnow()
        try:
            with self._tx.write() as session:
                session.add(
                    ChannelMessage(key=key, platform=platform, status="running", created_at=now, updated_at=now)
                )
                session.flush()
                return Delivery(True, "running", None)
        except IntegrityError:
            pass
        with self._tx.read() as session:
            row = session.get(ChannelMessage, key)
            if row is None:  # purged between the two statements: treat as seen
                return Delivery(False, "sent", None)
            return Delivery(False, row.status, row.reply)

    def move(self, key: str, to: MessageState, *, reply: str | None = None, only_from: str | None = None) -> bool:
        """Set the state (and reply); with `only_from`, only when the message is still in that state."""
        values: dict[str, object] = {"status": to, "updated_at": utcnow()}
        if reply is not None:
            values["reply"] = reply
        query = update(ChannelMessage).where(ChannelMessage.key == key)
        if only_from is not None:
            query = query.where(ChannelMessage.status == only_from)
        with self._tx.write() as session:
            return bool(session.execute(query.values(**values)).rowcount)  # type: ignore[attr-defined]

    def get(self, key: str) -> Delivery | None:
        with self._tx.read() as session:
            row = session.get(ChannelMessage, key)
            return None if row is None else Delivery(False, row.status, row.reply)

    def purge(self, older_than: timedelta) -> int:
        """Forget messages older than the platforms' retry window (they are only kept to answer retries)."""
        with self._tx.write() as session:
            result = session.execute(delete(ChannelMessage).where(ChannelMessage.created_at < utcnow() - older_than))
            return int(result.rowcount)  # type: ignore[attr-defined]


class ChannelTokenRepo(Repository):
    def get(self, name: str, *, margin: timedelta = timedelta(minutes=5)) -> str | None:
        """The stored token while it has more than `margin` left, else None."""
        query = select(ChannelToken.token).where(ChannelToken.name == name, ChannelToken.expires_at > utcnow() + margin)
        with self._tx.read() as session:
            return session.scalar(query)

    def put(self, name: str, token: str, expires_in: int) -> None:
        expires_at = utcnow() + timedelta(seconds=expires_in)
        change = update(ChannelToken).where(ChannelToken.name == name).values(token=token, expires_at=expires_at)
        with self._tx.write() as session:
            if session.execute(change).rowcount:  # type: ignore[attr-defined]
                return
        try:
            with self._tx.write() as session:
                session.add(ChannelToken(name=name, token=token, expires_at=expires_at))
        except IntegrityError:  # another worker stored one first: ours is as fresh
            with self._tx.write() as session:
                session.execute(change)

    def drop(self, name: str, token: str) -> None:
        """Forget `token` (the platform called it invalid); a newer token another worker stored stays."""
        with self._tx.write() as session:
            session.execute(delete(ChannelToken).where(ChannelToken.name == name, ChannelToken.token == token))
