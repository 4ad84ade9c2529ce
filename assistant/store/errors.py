"""Errors raised by the repositories; the API maps them to HTTP statuses (see each class)."""

from __future__ import annotations

from assistant.leads import InvalidTransition

__all__ = ["ConflictError", "ConsentRequired", "InvalidTransition", "NotFoundError", "StoreError"]


class StoreError(Exception):
    """Base class of the store's own errors."""


class NotFoundError(StoreError):
    """The addressed record does not exist (404)."""

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"{kind} {ident!r} not found")


class ConflictError(StoreError):
    """A concurrent change or the record's current state prevents the change (409)."""


class ConsentRequired(StoreError):
    """A lead cannot be stored without a granted consent for its conversation (422)."""
