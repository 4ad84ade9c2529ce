"""Supersession: a replaced document is in force in its own window until its successor takes effect."""

from __future__ import annotations

from typing import Any

from knowledge.filters import NO_END, flat_metadata, supersede


def flats(*docs: dict[str, Any]) -> list[dict[str, Any]]:
    return [flat_metadata(doc) for doc in docs]


def test_a_superseded_document_ends_the_day_before_its_successor_starts() -> None:
    chunks = flats(
        {"source": "p/old.md", "effective_date": "2023-01-01", "superseded_by": "p/new.md"},
        {"source": "p/old-capped.md", "effective_date": "2023-01-01", "expires": "2024-06-30"},
        {"source": "p/new.md", "effective_date": "2025-03-01"},
    )
    supersede(chunks, ["p/new.md", "p/new.md", None])
    old, capped, new = chunks
    assert (old["effective"], old["expires"], old["superseded"]) == (20230101, 20250228, False)
    assert (capped["expires"], capped["superseded"]) == (20240630, False)  # its own end came first
    assert (new["expires"], new["superseded"]) == (NO_END, False)


def test_the_successor_may_be_named_relative_to_a_folder_above_it() -> None:
    chunks = flats(
        {"source": "corpus/p/old.md", "superseded_by": "p/new.md"},
        {"source": "corpus/p/new.md", "effective_date": "2024-01-01"},
    )
    supersede(chunks, ["p/new.md", None])
    assert (chunks[0]["expires"], chunks[0]["superseded"]) == (20231231, False)


def test_without_a_known_start_the_document_stays_out_of_force_on_every_date() -> None:
    chunks = flats(
        {"source": "a/old.md", "effective_date": "2023-01-01", "superseded_by": "missing.md"},
        {"source": "b/old.md", "superseded_by": "b/undated.md"},
        {"source": "b/undated.md"},
        {"source": "c/old.md", "superseded_by": "x.md"},
        {"source": "c1/x.md", "effective_date": "2024-01-01"},
        {"source": "c2/x.md", "effective_date": "2025-01-01"},  # two candidates: ambiguous
    )
    supersede(chunks, ["missing.md", "b/undated.md", None, "x.md", None, None])
    assert [c["superseded"] for c in chunks] == [True, True, False, True, False, False]
    assert chunks[0]["expires"] == NO_END
