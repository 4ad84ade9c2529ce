"""Markdown markup out of passages: what an editor sees in a search snippet."""

from __future__ import annotations

from knowledge.retriever import snippet
from knowledge.text import plain_text

TABLE = """## 二、产品要素

| 项目 | 内容 |
| --- | :---: |
| 年化利率 | **3.45%** 起 |
| 额度 | 最高 500 万元 |
"""


def test_tables_become_rows_of_cells() -> None:
    assert plain_text(TABLE) == "二、产品要素\n项目，内容；\n年化利率，3.45% 起；\n额度，最高 500 万元；"


def test_marks_go_and_words_stay() -> None:
    text = "> 本文为**虚构**示例，见[说明](https://example.invalid/a)与`代码`。\n\n- 第一条\n1. 第二条\n###### 小标题"
    assert plain_text(text) == "本文为虚构示例，见说明与代码。\n第一条\n第二条\n小标题"
    assert plain_text("年化利率 3.45%，期限 1-3 年，2*3=6") == "年化利率 3.45%，期限 1-3 年，2*3=6"
    assert plain_text("") == ""


def test_a_snippet_has_no_table_pipes_or_heading_marks() -> None:
    shown = snippet(TABLE, ["年化利率"])
    assert "|" not in shown and "#" not in shown and "---" not in shown and "**" not in shown
    assert "年化利率，3.45% 起" in shown
