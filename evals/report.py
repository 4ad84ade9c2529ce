"""Markdown report with one bar chart per suite (current vs baseline), written beside the report."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from evals.gates import MetricDelta
from evals.types import SuiteResult


def _chart(suite: str, rows: list[MetricDelta], path: Path) -> None:
    rows = [r for r in rows if r.metric != "cases" and 0 <= r.value <= 1]
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * max(len(rows), 1)))
    names = [r.metric for r in rows]
    ax.barh(names, [r.baseline or 0 for r in rows], color="#c8d3e0", label="baseline", height=0.8)
    ax.barh(names, [r.value for r in rows], color="#2f6db5", label="this run", height=0.45)
    ax.set_xlim(0, 1.05)
    ax.set_title(suite)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(results: list[SuiteResult], deltas: list[MetricDelta], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# finassist eval report", ""]
    failed = [d for d in deltas if d.failure]
    lines += [f"**Gate: {'FAILED' if failed else 'passed'}**", ""]
    for result in results:
        rows = [d for d in deltas if d.suite == result.name]
        chart = path.with_name(f"{path.stem}-{result.name}.png")
        _chart(result.name, rows, chart)
        lines += [f"## {result.name}", "", f"![{result.name}]({chart.name})", ""]
        lines += ["| metric | value | baseline | delta | gate |", "| --- | --- | --- | --- | --- |"]
        for d in rows:
            gate = ("FAIL: " + d.failure) if d.failure else ("ok" if d.gated else "")
            lines.append(
                f"| {d.metric} | {d.value} | {d.baseline if d.baseline is not None else '—'} | "
                f"{d.delta if d.delta is not None else '—'} | {gate} |"
            )
        if result.failures:
            lines += ["", f"{len(result.failures)} failing case(s):", ""]
            lines += [f"- `{c.id}`: {c.detail}" for c in result.failures[:20]]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
