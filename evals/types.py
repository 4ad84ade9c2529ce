"""Results of an eval run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CaseResult:
    id: str
    passed: bool
    detail: str = ""


@dataclass
class SuiteResult:
    name: str
    metrics: dict[str, float]
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def failures(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "metrics": self.metrics,
            "cases": len(self.cases),
            "failures": [{"id": c.id, "detail": c.detail} for c in self.failures],
        }
