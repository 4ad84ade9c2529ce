"""What the suites run against: a hermetic index of the sample corpus in a temp directory, on a fixed date,
with the offline model unless the caller passes other services."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from knowledge.embedding import E5Embedding, Embedding
from knowledge.index import KnowledgeIndex
from knowledge.ingest import ingest
from knowledge.retriever import HybridRetriever

EVALS_DIR = Path(__file__).resolve().parent
DATASETS = EVALS_DIR / "datasets"
CORPUS = EVALS_DIR.parent / "knowledge" / "corpus"
# Datasets are written against the sample corpus as it stands on this date (events expire in 2027).
EVAL_DATE = date(2026, 12, 1)


def parse_extra(raw: str) -> tuple[Path, ...]:
    """Extra dataset files (Settings.eval_extra, FINASSIST_EVAL_EXTRA), separated by the OS path separator or
    commas: scored beside a suite's own (e.g. a blind test half kept outside the repository). A suite takes
    the files whose name starts with its name (safety_blind_test.jsonl -> safety) and reports them under the
    file's stem, never gated."""
    parts = [p.strip() for chunk in raw.split(os.pathsep) for p in chunk.split(",")]
    return tuple(Path(p) for p in parts if p)


@dataclass
class EvalContext:
    datasets: Path = DATASETS
    corpus: Path = CORPUS
    today: date = EVAL_DATE
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="finassist-eval-")))
    embedding: Callable[[], Embedding] = E5Embedding  # the product's default: what members get
    vector_cache: Path | None = None  # where vectors are kept between runs; None: the workdir (embeds afresh)
    extra: tuple[Path, ...] = ()  # extra dataset files, see parse_extra

    @cached_property
    def index(self) -> KnowledgeIndex:
        index = KnowledgeIndex.open(self.workdir / "data", self.embedding(), vector_cache=self.vector_cache)
        report = ingest(index, [self.corpus])
        if not report.ok:
            raise RuntimeError(f"sample corpus failed to ingest: {report.failed}")
        return index

    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.index, today=lambda: self.today)

    def dataset(self, name: str) -> Path:
        return self.datasets / name

    def extra_datasets(self, suite: str) -> list[Path]:
        """The extra dataset files meant for ``suite`` (missing files raise, so a typo is not a silent 0)."""
        chosen = [p for p in self.extra if p.name.startswith(suite)]
        missing = [str(p) for p in chosen if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"extra eval dataset(s) not found: {', '.join(missing)}")
        return chosen

    @contextmanager
    def ingested(self, documents: Sequence[tuple[str, str]]) -> Iterator[None]:
        """The index with these (path, text) documents ingested beside the corpus, as an upload would be; on
        exit they are removed again and any corpus file they replaced is restored."""
        if not documents:
            yield
            return
        for path, _ in documents:
            if Path(path).is_absolute() or ".." in Path(path).parts:
                raise ValueError(f"document path outside its folder: {path!r}")
        self.workdir.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="docs-", dir=self.workdir))
        for path, text in documents:
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            report = ingest(self.index, [folder])
            if report.failed:
                raise RuntimeError(f"eval document failed to ingest: {report.failed}")
            yield
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            ingest(self.index, [folder], sync=True)
            folder.rmdir()
            ingest(self.index, [self.corpus])

    @cached_property
    def services(self) -> Any:
        """Agent and drafting services on a fresh SQLite store (built on first use by suites that need them)."""
        from evals.wiring import build_eval_services

        return build_eval_services(self)

    def close(self) -> None:
        services = self.__dict__.get("services")
        if services is not None:
            services.close()
        if "index" in self.__dict__:
            self.index.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
