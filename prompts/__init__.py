"""Prompt files, loaded in one place.

Prompts are Markdown (or .txt) files beside this module. Placeholders are ``{name}`` where ``name`` is a
Python identifier; any other brace (JSON examples such as ``{"intent": "question"}``) is literal text, so
prompt files never need brace escaping.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

__all__ = ["PromptError", "PromptNotFound", "PromptVariableError", "load_prompt", "placeholders", "render"]

_SUFFIXES = ("", ".md", ".txt")
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class PromptError(Exception):
    """Base class for prompt loading and rendering errors."""


class PromptNotFound(PromptError, LookupError):
    """No prompt file with that name exists in the prompts package."""


class PromptVariableError(PromptError, KeyError):
    """A placeholder in the prompt was not given a value."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


@lru_cache(maxsize=64)
def load_prompt(name: str) -> str:
    """Raw text of prompt ``name`` (``"system"`` finds ``system.md``); cached after the first read."""
    if not _NAME_RE.match(name) or ".." in name:
        raise PromptNotFound(f"invalid prompt name {name!r}")
    root = resources.files(__name__)
    for suffix in _SUFFIXES:
        candidate = root.joinpath(name + suffix)
        if suffix == "" and not name.endswith((".md", ".txt")):
            continue
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise PromptNotFound(f"prompt {name!r} not found in the prompts package (looked for .md and .txt)")


def placeholders(name: str) -> frozenset[str]:
    """Names of the ``{placeholders}`` used by prompt ``name``."""
    return frozenset(_PLACEHOLDER_RE.findall(load_prompt(name)))


def render(name: str, **variables: object) -> str:
    """Prompt ``name`` with its placeholders filled; raises PromptVariableError naming any missing ones.

    Extra variables are ignored so callers can pass one shared context to several prompts.
    """
    template = load_prompt(name)
    missing = sorted(placeholders(name) - variables.keys())
    if missing:
        raise PromptVariableError(f"prompt {name!r} needs variable(s) {', '.join(missing)}")
    return _PLACEHOLDER_RE.sub(lambda m: str(variables[m.group(1)]), template)
