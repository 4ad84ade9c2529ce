"""`finassist draft`: writes, checks and stores a draft; --json gives the HTTP shape; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.store import build_store
from cli.main import main
from tests.conftest import CORPUS

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.fixture
def data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "cli-data"
    assert main(["ingest", str(CORPUS / "products"), "--data-dir", str(data)]) == 0
    capsys.readouterr()
    return data


def test_draft_json(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["draft", "--type", "product_intro", "--topic", "惠民个体经营贷", "--channel", "group_message"]
    assert main([*argv, "--audience", "个体工商户", "--data-dir", str(data_dir), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert {"id", "text", "citations", "claims", "findings", "version"} <= set(body)
    # sources are relative to the ingested folder
    assert {c["source"] for c in body["citations"]} == {"huimin-micro-business-loan.md"}
    assert body["blocking"] == [] and body["text"].startswith("【惠民个体经营贷")
    store = build_store(Settings(data_dir=data_dir).resolved_database_url)
    try:
        stored = store.drafts.get(body["id"])
        assert stored.latest_version == 1 and stored.created_by.startswith("cli")
    finally:
        store.close()


def test_draft_text_and_export(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", "--type", "product_intro", "--topic", "安心政担贷", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "# 安心政担贷" in out and "核对：" in out and "可以提交审核" in out
    argv = ["draft", "--type", "product_intro", "--topic", "安心政担贷", "--format", "text"]
    assert main([*argv, "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("【草稿，尚未审核通过，请勿发布】") and "[1]" not in out


def test_bad_input(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draft", "--type", "press_release", "--topic", "x", "--data-dir", str(data_dir)]) == 2
    assert "press_release" in capsys.readouterr().err
    assert main(["draft", "--type", "product_intro", "--topic", " ", "--data-dir", str(data_dir)]) == 2
    assert "主题不能为空" in capsys.readouterr().err


def test_a_topic_the_knowledge_base_lacks_is_a_finding(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Exit 1 (a finding, like `check`), the reason and the closest documents; no draft is stored."""
    for topic in ("火星移民旅游攻略", "房地产开发贷"):
        assert main(["draft", "--type", "product_intro", "--topic", topic, "--data-dir", str(data_dir)]) == 1
        out = capsys.readouterr().out
        assert f"没有关于“{topic}”" in out and "最接近的资料" in out
    code = main(["draft", "--type", "product_intro", "--topic", "房地产开发贷", "--json", "--data-dir", str(data_dir)])
    assert code == 1 and '"no_sources"' in capsys.readouterr().out
