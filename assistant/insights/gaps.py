"""Knowledge gaps: questions the agent could not answer, clustered so paraphrases count as one gap.

Each question becomes a bag of features: its jieba words (stopwords and filler such as 你们/有没有/能 dropped)
plus the character bigrams of what remains. Two questions are similar by the cosine of their bags; clusters
grow greedily (most frequent question first) and a question joins the cluster whose members it resembles
most on average, when that average reaches the threshold (average link: no chaining through one bridge).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from knowledge.text import question_filler, shared_finance_words, tokenize

DEFAULT_THRESHOLD = 0.6
MAX_EXAMPLES = 5
# Topicless filler (lexicons/question_filler.txt) is dropped; words every financing question shares
# (lexicons/shared_finance_words.txt) count, but little (so 房产抵押贷款 ≠ 黄金抵押贷款).
GENERIC_WEIGHT = 0.3
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Gap:
    """One cluster: its most asked wording, how often its questions were asked, and distinct examples."""

    question: str
    count: int
    examples: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {"question": self.question, "count": self.count, "examples": list(self.examples)}


def normalise(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def features(text: str) -> dict[str, float]:
    """Topic words of the question and the character bigrams within them (generic words weigh less)."""
    bag: dict[str, float] = {}
    filler, shared = question_filler(), shared_finance_words()
    for word in (w for w in tokenize(text) if w not in filler):
        weight = GENERIC_WEIGHT if word in shared else 1.0
        for key in (f"w:{word}", *(f"b:{word[i : i + 2]}" for i in range(len(word) - 1))):
            bag[key] = bag.get(key, 0.0) + weight
    return bag


def similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine similarity of two feature bags (0 when either is empty)."""
    if not a or not b:
        return 0.0
    dot = sum(count * b[key] for key, count in a.items() if key in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm


def cluster_questions(
    questions: Iterable[str], *, threshold: float = DEFAULT_THRESHOLD, max_examples: int = MAX_EXAMPLES
) -> list[Gap]:
    """Gaps ranked by how often their questions were asked (ties: first asked first)."""
    counts: Counter[str] = Counter(q for q in (normalise(t) for t in questions) if q)
    distinct = sorted(counts, key=lambda q: -counts[q])  # stable: equal counts keep first-asked order
    bags = {q: features(q) for q in distinct}
    clusters: list[list[str]] = []
    for question in distinct:
        best, best_score = None, threshold
        for members in clusters:
            score = sum(similarity(bags[question], bags[m]) for m in members) / len(members)
            if score >= best_score:
                best, best_score = members, score
        if best is None:
            clusters.append([question])
        else:
            best.append(question)
    gaps = [Gap(members[0], sum(counts[m] for m in members), tuple(members[:max_examples])) for members in clusters]
    return sorted(gaps, key=lambda g: -g.count)


def knowledge_gaps(unanswered: Sequence[str], *, limit: int = 20, threshold: float = DEFAULT_THRESHOLD) -> list[Gap]:
    """The `limit` largest gaps among the texts of unanswered user questions."""
    return cluster_questions(unanswered, threshold=threshold)[:limit]
