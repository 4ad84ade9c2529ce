"""The same index against a Chroma server (`chroma run` on loopback), as a scaled-out deployment uses it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.embedding import HashingEmbedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.retriever import HybridRetriever
from tests.conftest import CORPUS, TEST_TODAY

pytestmark = [pytest.mark.slow, pytest.mark.allow_hosts(["127.0.0.1"])]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = _free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    args = [chroma, "run", "--path", str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1"]
    proc = subprocess.Popen([*args, "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma run did not answer its heartbeat within 60 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_ingest_and_search_through_a_chroma_server(chroma_server: int, tmp_path: Path) -> None:
    index = KnowledgeIndex.open(
        tmp_path / "data", HashingEmbedding(512), chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    try:
        report = ingest(index, [CORPUS])
        assert report.ok and index.vectors.count() == index.chunks.count()
        assert not (tmp_path / "data" / "chroma").exists() or not any((tmp_path / "data" / "chroma").iterdir())
        hits = HybridRetriever(index, today=lambda: TEST_TODAY).search("专利质押贷款", k=3)
        assert hits[0].source == "products/zhihui-ip-pledge-loan.md"
    finally:
        index.close()
    # A second client (another API worker) reopens the collection with the registered embedding function.
    again = KnowledgeIndex.open(
        tmp_path / "data", HashingEmbedding(512), chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    try:
        assert again.vectors.count() == again.chunks.count()
    finally:
        again.close()
