"""Load compliance rules from YAML into validated, pre-compiled models (once per process)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.compliance.prefilter import TriggerIndex, max_width, required_literals

RULES_DIR = Path(__file__).with_name("rules")

Severity = Literal["error", "warning"]
Context = Literal["post", "reply"]
ALL_CONTEXTS: tuple[Context, ...] = ("post", "reply")
Category = Literal[
    "guaranteed_approval",
    "credit_fraud",
    "zero_risk",
    "superlative",
    "endorsement",
    "rate_disclosure",
    "risk_statement",
    "comparison",
    "personal_data",
]

_VAR_RE = re.compile(r"\{\{(\w+)\}\}")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


class Source(BaseModel):
    """The legal basis of a rule: the law, notice or initiative and the article relied on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    law: str = Field(min_length=2)
    article: str = ""

    def __str__(self) -> str:
        return f"{self.law}{self.article}"


class Examples(BaseModel):
    """Texts the rule must flag and texts it must leave alone; the test-suite runs both."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    violations: list[str] = Field(min_length=1)
    clean: list[str] = Field(min_length=1)


class Rule(BaseModel):
    """One compliance rule: either regex patterns/terms, or the name of a Python check."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    category: Category
    severity: Severity
    message: str = Field(min_length=4)
    fix: str = Field(min_length=4)
    sources: list[Source] = Field(min_length=1)
    examples: Examples
    patterns: list[str] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list)
    check: str | None = None
    negatable: bool = True
    contexts: list[Context] = Field(default_factory=lambda: list(ALL_CONTEXTS))
    replacement: str = ""
    params: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("message", "fix", "replacement")
    @classmethod
    def _join_folded_lines(cls, value: str) -> str:
        """YAML folding puts spaces between Chinese lines; drop whitespace next to non-ASCII text."""
        return _CJK_SPACE.sub("", value.strip())

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            _compile(pattern)
        return patterns

    @field_validator("params")
    @classmethod
    def _params_compile(cls, params: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in params.values():
            for pattern in patterns:
                _compile(pattern)
        return params

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        has_regex = bool(self.patterns or self.terms)
        if has_regex == (self.check is not None):
            raise ValueError(f"rule {self.id}: give patterns/terms or a check, not both or neither")
        return self

    @property
    def source(self) -> str:
        """The legal sources as one citation string."""
        return "；".join(str(s) for s in self.sources)

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        """All patterns and (escaped) terms as one alternation; longer terms first."""
        if self.check is not None:
            return None
        terms = [re.escape(t) for t in sorted(self.terms, key=len, reverse=True)]
        return re.compile("|".join(f"(?:{p})" for p in [*self.patterns, *terms]))

    @cached_property
    def max_width(self) -> int | None:
        """Longest possible match, for scanning only around triggers (None: scan the whole text)."""
        return None if self.regex is None else max_width(self.regex.pattern)

    @cached_property
    def param_regexes(self) -> dict[str, re.Pattern[str]]:
        """Each `params` list compiled as one alternation (for checks that take patterns as data)."""
        return {name: re.compile("|".join(f"(?:{p})" for p in ps) or "(?!)") for name, ps in self.params.items()}

    @cached_property
    def param_widths(self) -> dict[str, int | None]:
        return {name: max_width(regex.pattern) for name, regex in self.param_regexes.items()}


class RuleSet(BaseModel):
    """All rules, in load order, with a lookup by id."""

    model_config = ConfigDict(frozen=True)

    rules: tuple[Rule, ...]

    @cached_property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    @cached_property
    def triggers(self) -> TriggerIndex:
        """Literal pre-filter over every pattern rule: which rules can possibly match a text."""
        keyed = [(r.id, required_literals(r.regex.pattern)) for r in self.rules if r.regex is not None]
        keyed += [
            (param_key(r.id, name), required_literals(regex.pattern))
            for r in self.rules
            for name, regex in r.param_regexes.items()
        ]
        return TriggerIndex(keyed)


def param_key(rule_id: str, name: str) -> str:
    """Key of a rule's param regex in the trigger index."""
    return f"{rule_id}#{name}"


def _compile(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad pattern {pattern!r}: {exc}") from exc


def _expand_vars(pattern: str, variables: dict[str, list[str]], where: str) -> str:
    def alternation(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in variables:
            raise ValueError(f"{where}: unknown variable {{{{{name}}}}}")
        words = sorted(variables[name], key=len, reverse=True)
        return "(?:" + "|".join(re.escape(w) for w in words) + ")"

    return _VAR_RE.sub(alternation, pattern)


def parse_rules(documents: Iterable[tuple[str, dict]], known_checks: Iterable[str] = ()) -> RuleSet:
    """Validate rule documents (name, parsed YAML). `vars` lists are substituted for {{name}} in patterns."""
    checks = set(known_checks)
    rules: list[Rule] = []
    for name, doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
            raise ValueError(f"{name}: expected a mapping with a 'rules' list")
        variables = doc.get("vars") or {}
        for raw in doc["rules"]:
            raw = dict(raw)
            where = f"{name}:{raw.get('id', '?')}"
            raw["patterns"] = [_expand_vars(p, variables, where) for p in raw.get("patterns", [])]
            raw["params"] = {
                k: [_expand_vars(p, variables, where) for p in v] for k, v in (raw.get("params") or {}).items()
            }
            rule = Rule.model_validate(raw)
            if rule.check is not None and checks and rule.check not in checks:
                raise ValueError(f"{where}: unknown check {rule.check!r}")
            rules.append(rule)
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate rule ids: {duplicates}")
    return RuleSet(rules=tuple(rules))


def load_rules(directory: Path = RULES_DIR, known_checks: Iterable[str] = ()) -> RuleSet:
    """Read every `*.yaml` in the directory (sorted by file name) into a RuleSet."""
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise FileNotFoundError(f"no rule files in {directory}")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster start of `check` and the API
    docs = [(p.name, yaml.load(p.read_text(encoding="utf-8"), Loader=loader)) for p in paths]
    return parse_rules(docs, known_checks)


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The packaged rule set, loaded, validated and compiled once."""
    from assistant.compliance.checks import CHECKS

    return load_rules(RULES_DIR, CHECKS)
