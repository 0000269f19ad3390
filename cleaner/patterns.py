"""Compiling user regexes safely and running them with a timeout.

Rule patterns come from users, so every match runs through the `regex`
module with a timeout: a pathological pattern costs at most `timeout`
seconds per document, and the caller decides what to record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import regex

DEFAULT_TIMEOUT = 1.0
FLAGS = regex.MULTILINE | regex.V0


def compile_pattern(pattern: str) -> Any:
    """Compile one user pattern; raises `regex.error` with the position of the problem."""
    return regex.compile(pattern, FLAGS)


_OUTER_NON_WORD = regex.compile(r"^[^\w]+|[^\w]+$")


def literal_core(literal: str) -> str:
    """A literal without surrounding spaces and punctuation, which whole-line matching ignores anyway."""
    return _OUTER_NON_WORD.sub("", literal)


def literal_pattern(literals: Iterable[str]) -> str:
    """A pattern matching a whole line equal to one of `literals`.

    Case-insensitive; surrounding spaces and punctuation are ignored, inner
    whitespace may vary: `I agree` matches "  I  agree. " but not "I agree to go".
    """
    alts = []
    for lit in literals:
        words = lit.split()
        alts.append(r"\s+".join(regex.escape(w) for w in words))
    return r"(?i)^[^\w\n]*(?:" + "|".join(alts) + r")[^\w\n]*$"
