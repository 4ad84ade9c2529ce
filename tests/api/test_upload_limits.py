"""Uploads cannot hold the single writer slot: size and structure are checked and the file is read (in a
process of its own, under a time budget) before the slot is taken; a refused upload answers 422 with the
reason and leaves no file behind; every file of a multi-file request is handled. On SQLite and PostgreSQL.

Before: a 97 KB .docx of a million empty paragraphs held the slot for minutes, a 19 MB .md for a minute,
unreadable files answered 200 with `failed` and stayed in uploads/, and of two files only the last was kept.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from assistant.uploads import STAGING_DIR, UPLOAD_DIR
from tests.api.store_apps import StoreApp

URL = "/v1/knowledge/documents"
NORMAL = "---\ntitle: 普通贷\n---\n# 普通贷\n\n普通贷的年化利率为3.9%，期限两年。\n"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bytes(paragraphs: str) -> bytes:
    """A minimal WordprocessingML package whose body is `paragraphs` (XML)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml", f'<?xml version="1.0"?><w:document {W}><w:body>{paragraphs}</w:body></w:document>'
        )
    return buffer.getvalue()


def left_behind(app: StoreApp) -> list[str]:
    """Files in the upload folder and in the staging folder."""
    data_dir = Path(app.services.index.data_dir)
    return sorted(
        str(p.relative_to(data_dir))
        for d in (UPLOAD_DIR, STAGING_DIR)
        for p in (data_dir / d).rglob("*")
        if p.is_file()
    )


def post(app: StoreApp, *files: tuple[str, bytes]) -> Any:
    parts = [("file", (name, data, "application/octet-stream")) for name, data in files]
    return app.client.post(URL, files=parts, headers=app.headers["editor"])


def assert_normal_upload_works(app: StoreApp, name: str) -> None:
    response = post(app, (name, NORMAL.encode()))
    assert response.status_code == 200, response.text
    assert {"name": name, "status": "added"} in response.json()["files"]


def test_a_docx_of_a_million_empty_paragraphs_is_refused_before_parsing(store_app: StoreApp) -> None:
    bomb = docx_bytes("<w:p/>" * 1_000_000)
    assert len(bomb) < 100_000
    before = left_behind(store_app)
    response = post(store_app, ("空段落.docx", bomb))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "upload_refused"
    assert "空段落.docx: more than 20000 paragraphs" in response.json()["error"]["message"]
    assert left_behind(store_app) == before
    assert_normal_upload_works(store_app, "普通贷一.md")  # the slot is free right after


def test_a_19_mb_markdown_file_is_refused(store_app: StoreApp) -> None:
    big = ("# 标题\n" + "利率" * 100 + "\n") * 60_000
    data = big.encode()[: 19 * 1024 * 1024]
    before = left_behind(store_app)
    response = post(store_app, ("大文件.md", data))
    assert response.status_code == 422, response.text
    assert "大文件.md: " in response.json()["error"]["message"]
    assert "more than 1000000 characters" in response.json()["error"]["message"]
    assert left_behind(store_app) == before
    assert_normal_upload_works(store_app, "普通贷二.md")


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("坏的.docx", b"PK\x03\x04 not really a zip", "not a readable .docx file"),
        ("坏的.pdf", b"%PDF-1.7\n garbage", "not a readable PDF"),
        ("假的.pdf", b"hello", "no %PDF- header"),
        ("空的.md", b"   \n", "empty document"),
        ("无正文.docx", docx_bytes(""), "empty document"),
    ],
)
def test_an_unreadable_upload_answers_422_and_leaves_no_file(
    store_app: StoreApp, name: str, data: bytes, reason: str
) -> None:
    before = left_behind(store_app)
    response = post(store_app, (name, data))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["message"].startswith(f"{name}: ")
    assert reason in response.json()["error"]["message"]
    assert left_behind(store_app) == before


def test_a_parse_over_its_time_budget_is_refused(store_app: StoreApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_app.services.settings, "upload_parse_seconds", 0.001)  # no parse fits in this
    before = left_behind(store_app)
    response = post(store_app, ("慢的.md", NORMAL.encode()))
    assert response.status_code == 422, response.text
    assert "慢的.md: took longer than 0.001 s to read" in response.json()["error"]["message"]
    assert left_behind(store_app) == before


def test_checks_and_reading_happen_before_the_slot_is_taken(store_app: StoreApp) -> None:
    slot = store_app.client.app.state.ingest_lock  # type: ignore[attr-defined]
    assert slot.acquire(blocking=False)
    try:
        refused = post(store_app, ("空段落二.docx", docx_bytes("<w:p/>" * 30_000)))
        busy = post(store_app, ("普通贷三.md", NORMAL.encode()))
    finally:
        slot.release()
    assert refused.status_code == 422, refused.text  # refused without waiting for the slot
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "writer_busy"
    assert "普通贷三.md" not in " ".join(left_behind(store_app))
    assert_normal_upload_works(store_app, "普通贷三.md")


def test_every_file_of_a_multi_file_upload_is_ingested(store_app: StoreApp) -> None:
    second = NORMAL.replace("普通贷", "第二贷")
    response = post(store_app, ("多一.md", NORMAL.encode()), ("多二.md", second.encode()))
    assert response.status_code == 200, response.text
    body = response.json()
    assert sorted(body["added"]) == ["多一.md", "多二.md"]
    assert body["files"] == [{"name": "多一.md", "status": "added"}, {"name": "多二.md", "status": "added"}]
    assert {"uploads/多一.md", "uploads/多二.md"} <= set(left_behind(store_app))
    again = post(store_app, ("多一.md", NORMAL.encode()))
    assert again.json()["files"] == [{"name": "多一.md", "status": "unchanged"}]


def test_one_bad_file_refuses_the_whole_upload_naming_it(store_app: StoreApp) -> None:
    before = left_behind(store_app)
    response = post(store_app, ("好的.md", NORMAL.encode()), ("坏的二.docx", b"not a zip"))
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert message.startswith("坏的二.docx: not a readable .docx file") and "好的.md" not in message
    assert left_behind(store_app) == before


def test_the_same_name_twice_and_bad_names_are_refused(store_app: StoreApp) -> None:
    twice = post(store_app, ("同名.md", NORMAL.encode()), ("同名.md", NORMAL.encode()))
    assert twice.status_code == 422 and "同名.md: sent twice" in twice.json()["error"]["message"]
    exe = post(store_app, ("run.exe", b"MZ"))
    assert exe.status_code == 422 and exe.json()["error"]["code"] == "unsupported_file_type"
