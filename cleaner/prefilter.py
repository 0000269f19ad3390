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
# ... and none anywhere between the line's start and the literal / the literal and the line's end
# (a pattern such as ^\W*share\W*$: "per share" in a table row is no candidate).
LINE_START, LINE_END = 4, 8
# ... and a digit (regex's \d: never an ASCII character other than 0-9) right before / after it
# (the ":" of a timestamp \d{1,2}:\d{2}: "Posted: May 5" is no candidate).
DIGIT_LEFT, DIGIT_RIGHT = 16, 32
# ... and at least two occurrences of such literals on the line: the literal comes from a part the
# pattern repeats at least twice, ((facebook|twitter|email)\W*){2,}: "Email" alone is no candidate.
TWICE = 64
ALL_BOUNDS = LEFT | RIGHT | LINE_START | LINE_END | DIGIT_LEFT | DIGIT_RIGHT | TWICE
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
    cannot match there, so such an occurrence need not make its line a candidate. LINE_START
    (LINE_END): only non-word characters can stand between the line's start (end) and the literal.
    DIGIT_LEFT (DIGIT_RIGHT): a digit stands right before (after) it. TWICE: the line holds two
    occurrences of such literals at least."""
    try:
        parsed = _p.parse(pattern)
    except Exception:
        return None
    found = _sequence(list(parsed), Context(NEVER, NEVER, NEVER, NEVER))
    if not found or any(not lit.strip() for lit in found):
        return None
    return found


def requires_digit(pattern: str) -> bool:
    r"""Whether every match of the pattern holds a digit (\d, [0-9], a digit): a rule with no literal to
    look for (page numbers, "1 2 3 … next") need only be tried on lines that may hold one."""
    try:
        parsed = _p.parse(pattern)
    except Exception:
        return False
    return _holds_digit(list(parsed))


def _holds_digit(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if _single_digit(op, av):
            return True
        if op is _c.SUBPATTERN and _holds_digit(list(av[-1])):
            return True
        if op is _c.BRANCH and all(_holds_digit(list(branch)) for branch in av[1]):
            return True
        if op in _REPEATS and av[0] >= 1 and _holds_digit(list(av[2])):
            return True
    return False


class Context:
    """What the pattern around a piece guarantees: `left` / `right`, a non-word character or an edge
    right before / after it; `start` / `end`, nothing but non-word characters back to the line's
    start / on to its end."""

    __slots__ = ("end", "left", "right", "start")

    def __init__(self, left: Cont, right: Cont, start: Cont, end: Cont) -> None:
        self.left, self.right, self.start, self.end = left, right, start, end

    def at(self, items: list[tuple[Any, Any]], k: int) -> Context:
        """The context of items[k] inside the concatenation `items` that has this context."""
        return Context(
            lambda: _ends_nonword(items, k - 1, self.left),
            lambda: _starts_nonword(items, k + 1, self.right),
            lambda: _from_line_start(items, k - 1, self.start),
            lambda: _to_line_end(items, k + 1, self.end),
        )


def _strength(lits: dict[str, int]) -> tuple[int, int]:
    return (min(len(x) for x in lits), -len(lits))


def _word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


# Most strings an exact run may stand for: "by (continuing|using|browsing|clicking)" is 4 literals
# ("by continuing", ...), each far rarer than "agree" or "by " alone.
EXACT_LIMIT = 16


def _sequence(items: list[tuple[Any, Any]], context: Context) -> dict[str, int] | None:
    """The most selective requirement among the elements of a concatenation in `context`.

    Consecutive elements that each match one of a few exact strings (literals, small alternations,
    optional parts) form a run, and every string the run can match is a literal: the run's strings
    contain each element's, so they are at least as selective."""
    options: list[dict[str, int]] = []
    run: list[str] | None = None  # the strings items[run_start:run_end] match (zero-width items skipped)
    run_start = run_end = 0

    def close() -> None:
        if not run or not all(x.strip() for x in run):
            return
        option: dict[str, int] = {}
        left_bound = _ends_nonword(items, run_start - 1, context.left)
        right_bound = _starts_nonword(items, run_end, context.right)
        lines = (LINE_START if _from_line_start(items, run_start - 1, context.start) else 0) | (
            LINE_END if _to_line_end(items, run_end, context.end) else 0
        )
        lines |= (DIGIT_LEFT if _ends_digit(items, run_start - 1) else 0) | (
            DIGIT_RIGHT if _starts_digit(items, run_end) else 0
        )
        for text in run:
            bounds = (LEFT if left_bound and _word(text[0]) else 0) | (RIGHT if right_bound and _word(text[-1]) else 0)
            bounds |= lines
            option[text] = option.get(text, bounds) & bounds
        options.append(option)

    for k, (op, av) in enumerate(items):
        if op is _c.AT:  # zero-width: a run goes on over it (the bounds look at it where the run ends)
            continue
        exact = _exact(op, av)
        if exact is not None:
            if op is not _c.LITERAL:
                sub = _element(op, av, context.at(items, k))
                if sub:
                    options.append(sub)
                close()  # the run so far is an option too ("share" in "shares?")
            merged = None if run is None else [a + b for a in run for b in exact]
            if merged is None or len(merged) > EXACT_LIMIT:
                close()
                run, run_start = exact, k
            else:
                run = list(dict.fromkeys(merged))
            run_end = k + 1
            continue
        close()
        run = None
        sub = _element(op, av, context.at(items, k))
        if sub:
            options.append(sub)
    close()
    return max(options, key=_strength) if options else None


