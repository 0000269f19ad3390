"""Necessary literals of a regex: a match must contain at least one of them.

The idea of RE2's and Hyperscan's prefilters, on Python's own regex parser:
a rule whose literals do not occur in a document (a C-speed substring test)
cannot match it, so its pattern is never run there. Literals are lower-cased
and tested against lower-cased text, which keeps the test necessary for
case-sensitive and case-insensitive patterns alike. Patterns Python's parser
cannot read (regex-module extensions) get no prefilter and are always run.
"""

from __future__ import annotations

import warnings
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        from re import _constants as _c  # type: ignore[attr-defined]
        from re import _parser as _p  # type: ignore[attr-defined]
    except ImportError:  # Python 3.10
        import sre_constants as _c
        import sre_parse as _p

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-cased strings of which every match contains one, or None when none can be derived."""
    try:
        parsed = _p.parse(pattern)
    except Exception:
        return None
    found = _sequence(list(parsed))
    if not found or any(not lit.strip() for lit in found):
        return None
    return frozenset(found)


def _strength(lits: frozenset[str]) -> tuple[int, int]:
    return (min(len(x) for x in lits), -len(lits))


def _sequence(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """The most selective requirement among the elements of a concatenation."""
    options: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av).lower()
            continue
        if run:
            options.append(frozenset([run]))
            run = ""
        sub = _element(op, av)
        if sub:
            options.append(sub)
    if run:
        options.append(frozenset([run]))
    return max(options, key=_strength) if options else None


def _element(op: Any, av: Any) -> frozenset[str] | None:
    if op is _c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is _c.BRANCH:
        alternatives = [_sequence(list(branch)) for branch in av[1]]
        if any(a is None for a in alternatives):
            return None
        return frozenset().union(*alternatives)  # type: ignore[arg-type]
    if op in _REPEATS:
        low, _high, sub = av
        return _sequence(list(sub)) if low >= 1 else None
    return None
