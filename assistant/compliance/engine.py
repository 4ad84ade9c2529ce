"""check(text) -> Report: every rule run over the text, findings explained and cited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.compliance.checks import CHECKS, Hit, Scan
from assistant.compliance.context import is_negated
from assistant.compliance.prefilter import finditer_near
from assistant.compliance.rules import Context, Rule, RuleSet, Severity, default_rules
from knowledge.text import fold_script_and_digits

Verdict = Literal["pass", "review", "block"]


@dataclass(frozen=True)
class Finding:
    """One rule violation: where it is, what matched, why it is wrong, how to fix it, and the legal source."""

    rule: str
    severity: Severity
    span: tuple[int, int]
    matched: str
    message: str
    fix: str
    source: str
    category: str
    replacement: str = field(default="", compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The HTTP/CLI shape: {rule, severity, span: [start, end], matched, message, fix, source}."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "span": [self.span[0], self.span[1]],
            "matched": self.matched,
            "message": self.message,
            "fix": self.fix,
            "source": self.source,
        }


@dataclass(frozen=True)
class Report:
    """All findings for one text, in text order. `passed` is False while any error remains."""

    findings: tuple[Finding, ...]
    text: str = field(default="", repr=False)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def verdict(self) -> Verdict:
        """block: errors (approval blocked); review: warnings only; pass: clean."""
        if self.errors:
            return "block"
        return "review" if self.findings else "pass"

    def rule_ids(self, severity: Severity | None = None) -> set[str]:
        return {f.rule for f in self.findings if severity is None or f.severity == severity}

    def to_dict(self) -> dict[str, Any]:
        """Exactly the contract shape: {passed, findings: [...]}."""
        return {"passed": self.passed, "findings": [f.to_dict() for f in self.findings]}

    def to_text(self) -> str:
        """Human-readable report for the CLI: one block per finding, then a summary line."""
        lines = []
        for f in self.findings:
            lines += [
                f"{f.severity.upper()} {f.rule} [{f.span[0]}:{f.span[1]}] “{f.matched}”",
                f"  问题：{f.message}",
                f"  修改：{f.fix}",
                f"  依据：{f.source}",
            ]
        verdict = {"pass": "通过", "review": "通过（有提示）", "block": "不通过"}[self.verdict]
        lines.append(f"{verdict}：{len(self.errors)} 个错误，{len(self.warnings)} 个提示")
        return "\n".join(lines)


def _pattern_hits(text: str, rule: Rule, positions: list[int] | None) -> list[Hit]:
    assert rule.regex is not None
    hits = []
    for m in finditer_near(rule.regex, text, positions, rule.max_width):
        if m.end() == m.start():
            continue
        if rule.negatable and is_negated(text, m.start(), m.end()):
            continue
        hits.append(Hit(m.start(), m.end()))
    return hits


def _finding(text: str, rule: Rule, hit: Hit) -> Finding:
    return Finding(
        rule=rule.id,
        severity=rule.severity,
        span=(hit.start, hit.end),
        matched=text[hit.start : hit.end],
        message=rule.message,
        fix=hit.fix or rule.fix,
        source=rule.source,
        category=rule.category,
        replacement=rule.replacement if hit.replacement is None else hit.replacement,
    )


def _without_nested(findings: list[Finding]) -> list[Finding]:
    """Drop a finding whose span lies inside another finding of the same rule."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.span[0], -f.span[1])):
        if any(k.rule == f.rule and k.span[0] <= f.span[0] and f.span[1] <= k.span[1] for k in kept):
            continue
        kept.append(f)
    return kept


def check(text: str, *, context: Context = "post", rules: RuleSet | None = None) -> Report:
    """Run every rule that applies in this context ("post" for published content, "reply" for member replies)."""
    if not isinstance(text, str):
        raise TypeError("text must be a str")
    if context not in ("post", "reply"):
        raise ValueError(f"context must be 'post' or 'reply', not {context!r}")
    ruleset = rules or default_rules()
    original, text = text, fold_script_and_digits(text)  # 包過/１００％ match as 包过/100%; spans are the same
    candidates = ruleset.triggers.candidates(text)
    scan = Scan(text, context, candidates)
    findings: list[Finding] = []
    for rule in ruleset.rules:
        if context not in rule.contexts or (rule.check is None and rule.id not in candidates):
            continue
        if rule.check is None:
            hits: Iterable[Hit] = _pattern_hits(text, rule, candidates[rule.id])
        else:
            hits = CHECKS[rule.check](scan, rule)
        findings.extend(_finding(original, rule, hit) for hit in hits)
    return Report(findings=tuple(_without_nested(findings)), text=original)
