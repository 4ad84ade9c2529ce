"""What the suites run against: a hermetic index of the sample corpus in a temp directory, on a fixed date,
with the offline model unless the caller passes other services."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
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


@dataclass
class EvalContext:
    datasets: Path = DATASETS
    corpus: Path = CORPUS
    today: date = EVAL_DATE
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="finassist-eval-")))
    embedding: Callable[[], Embedding] = E5Embedding  # the product's default: what members get
    vector_cache: Path | None = None  # where vectors are kept between runs; None: the workdir (embeds afresh)

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
