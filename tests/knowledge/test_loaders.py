from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from knowledge.loaders import LoadError, load_file

FRONT = """---
title: 测试政策
category: policy
region: 苏州市
effective_date: 2025-01-01
expires: 2026-12-31
---
# 测试政策

贴息比例为50%。
"""


def test_markdown_front_matter_becomes_metadata(tmp_path: Path) -> None:
    path = tmp_path / "policies" / "p.md"
    path.parent.mkdir()
    path.write_text(FRONT, encoding="utf-8")
    doc = load_file(path, tmp_path)
    assert doc.metadata == {
        "title": "测试政策",
        "category": "policy",
        "region": "苏州市",
        "effective_date": "2025-01-01",
        "expires": "2026-12-31",
        "source": "policies/p.md",
    }
    assert doc.text.startswith("# 测试政策") and "---" not in doc.text


def test_title_falls_back_to_first_heading_then_file_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("没有标题的正文。", encoding="utf-8")
    (tmp_path / "b.md").write_text("# 还款须知\n正文。", encoding="utf-8")
    assert load_file(tmp_path / "a.txt").metadata["title"] == "a"
    assert load_file(tmp_path / "b.md").metadata["title"] == "还款须知"


def test_gb18030_text_is_read(tmp_path: Path) -> None:
    (tmp_path / "g.txt").write_bytes("设备融资租赁说明".encode("gb18030"))
    assert load_file(tmp_path / "g.txt").text == "设备融资租赁说明"


def test_html_headings_paragraphs_and_tables(tmp_path: Path) -> None:
    html = (
        "<html><head><title>票据贴现</title><meta name='category' content='product'></head><body>"
        "<script>alert(1)</script><h1>票据贴现</h1><p>年化贴现利率1.8%起。</p>"
        "<table><tr><th>期限</th><th>年化利率</th></tr><tr><td>3个月</td><td>1.8%</td></tr></table></body></html>"
    )
    (tmp_path / "p.html").write_text(html, encoding="utf-8")
    doc = load_file(tmp_path / "p.html")
    assert doc.metadata["title"] == "票据贴现" and doc.metadata["category"] == "product"
    assert "# 票据贴现" in doc.text and "| 3个月 | 1.8% |" in doc.text and "alert" not in doc.text


def test_docx_with_heading_and_table(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "设备租赁"
    document.add_heading("设备租赁", level=1)
    document.add_paragraph("租期最长5年。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "期限", "年化利率"
    table.cell(1, 0).text, table.cell(1, 1).text = "36个月", "4.5%"
    document.save(str(tmp_path / "d.docx"))
    doc = load_file(tmp_path / "d.docx")
    assert doc.metadata["title"] == "设备租赁"
    assert "# 设备租赁" in doc.text and "租期最长5年。" in doc.text and "| 36个月 | 4.5% |" in doc.text


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "r.pdf"))
    pdf.setTitle("Rate sheet")
    pdf.drawString(72, 720, "Annualized rate 3.65% for 12 months")
    pdf.save()
    doc = load_file(tmp_path / "r.pdf")
    assert "3.65%" in doc.text and doc.metadata["title"] == "Rate sheet"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty document"),
        ("only-front.md", b"---\ntitle: x\n---\n", "empty document"),
        ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nbody", "front matter is not valid YAML"),
        ("list-yaml.md", b"---\n- a\n---\nbody", "front matter must be a mapping"),
        ("bad-date.md", b"---\neffective_date: someday\n---\nbody", "effective_date is not an ISO date"),
        ("binary.txt", bytes(range(128, 256)) * 4, "not valid UTF-8 or GB18030"),
        ("corrupt.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
        ("corrupt.pdf", b"%PDF-1.4 garbage", "not a readable PDF"),
        ("data.xlsx", b"whatever", "unsupported file type '.xlsx'"),
    ],
)
def test_bad_files_get_a_clear_error_naming_the_file(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as caught:
        load_file(path)
    assert name in str(caught.value) and reason in str(caught.value)


def test_docx_that_is_a_zip_without_document_part(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "z.docx", "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(LoadError, match=r"z\.docx"):
        load_file(tmp_path / "z.docx")


def test_control_characters_are_stripped_from_an_ingested_document(tmp_path: Path) -> None:
    path = tmp_path / "nul.md"
    path.write_text("---\ntitle: 测试\x00贷\n---\n# 标题\n\n年化\x00利率\x1b4%。\x0c第二页\x85\n", encoding="utf-8")
    document = load_file(path)
    assert document.text == "# 标题\n\n年化利率4%。\n第二页"
    assert document.metadata["title"] == "测试贷"
