"""Whether the passages answer a question, as a probability: a logistic model over three measured signals,
fitted per embedding on labelled dev questions (``python -m evals.calibrate``) and stored as data
(``answerability.yaml``), so the line between "answer" and "I don't know" is calibrated, not hand-set.

The checks that state facts (a place the passages do not cover, a product the knowledge base lacks, no
leading unit holding the kind of value asked for) stay rules; the model replaces the thresholds on
similarity and on unfamiliar words, which cannot be set by hand for an embedding whose cosines are
compressed (docs/reader.md).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from assistant.service.catalog import in_text
from knowledge.text import specificity

log = logging.getLogger(__name__)
MODELS_FILE = Path(__file__).with_name("answerability.yaml")


@dataclass(frozen=True)
class Signals:
    """What the model reads of one question and its passages."""

    similarity: float  # the best answer unit's cosine to the question
    coverage: float  # share of the question's key terms that the best passage (title, heading, text) holds
    # how much closer the best unit is than the closest one holding the kind of value asked for (0: the best
    # holds it, or no kind was asked)
    kind_gap: float

    @classmethod
    def measure(cls, similarity: float, terms: Sequence[str], best_text: str, kind_similarity: float | None) -> Signals:
        """``kind_similarity``: of the units holding the kind of value asked for, the closest one's (None: no
        kind asked)."""
        missing = [t for t in terms if not in_text(t, best_text)]
        total = sum(specificity(t) for t in terms)
        coverage = 1.0 - sum(specificity(t) for t in missing) / total if terms else 1.0
        gap = max(similarity - kind_similarity, 0.0) if kind_similarity is not None else 0.0
        return cls(similarity, coverage, gap)

    def vector(self) -> list[float]:
        return [float(getattr(self, f.name)) for f in fields(self)]

    def as_dict(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in asdict(self).items()}


SIGNALS = tuple(f.name for f in fields(Signals))


@dataclass(frozen=True)
class AnswerabilityModel:
    """p(answerable) = sigmoid(bias + Σ weight × signal); the passages answer when p >= threshold."""

    weights: Mapping[str, float]
    bias: float
    threshold: float

    def probability(self, signals: Signals) -> float:
        z = self.bias + sum(self.weights[name] * value for name, value in zip(SIGNALS, signals.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def answers(self, signals: Signals) -> bool:
        return self.probability(signals) >= self.threshold

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AnswerabilityModel:
        weights = {name: float(data["weights"][name]) for name in SIGNALS}
        return cls(weights, float(data["bias"]), float(data["threshold"]))


@lru_cache(maxsize=4)
def load_models(path: Path = MODELS_FILE) -> Mapping[str, AnswerabilityModel]:
    """Embedding name -> its fitted model (an embedding without one keeps the reader's thresholds)."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    models = {}
    for name, entry in data.get("models", {}).items():
        if set(entry.get("weights", {})) != set(SIGNALS):  # fitted on other signals: refit (python -m evals.calibrate)
            log.warning("answerability model for %s is stale (signals %s); not used", name, sorted(entry["weights"]))
            continue
        models[name] = AnswerabilityModel.from_dict(entry)
    return models


def model_for(embedding_name: str) -> AnswerabilityModel | None:
    return load_models().get(embedding_name)


def fit(
    samples: Sequence[Signals], answerable: Sequence[bool], l2: float = 1.0, steps: int = 4000
) -> tuple[dict[str, float], float]:
    """Logistic regression by gradient descent on standardised signals, with a light L2 penalty (few samples);
    returns weights and bias on the raw signals."""
    x = np.asarray([s.vector() for s in samples], dtype=np.float64)
    y = np.asarray(answerable, dtype=np.float64)
    mean, spread = x.mean(axis=0), x.std(axis=0) + 1e-9
    xs = (x - mean) / spread
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(xs @ w + b)))
        w -= 0.5 * (xs.T @ (p - y) + l2 * w) / len(y)
        b -= 0.5 * float(np.mean(p - y))
    raw = w / spread
    return dict(zip(SIGNALS, (round(float(v), 4) for v in raw), strict=True)), round(b - float(raw @ mean), 4)
