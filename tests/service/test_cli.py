"""`finassist ask`: the same reply object as POST /v1/chat, exit 2 on bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cli.main import main
from tests.conftest import CORPUS

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    docs = root / "docs" / "products"
    docs.mkdir(parents=True)
    shutil.copy(CORPUS / "products" / "xinghuo-tech-credit-loan.md", docs)
    shutil.copy(CORPUS / "products" / "huimin-micro-business-loan.md", docs)
    assert main(["ingest", "--data-dir", str(root / "data"), str(root / "docs")]) == 0
    return root / "data"


def ask(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["ask", "--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_has_the_chat_contract_and_sessions_continue(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, _ = ask(capsys, data_dir, "--json", "星火科创信用贷的年化利率是多少？")
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["session_id", "answer", "citations", "intent", "escalation"]
    session = data["session_id"]  # issued by the server: continue with it
    assert data["intent"] == "question" and data["escalation"] is None
    assert "3.45%" in data["answer"] and data["citations"][0]["source"] == "products/xinghuo-tech-credit-loan.md"
    assert set(data["citations"][0]) == {"source", "title", "snippet"}
    code, out, _ = ask(capsys, data_dir, "--json", "--session", session, "那最多能贷多少？")
    assert code == 0 and "1000万元" in json.loads(out)["answer"]
    code, out, _ = ask(capsys, data_dir, "--json", "--session", session, "转人工")
    escalation = json.loads(out)["escalation"]
    assert escalation["type"] == "human" and escalation["id"]


def test_ask_text_output(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _ = ask(capsys, data_dir, "星火科创信用贷的年化利率是多少？")
    assert code == 0 and "3.45%" in out and "[1] 星火科创信用贷产品说明" in out and "intent: question" in out


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["   "], "the message is empty"),
        (["贷" * 2001], "longer than 2000 characters"),
        (["--session", "bad id!", "你好"], "--session: this session is unknown"),
        (["--session", "cli-1", "你好"], "--session: this session is unknown"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, args: list[str], reason: str
) -> None:
    code, out, err = ask(capsys, data_dir, *args)
    assert code == 2 and out == ""
    assert reason in err and len(err.strip().splitlines()) == 1
