"""Turn resolved escalations that staff answered into regression eval cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.store import Store

REGRESSIONS = Path(__file__).resolve().parent / "datasets" / "regressions.jsonl"


def escalation_cases(store: Store, page_size: int = 200) -> list[dict[str, Any]]:
    """One case per resolved escalation with a correct answer: the member's question before the handoff."""
    cases, offset = [], 0
    while True:
        page = store.escalations.list(has_correct_answer=True, limit=page_size, offset=offset)
        for escalation in page.items:
            turns = store.conversations.transcript(escalation.conversation_id)
            asked = [t for t in turns if t.role == "user" and t.created_at <= escalation.created_at]
            if not asked or not escalation.correct_answer:
                continue
            cases.append(
                {
                    "id": f"esc-{escalation.id}",
                    "question": asked[-1].text,
                    "expected_answer": escalation.correct_answer,
                    "escalation_type": escalation.type,
                    "source": f"escalation:{escalation.id}",
                }
            )
        offset += page_size
        if offset >= page.total:
            return cases


def export_cases(store: Store, path: Path = REGRESSIONS) -> tuple[int, int]:
    """Merge new cases into the JSONL file (existing ids are kept as they are). Returns (added, total)."""
    existing: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                existing[row["id"]] = row
    added = 0
    for case in escalation_cases(store):
        if case["id"] not in existing:
            existing[case["id"]] = case
            added += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in existing.values()), encoding="utf-8")
    return added, len(existing)
