"""Content drafts for editors: post types, grounded drafting, claim checking, versions, approval, export.

Usage::

    service = DraftService(retriever, chat_model, store)
    view = service.create(Brief("product_intro", topic), author="editor:li")
    view.claims, view.findings, view.blocking      # what an editor must fix before approval
    service.revise(view.id, edited_text, author="editor:li")
    service.approve(view.id, approver="editor:wang")  # ApprovalBlocked while errors remain
    service.export(view.id, "text")
"""

from assistant.drafting.brief import CHANNELS, LENGTHS, POST_TYPES, Brief
from assistant.drafting.claims import check_claims
from assistant.drafting.export import FORMATS
from assistant.drafting.service import DraftService
from assistant.drafting.types import ApprovalBlocked, Citation, Claim, DraftView, NoSourcesError

__all__ = [
    "CHANNELS",
    "FORMATS",
    "LENGTHS",
    "POST_TYPES",
    "ApprovalBlocked",
    "Brief",
    "Citation",
    "Claim",
    "DraftService",
    "DraftView",
    "NoSourcesError",
    "check_claims",
]
