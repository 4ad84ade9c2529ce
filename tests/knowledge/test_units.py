"""Answer units of table rows: what is embedded stays the same, what a reply says is a sentence with every cell."""

from __future__ import annotations

import pytest

from knowledge.units import answer_units, chunk_unit_texts, render_row

MATERIALS = """## 申请材料
| 序号 | 材料名称 | 说明 |
| --- | --- | --- |
| 1 | 营业执照 | 原件扫描件 |
| 2 | 购销合同 | 加盖公章 |
"""
TERMS = """## 产品要素
| 方式 | 额度 | 期限 | 年化利率 |
| --- | --- | --- | --- |
| 信用 | 50万元—1000万元 | 最长3年 | 3.5%—4.8% |
| 抵押 | 100万元—3000万元 | —— | 3.2%—4.5% |
"""
SUPPORT = """| 项目 | 标准 | 上限 |
| --- | --- | --- |
| 评估费补贴 | 按实际支付评估费的50%补贴 | 单笔3万元，单户年度6万元 |
"""
RATES_BY_TERM = """| 期限（月） | 年化利率 |
| --- | --- |
| 12 | 4.5% |
| 36 | 5.2% |
"""


def rows(text: str) -> list[tuple[str, str]]:
    """(embedded unit text, reply sentence) of each table row unit."""
    return [(u.text, render_row(u.row)) for u in answer_units(text) if u.row is not None]


def test_a_numbering_column_is_left_out_of_the_reply_but_not_of_what_is_embedded() -> None:
    assert rows(MATERIALS) == [
        ("1，材料名称：营业执照，说明：原件扫描件", "营业执照：原件扫描件"),
        ("2，材料名称：购销合同，说明：加盖公章", "购销合同：加盖公章"),
    ]
    assert chunk_unit_texts("", "", MATERIALS)[0].endswith("1，材料名称：营业执照，说明：原件扫描件")


def test_a_row_of_several_values_reads_as_one_sentence_keeping_every_cell() -> None:
    credit, mortgage = rows(TERMS)
    assert credit[1] == "信用的额度为50万元—1000万元，期限为最长3年，年化利率为3.5%—4.8%"
    assert mortgage[1] == "抵押的额度为100万元—3000万元，年化利率为3.2%—4.5%"  # —— marks a cell that does not apply


def test_a_value_opening_with_a_preposition_needs_no_link_and_commas_inside_values_are_kept_apart() -> None:
    ((_, said),) = rows(SUPPORT)
    assert said == "评估费补贴的标准按实际支付评估费的50%补贴；上限为单笔3万元，单户年度6万元"


def test_a_first_column_of_figures_that_do_not_count_the_rows_is_kept() -> None:
    assert [said for _, said in rows(RATES_BY_TERM)] == ["12：4.5%", "36：5.2%"]


@pytest.mark.parametrize("table", [MATERIALS, TERMS, SUPPORT, RATES_BY_TERM])
def test_every_cell_but_a_numbering_or_blank_one_is_said_verbatim(table: str) -> None:
    for unit in answer_units(table):
        assert unit.row is not None
        said = render_row(unit.row)
        for _, cell in unit.row.cells:
            assert cell in said or cell == "——", (cell, said)


def test_sentences_outside_tables_have_no_row() -> None:
    units = answer_units("单户授信额度最高500万元。贷款期限最长36个月。")
    assert [u.text for u in units] == ["单户授信额度最高500万元。", "贷款期限最长36个月。"]
    assert all(u.row is None for u in units)
