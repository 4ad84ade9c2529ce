"""Rewrite a member reply so that no error-level finding survives: soften or remove each error span."""

from __future__ import annotations

from assistant.compliance.engine import Finding, Report, check
from assistant.compliance.rules import Context

_MAX_PASSES = 4


def _merge(errors: list[Finding]) -> list[tuple[int, int, str]]:
    """Overlapping error spans become one edit; the earliest-starting finding's replacement wins."""
    edits: list[tuple[int, int, str]] = []
    for f in sorted(errors, key=lambda f: (f.span[0], -f.span[1])):
        start, end = f.span
        if edits and start < edits[-1][1]:
            last_start, last_end, replacement = edits[-1]
            edits[-1] = (last_start, max(last_end, end), replacement)
        else:
            edits.append((start, end, f.replacement))
    return edits


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def rewrite_with_report(text: str, *, context: Context = "reply") -> tuple[str, Report]:
    """The rewritten text and the report of the original text (what was changed and why).

    Each error span is replaced by its rule's softened wording (or its masked/annualized form); the
    result is checked again, and spans that still fail after a few passes are removed outright.
    Warnings are left alone.
    """
    original = check(text, context=context)
    report = original
    for attempt in range(2 * _MAX_PASSES):
        if report.passed:
            break
        removing = attempt >= _MAX_PASSES
        edits = _merge(report.errors)
        text = _apply(text, [(s, e, "" if removing else r) for s, e, r in edits])
        report = check(text, context=context)
    return text, original


def rewrite(text: str, *, context: Context = "reply") -> str:
    """Member-reply guard: the text with every error-level violation softened or removed."""
    return rewrite_with_report(text, context=context)[0]
