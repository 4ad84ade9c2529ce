"""Prometheus metrics. With several workers set PROMETHEUS_MULTIPROC_DIR (`finassist serve` does) so that
`/metrics` aggregates every worker, whichever one answers the scrape."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from assistant.notify import NOTICES

HTTP_REQUESTS = Counter(
    "finassist_http_requests_total", "HTTP requests by route template and status", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "finassist_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CHAT_REPLIES = Counter("finassist_chat_replies_total", "Agent replies by intent", ["intent", "channel"])
ESCALATIONS = Counter("finassist_escalations_total", "Escalations raised in chat, by type", ["type"])
RATE_LIMITED = Counter("finassist_rate_limited_total", "Requests refused by a rate limit", ["scope"])
LIMITER_ERRORS = Counter("finassist_rate_limiter_errors_total", "Rate-limit backend failures (request allowed)")
AGENT_WORKER_RESTARTS = Counter(
    "finassist_agent_worker_restarts_total", "Agent worker pools replaced after a worker process stopped (killed, OOM)"
)
# Staff webhook attempts (outcome sent | retried | failed), counted where the core sends them.
STAFF_NOTICES = NOTICES
AUDIT_EVENTS = Counter("finassist_audit_events_total", "Audited staff actions", ["action"])


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