def _exact(op: Any, av: Any) -> list[str] | None:
    """Every string (lower-cased) the element can match, where they are few; else None."""
    if op is _c.LITERAL:
        return [chr(av).lower()]
    if op is _c.IN:
        members = list(av)
        if len(members) > EXACT_LIMIT or any(member_op is not _c.LITERAL for member_op, _ in members):
            return None
        return list(dict.fromkeys(chr(code).lower() for _, code in members))
    if op is _c.SUBPATTERN:
        return _exact_sequence(list(av[-1]))
    if op is _c.BRANCH:
        found: list[str] = []
        for branch in av[1]:
            strings = _exact_sequence(list(branch))
            if strings is None:
                return None
            found.extend(strings)
        found = list(dict.fromkeys(found))
        return found if len(found) <= EXACT_LIMIT else None
    if op in _REPEATS:
        low, high, sub = av
        if high > 3 or low > high:
            return None
        once = _exact_sequence(list(sub))
        if once is None:
            return None
        found, strings = [], [""]
        for times in range(high + 1):
            if times >= low:
                found.extend(strings)
            strings = [a + b for a in strings for b in once]
            if len(strings) > EXACT_LIMIT:
                return None
        found = list(dict.fromkeys(found))
        return found if len(found) <= EXACT_LIMIT else None
    return None


def _exact_sequence(items: list[tuple[Any, Any]]) -> list[str] | None:
    strings = [""]
    for op, av in items:
        if op is _c.AT:
            continue
        exact = _exact(op, av)
        if exact is None:
            return None
        strings = list(dict.fromkeys(a + b for a in strings for b in exact))
        if len(strings) > EXACT_LIMIT:
            return None
    return strings


def _element(op: Any, av: Any, context: Context) -> dict[str, int] | None:
    if op is _c.SUBPATTERN:
        return _sequence(list(av[-1]), context)
    if op is _c.BRANCH:
        alternatives = [_sequence(list(branch), context) for branch in av[1]]
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
            return _sequence(items, context)
        # A later round follows an earlier one: its literal may also have the end of the last round before
        # it (and other rounds stand between it and the line's ends).
        found = _sequence(
            items,
            Context(
                lambda: context.left() and _ends_nonword(items, len(items) - 1, context.left),
                lambda: context.right() and _starts_nonword(items, 0, context.right),
                NEVER,
                NEVER,
            ),
        )
        if found is not None and low >= 2:  # every round holds one of them: two at least on the line
            found = {lit: bounds | TWICE for lit, bounds in found.items()}
        return found
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


