"""The chat and lead-workflow scenarios against `finassist serve --workers 2` on PostgreSQL + a Chroma server,
with rate limits shared through Redis; every response names its worker in X-Worker-Pid."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from openai import OpenAI

from assistant.store import build_store
from tests.api.helpers import (
    apply_through_chat,
    assert_error,
    find_lead,
    lead_form,
    question_with_citations,
    sse_events,
    work_lead,
)
from tests.scaleout.conftest import LEAD_LIMIT, Deployment

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.allow_hosts(["127.0.0.1", "::1"])]


def pids(responses: list[httpx.Response]) -> set[str]:
    return {r.headers["X-Worker-Pid"] for r in responses}


def test_two_workers_answer(deployment: Deployment) -> None:
    with deployment.client() as client:
        seen = pids([client.get("/healthz") for _ in range(40)])
        ready = client.get("/readyz").json()
    assert len(seen) == 2, seen
    assert ready == {"status": "ready", "checks": {"database": True, "knowledge": True, "redis": True}}


def test_question_with_citations(deployment: Deployment) -> None:
    with deployment.client() as client:
        question_with_citations(client)


def test_streaming_chat(deployment: Deployment) -> None:
    with deployment.client() as client:
        response = client.post("/v1/chat/stream", json={"message": "安心政担贷的贷款利率是多少？"})
    events = sse_events(response.text)
    assert events[-1][0] == "final" and events[-1][1]["citations"]


def test_one_conversation_across_both_workers_then_the_lead_workflow(deployment: Deployment) -> None:
    """Turns of one lead-capture conversation land on different workers; state lives only in the database."""
    with deployment.client() as client:
        for attempt in range(12):
            session_id, responses = apply_through_chat(client, phone=f"1358800{attempt:04d}")
            if len(pids(responses)) == 2:
                break
        else:
            pytest.fail("no conversation spread over both workers in 12 attempts")
        lead = find_lead(client, deployment.staff, session_id)
        detail = client.get(f"/v1/leads/{lead['id']}", headers=deployment.staff).json()
        assert [t["role"] for t in detail["transcript"]] == ["user", "assistant"] * 3
        assert detail["phone"] == f"1358800{attempt:04d}" and detail["escalation"]["type"] == "application"
        work_lead(client, lead["id"], deployment.staff, deployment.admin)


def test_fifty_concurrent_lead_creations_none_lost(deployment: Deployment) -> None:
    n = 50

    def create(i: int) -> httpx.Response:
        with deployment.client() as client:
            headers = {"X-Forwarded-For": f"10.50.{i // 250}.{i % 250 + 1}"}
            return client.post("/v1/leads", json=lead_form(phone=f"1340000{i:04d}"), headers=headers)

    with ThreadPoolExecutor(n) as pool:
        responses = list(pool.map(create, range(n)))
    assert [r.status_code for r in responses] == [201] * n, [r.text for r in responses if r.status_code != 201]
    assert len(pids(responses)) == 2
    store = build_store(deployment.database_url, create_schema=False)
    try:
        phones = {row["id"]: row["phone"] for row in store.leads.export_rows(include_phone=True)}
    finally:
        store.close()
    assert {phones[r.json()["id"]] for r in responses} == {f"1340000{i:04d}" for i in range(n)}


def test_lead_rate_limit_is_shared_by_the_workers(deployment: Deployment) -> None:
    headers = {"X-Forwarded-For": "10.99.0.1"}
    with deployment.client() as client:
        responses = [client.post("/v1/leads", json=lead_form(), headers=headers) for _ in range(LEAD_LIMIT + 7)]
    statuses = [r.status_code for r in responses]
    assert statuses == [201] * LEAD_LIMIT + [429] * 7, statuses
    assert len(pids(responses)) == 2  # per-worker budgets would have let up to twice the limit through
    assert_error(responses[-1], 429, "rate_limited")
    assert int(responses[-1].headers["Retry-After"]) >= 1


def test_official_openai_client(deployment: Deployment) -> None:
    client = OpenAI(base_url=f"{deployment.base_url}/v1", api_key="not-needed", max_retries=0)
    completion = client.chat.completions.create(
        model="finassist-agent", messages=[{"role": "user", "content": "安心政担贷的贷款利率是多少？"}]
    )
    assert (completion.model_extra or {})["citations"]
    chunks = list(
        client.chat.completions.create(
            model="finassist-agent", messages=[{"role": "user", "content": "你好"}], user="scaleout-1", stream=True
        )
    )
    sessions = {(c.model_extra or {}).get("session_id") for c in chunks} - {None}
    assert len(sessions) == 1 and "scaleout-1" not in sessions  # a plain `user` string names no session
    client.close()


def test_staff_auth_and_metrics(deployment: Deployment) -> None:
    with deployment.client() as client:
        assert_error(client.get("/v1/leads"), 401)
        assert_error(client.get("/v1/audit", headers=deployment.staff), 403)
        assert client.get("/v1/audit", headers=deployment.admin).status_code == 200
        metrics = client.get("/metrics").text
    assert 'finassist_http_requests_total{method="GET",route="/healthz",status="200"}' in metrics
