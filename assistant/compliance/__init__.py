"""Compliance engine for Chinese loan marketing and member replies.

    from assistant.compliance import check, rewrite
    report = check(text)                # Report: passed, findings, errors, warnings, to_dict()
    safe = rewrite(reply)               # member-reply guard: error spans softened or removed

Rules are data (``rules/*.yaml``); the APR calculator follows PBoC announcement [2021] No. 3.
"""

from assistant.compliance.apr import annualize, apr_irr, apr_simple, period_rate
from assistant.compliance.engine import Finding, Report, check
from assistant.compliance.rates import RateMention, find_rates
from assistant.compliance.rewrite import rewrite, rewrite_with_report
from assistant.compliance.rules import Rule, RuleSet, default_rules, load_rules

__all__ = [
    "Finding",
    "RateMention",
    "Report",
    "Rule",
    "RuleSet",
    "annualize",
    "apr_irr",
    "apr_simple",
    "check",
    "default_rules",
    "find_rates",
    "load_rules",
    "period_rate",
    "rewrite",
    "rewrite_with_report",
]