def _only_nonword(items: list[tuple[Any, Any]]) -> bool:
    """Whether everything `items` can match is non-word characters (zero-width assertions allowed)."""
    for op, av in items:
        if op is _c.AT:
            continue
        single = _consumes_nonword(op, av)
        if single is not None:
            if not single:
                return False
        elif op is _c.SUBPATTERN:
            if not _only_nonword(list(av[-1])):
                return False
        elif op is _c.BRANCH:
            if not all(_only_nonword(list(branch)) for branch in av[1]):
                return False
        elif op in _REPEATS:
            if not _only_nonword(list(av[2])):
                return False
        else:
            return False
    return True


def _from_line_start(items: list[tuple[Any, Any]], i: int, before: Cont) -> bool:
    """Whether whatever items[:i + 1] (after `before`) matches starts at the line's start (`^`) and
    has only non-word characters."""
    if i < 0:
        return before()
    op, av = items[i]
    if op is _c.AT:
        if av in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING, _c.AT_BEGINNING_LINE):
            return True
        return _from_line_start(items, i - 1, before)
    rest: Cont = lambda: _from_line_start(items, i - 1, before)  # noqa: E731
    if op is _c.SUBPATTERN:
        sub = list(av[-1])
        return _from_line_start(sub, len(sub) - 1, rest)
    if op is _c.BRANCH:
        return all(_from_line_start(list(branch), len(branch) - 1, rest) for branch in av[1])
    return _only_nonword([(op, av)]) and rest()


def _to_line_end(items: list[tuple[Any, Any]], i: int, after: Cont) -> bool:
    """Whether whatever items[i:] (then `after`) matches has only non-word characters and ends at
    the line's end (`$`)."""
    if i >= len(items):
        return after()
    op, av = items[i]
    if op is _c.AT:
        if av in (_c.AT_END, _c.AT_END_STRING, _c.AT_END_LINE):
            return True
        return _to_line_end(items, i + 1, after)
    rest: Cont = lambda: _to_line_end(items, i + 1, after)  # noqa: E731
    if op is _c.SUBPATTERN:
        return _to_line_end(list(av[-1]), 0, rest)
    if op is _c.BRANCH:
        return all(_to_line_end(list(branch), 0, rest) for branch in av[1])
    return _only_nonword([(op, av)]) and rest()


def _single_digit(op: Any, av: Any) -> bool:
    """An element that consumes one character, always a digit (\\d, [0-9], a digit literal)."""
    if op is _c.LITERAL:
        return chr(av) in "0123456789"
    if op is _c.IN:
        members = list(av)
        for member, value in members:
            if member is _c.CATEGORY and value is _c.CATEGORY_DIGIT:
                continue
            if member is _c.LITERAL and chr(value) in "0123456789":
                continue
            if member is _c.RANGE and 48 <= value[0] <= value[1] <= 57:
                continue
            return False
        return bool(members)
    return False


def _ends_digit(items: list[tuple[Any, Any]], i: int) -> bool:
    """Whether whatever items[:i + 1] matches ends with a digit (False where that is not certain)."""
    if i < 0:
        return False
    op, av = items[i]
    if _single_digit(op, av):
        return True
    if op is _c.SUBPATTERN:
        sub = list(av[-1])
        return _ends_digit(sub, len(sub) - 1)
    if op is _c.BRANCH:
        return all(_ends_digit(list(branch), len(branch) - 1) for branch in av[1])
    if op in _REPEATS:
        low, _high, sub = av
        sub_items = list(sub)
        return low >= 1 and _ends_digit(sub_items, len(sub_items) - 1)
    return False


def _starts_digit(items: list[tuple[Any, Any]], i: int) -> bool:
    """Whether whatever items[i:] matches starts with a digit (False where that is not certain)."""
    if i >= len(items):
        return False
    op, av = items[i]
    if _single_digit(op, av):
        return True
    if op is _c.SUBPATTERN:
        return _starts_digit(list(av[-1]), 0)
    if op is _c.BRANCH:
        return all(_starts_digit(list(branch), 0) for branch in av[1])
    if op in _REPEATS:
        low, _high, sub = av
        return low >= 1 and _starts_digit(list(sub), 0)
    return False
