"""`DELETE /v1/leads/{id}` through the API on a real data directory (SQLite, embedded Chroma, BM25, the vector
cache): afterwards no file of the directory holds the person's phone, name or company, and the analytics' gaps
no longer show their questions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.config import Settings
from assistant.services import Services, build_services
from knowledge.ingest import ingest
from tests.api.helpers import bearer, chat, conversation_of, lead_form

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
PHONE = "18612345678"
NAME, COMPANY = "欧阳明月", "苏州星河精密制造有限公司"
DOC = """---
title: 设备贷款
---
# 设备贷款

设备贷款的年利率为 4.2%，期限最长三年。
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def services(data_dir: Path, tmp_path: Path) -> Iterator[Services]:
    doc = tmp_path / "docs" / "loan.md"
    doc.parent.mkdir()
    doc.write_text(DOC, encoding="utf-8")
    settings = Settings(
        data_dir=data_dir,
        embedding_backend="hashing",
        vector_cache=None,
        chat_rate_limit="off",
        lead_rate_limit="off",
        escalation_unanswered_limit=0,
    )
    built = build_services(settings)
    assert ingest(built.index, [doc.parent]).ok
    yield built
    built.close()


def _hits(directory: Path) -> dict[str, list[str]]:
    needles = [PHONE, "186****5678", NAME, COMPANY]
    forms = {n: [n.encode(), json.dumps(n).strip('"').encode()] for n in needles}
    hits: dict[str, list[str]] = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found = [n for n, encoded in forms.items() if any(e in data for e in encoded)]
        if found:
            hits[str(path.relative_to(directory))] = found
    return hits


def test_erasure_leaves_nothing_in_the_data_directory(services: Services, data_dir: Path) -> None:
    admin = bearer(services.store.api_keys.create("admin-tester", "admin")[1])
    with TestClient(create_app(services)) as client:
        session = None
        for turn in ("我想申请贷款", "同意", f"我叫{NAME}，公司是{COMPANY}，手机{PHONE}，想融资300万用于采购设备"):
            session = chat(client, turn, session).json()["session_id"]
        asked = chat(client, f"{COMPANY}的{NAME}想问，黄金能抵押吗？").json()
        assert asked["intent"] == "question"
        form = client.post("/v1/leads", json=lead_form(name=NAME, company=COMPANY, phone=PHONE))
        assert form.status_code == 201
        (lead,) = [
            i
            for i in client.get("/v1/leads", headers=admin).json()["items"]
            if i["conversation_id"] == conversation_of(session)
        ]
        client.patch(f"/v1/leads/{lead['id']}", json={"assignee": f"经理-{PHONE}"}, headers=admin)
        client.post(f"/v1/leads/{lead['id']}/notes", json={"text": f"已致电 {PHONE}，{NAME}"}, headers=admin)
        gaps = client.get("/v1/analytics/gaps", headers=admin)
        assert gaps.status_code == 200 and NAME in gaps.text
        assert _hits(data_dir)  # the probe finds them before

        erased = client.delete(f"/v1/leads/{lead['id']}", headers=admin)
        assert erased.status_code == 200, erased.text

        assert _hits(data_dir) == {}  # database, -wal, -shm, Chroma, BM25, vector cache, uploads
        gaps = client.get("/v1/analytics/gaps", headers=admin)
        assert gaps.status_code == 200 and NAME not in gaps.text and COMPANY not in gaps.text
        listed = client.get("/v1/leads", headers=admin).json()["items"]
        assert all(item["erased_at"] for item in listed)  # the form lead with the same phone went too
