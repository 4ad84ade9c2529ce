"""jieba's dictionary read word by word from its SQLite copy answers exactly as the whole dict: the same cuts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jieba
import pytest

from knowledge.text import jieba_dictionary
from knowledge.text.jieba_dictionary import FILE, DiskFrequencies, _open_copy, _write_copy
from tests.conftest import CORPUS, REPO


@pytest.fixture(scope="module")
def full() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def corpus_lines(limit: int = 400) -> list[str]:
    lines = [line for path in sorted(CORPUS.rglob("*.md")) for line in path.read_text("utf-8").splitlines() if line]
    return lines[:limit]


def test_cuts_from_the_copy_equal_cuts_from_the_whole_dictionary(tmp_path: Path, full: jieba.Tokenizer) -> None:
    (tmp_path / jieba_dictionary.JIEBA_CACHE).write_bytes(b"stands for jieba's cache file")
    _write_copy(tmp_path, full.FREQ, full.total)
    disk = _open_copy(tmp_path)
    assert disk is not None and disk.total() == full.total and len(disk) == len(full.FREQ)
    reader = jieba.Tokenizer()
    reader.FREQ, reader.total, reader.initialized = disk, disk.total(), True
    for line in corpus_lines():
        assert reader.lcut(line) == full.lcut(line), line
        assert reader.lcut_for_search(line) == full.lcut_for_search(line), line
    assert "贷款" in disk and disk["贷款"] == full.FREQ["贷款"] and disk.get("贷款之外的词") is None
    disk.close()


def test_a_copy_of_another_jieba_cache_is_not_used(tmp_path: Path, full: jieba.Tokenizer) -> None:
    cache = tmp_path / jieba_dictionary.JIEBA_CACHE
    cache.write_bytes(b"one")
    _write_copy(tmp_path, {"贷款": 5, "贷": 0}, 5)
    assert _open_copy(tmp_path) is not None
    cache.write_bytes(b"another cache, rewritten")  # jieba rebuilt its cache: the copy is stale
    assert _open_copy(tmp_path) is None
    (tmp_path / FILE).write_bytes(b"not a database")
    assert _open_copy(tmp_path) is None


def test_many_lookups_switch_to_the_whole_dictionary(tmp_path: Path, full: jieba.Tokenizer) -> None:
    (tmp_path / jieba_dictionary.JIEBA_CACHE).write_bytes(b"x")
    _write_copy(tmp_path, {"贷款": 5, "贷": 0}, 5)
    disk = DiskFrequencies(tmp_path / FILE, tmp_path)
    words = [f"词{i}" for i in range(jieba_dictionary.FULL_AFTER + 1)]
    assert not any(word in disk for word in words)
    assert disk._full is not None  # loaded once the copy had been read FULL_AFTER times
    disk.close()


def test_a_search_process_cuts_its_query_from_the_copy(tmp_path: Path) -> None:
    """configure_jieba(dir, load=False), as KnowledgeIndex.open does: the copy is made once, then used; the
    query's tokens are the same as with the whole dictionary loaded."""
    code = (
        "import json, sys; from pathlib import Path; import jieba\n"
        "from knowledge.text import tokens\n"
        "from knowledge.text.jieba_dictionary import DiskFrequencies, load_full_dictionary\n"
        f"tokens.configure_jieba(Path({str(tmp_path)!r}), load=False)\n"
        "query = '专利能拿来贷款吗？知识产权质押贷款的利率是多少'\n"
        "disk = isinstance(jieba.dt.FREQ, DiskFrequencies); cut = tokens.tokenize(query)\n"
        "load_full_dictionary(); tokens._cut.cache_clear()\n"
        "print(json.dumps([disk, cut == tokens.tokenize(query), isinstance(jieba.dt.FREQ, dict)]))\n"
    )

    def run() -> list[bool]:
        done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
        return list(json.loads(done.stdout))

    assert run() == [False, True, True]  # first process: no copy yet, it loads the whole dictionary and writes one
    assert (tmp_path / FILE).exists()
    assert run() == [True, True, True]  # later ones read the copy
