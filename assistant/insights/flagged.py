"""Documents the ingest screen flagged (knowledge.screening): for the knowledge tab and the editors' API.

A flagged document holds text addressed to the assistant, a private contact or payee, a request for passwords
or codes, markup or an outside link. Its passages are kept out of member answers until an editor removes that
text and ingests the file again.
"""

from __future__ import annotations

from knowledge.index import KnowledgeIndex
from knowledge.screening import FlaggedDocument, flagged_documents


def flagged_knowledge(index: KnowledgeIndex) -> list[FlaggedDocument]:
    """Every flagged document of the index, by source path, with the rules it broke and the offending sentences."""
    return flagged_documents(index.chunks)
