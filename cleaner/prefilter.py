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
from collections.abc import Callable
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


LEFT, RIGHT = 1, 2  # bounds: no ASCII letter, digit or "_" right before / right after the literal
Cont = Callable[[], bool]
NEVER: Cont = lambda: False  # noqa: E731  (the context outside the pattern: any character)


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-cased strings of which every match contains one, or None when none can be derived."""
    found = required_literals_with_bounds(pattern)
    return None if found is None else frozenset(found)


def required_literals_with_bounds(pattern: str) -> dict[str, int] | None:
    r"""Like `required_literals`, each literal with the bounds every match has around it (LEFT, RIGHT
    bits): where the pattern puts `\b`, `\W`, a space, `^` or `$` next to a literal that starts or ends
    with a word character, a text where that literal sits inside a longer word ("shares" for "share")
    cannot match there, so such an occurrence need not make its line a candidate."""
    try:
        parsed = _p.parse(pattern)
    except Exception:
        return None
    found = _sequence(list(parsed), NEVER, NEVER)
    if not found or any(not lit.strip() for lit in found):
        return None
    return found


def _strength(lits: dict[str, int]) -> tuple[int, int]:
    return (min(len(x) for x in lits), -len(lits))


def _word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _sequence(items: list[tuple[Any, Any]], left: Cont, right: Cont) -> dict[str, int] | None:
    """The most selective requirement among the elements of a concatenation; `left` and `right`
    tell whether the pattern around it always has a non-word character (or an edge) there."""
    options: list[dict[str, int]] = []
    run, run_start = "", 0

    def close(end: int) -> None:
        bounds = 0
        if _word(run[0]) and _ends_nonword(items, run_start - 1, left):
            bounds |= LEFT
        if _word(run[-1]) and _starts_nonword(items, end, right):
            bounds |= RIGHT
        options.append({run: bounds})

    for k, (op, av) in enumerate(items):
        if op is _c.LITERAL:
            if not run:
                run_start = k
            run += chr(av).lower()
            continue
        if run:
            close(k)
            run = ""
        sub = _element(
            op,
            av,
            lambda k=k: _ends_nonword(items, k - 1, left),  # type: ignore[misc]
            lambda k=k: _starts_nonword(items, k + 1, right),  # type: ignore[misc]
        )
        if sub:
            options.append(sub)
    if run:
        close(len(items))
    return max(options, key=_strength) if options else None


def _element(op: Any, av: Any, left: Cont, right: Cont) -> dict[str, int] | None:
    if op is _c.SUBPATTERN:
        return _sequence(list(av[-1]), left, right)
    if op is _c.BRANCH:
        alternatives = [_sequence(list(branch), left, right) for branch in av[1]]
        if any(a is None for a in alternatives):
            return None
        merged: dict[str, int] = {}
        for alternative in alternatives:
            for lit, bounds in alternative.items():  # type: ignore[union-attr]
                merged[lit] = merged.get(lit, bounds) & bounds  # a literal keeps the bounds all its places have
        return merged
    if op in _REPEATS:
        low, high, sub = av
        if low < 1:
            return None
        items = list(sub)
        if high == 1:
            return _sequence(items, left, right)
        # A later round follows an earlier one: its literal may also have the end of the last round before it.
        return _sequence(
            items,
            lambda: left() and _ends_nonword(items, len(items) - 1, left),
            lambda: right() and _starts_nonword(items, 0, right),
        )
    return None


def _set_nonword(members: list[tuple[Any, Any]]) -> bool:
    """A character class that matches no ASCII letter, digit or "_", whatever the flags."""
    for op, av in members:
        if op is _c.NEGATE:
            return False
        if op is _c.LITERAL:
            if not (av < 128 and not _word(chr(av))):
                return False
        elif op is _c.RANGE:
            low, high = av
            if high >= 128 or any(_word(chr(c)) for c in range(low, high + 1)):
                return False
        elif op is _c.CATEGORY:
            if av not in (_c.CATEGORY_NOT_WORD, _c.CATEGORY_SPACE, _c.CATEGORY_LINEBREAK):
                return False
        else:
            return False
    return True


def _consumes_nonword(op: Any, av: Any) -> bool | None:
    """For an element that consumes exactly one character: whether it is never a word character;
    None for elements that are not single characters."""
    if op is _c.LITERAL:
        return av < 128 and not _word(chr(av))
    if op is _c.IN:
        return _set_nonword(list(av))
    if op in (_c.NOT_LITERAL, _c.ANY):
        return False
    return None


def _starts_nonword(items: list[tuple[Any, Any]], i: int, after: Cont) -> bool:
    """Whether whatever items[i:] (then `after`) matches starts with a non-word character or ends the
    text, given that the character before it is a word character."""
    if i >= len(items):
        return after()
    op, av = items[i]
    single = _consumes_nonword(op, av)
    if single is not None:
        return single
    if op is _c.AT:
        return av in (_c.AT_BOUNDARY, _c.AT_END, _c.AT_END_STRING, _c.AT_END_LINE)
    rest: Cont = lambda: _starts_nonword(items, i + 1, after)  # noqa: E731
    if op is _c.SUBPATTERN:
        return _starts_nonword(list(av[-1]), 0, rest)
    if op is _c.BRANCH:
        return all(_starts_nonword(list(branch), 0, rest) for branch in av[1])
    if op in _REPEATS:
        low, _high, sub = av
        first = _starts_nonword(list(sub), 0, rest)
        return first and (low >= 1 or rest())
    return False


def _ends_nonword(items: list[tuple[Any, Any]], i: int, before: Cont) -> bool:
    """Whether whatever items[:i + 1] (after `before`) matches ends with a non-word character or starts
    the text, given that the character after it is a word character."""
    if i < 0:
        return before()
    op, av = items[i]
    single = _consumes_nonword(op, av)
    if single is not None:
        return single
    if op is _c.AT:
        return av in (_c.AT_BOUNDARY, _c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_BEGINNING_LINE)
    rest: Cont = lambda: _ends_nonword(items, i - 1, before)  # noqa: E731
    if op is _c.SUBPATTERN:
        sub = list(av[-1])
        return _ends_nonword(sub, len(sub) - 1, rest)
    if op is _c.BRANCH:
        return all(_ends_nonword(list(branch), len(branch) - 1, rest) for branch in av[1])
    if op in _REPEATS:
        low, _high, sub = av
        sub_items = list(sub)
        last = _ends_nonword(sub_items, len(sub_items) - 1, rest)
        return last and (low >= 1 or rest())
    return False
