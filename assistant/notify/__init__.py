"""Telling relationship staff about handoffs (WeCom group-robot cards from a durable outbox)."""

from assistant.notify.cards import Handoff, card
from assistant.notify.handoffs import HandoffSink, turn_handoffs
from assistant.notify.webhook import NOTICES, StaffNotifier

__all__ = ["NOTICES", "Handoff", "HandoffSink", "StaffNotifier", "card", "turn_handoffs"]
