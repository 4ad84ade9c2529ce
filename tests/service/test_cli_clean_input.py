"""The CLI refuses text arguments (and `check` input) with control characters: exit 2, one line naming the
argument, before anything is opened or stored (before: `ask` stored them, `keys create` made a key)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.main import main


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["ask", "你好\x1b[31m"], "message"),
        (["ask", "--session", "s\x07", "你好"], "session"),
        (["search", "利率\x00"], "query"),
        (["search", "利率", "--product", "贷\x85"], "product"),
        (["draft", "--type", "product_intro", "--topic", "测试\x7f"], "topic"),
        (["keys", "create", "--role", "staff", "--name", "bot\x1b"], "name"),
    ],
)
def test_a_control_character_in_an_argument_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str], field: str
) -> None:
    data_dir = tmp_path / "data"
    code = main([*args, "--data-dir", str(data_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert f"{field}: contains U+" in err
    assert not data_dir.exists()  # refused before any store or index was opened


def test_check_refuses_a_file_with_a_control_character(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = tmp_path / "post.md"
    text.write_text("本产品年化利率4%\x00起", encoding="utf-8")
    assert main(["check", str(text), "--data-dir", str(tmp_path / "data")]) == 2
    assert "contains U+0000" in capsys.readouterr().err
