"""Insights for staff and editors, as pure functions over store and index data (no web framework).

`overview` (conversations, answer rate, escalations, lead funnel, time to first contact, top intents),
`gaps` (clusters of questions the agent could not answer) and `freshness` (documents past or near the end of
their effective period, and how many answers cited them) and `flagged` (documents the ingest screen flagged).
"""

from assistant.insights.flagged import flagged_knowledge
from assistant.insights.freshness import DocFreshness, freshness_report
from assistant.insights.gaps import Gap, cluster_questions, knowledge_gaps
from assistant.insights.overview import FunnelStage, Overview, build_overview, lead_funnel, median_seconds

__all__ = [
    "DocFreshness",
    "FunnelStage",
    "Gap",
    "Overview",
    "build_overview",
    "cluster_questions",
    "flagged_knowledge",
    "freshness_report",
    "knowledge_gaps",
    "lead_funnel",
    "median_seconds",
]
