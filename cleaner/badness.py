"""ftfy's mojibake test (`ftfy.badness.is_bad`), with the same answer, about ten times faster on prose.

Why: the unicode step asks ftfy's `is_bad` about every line with a possible mojibake pair ("öß" in
German prose has one). `is_bad` searches the line with BADNESS_RE, an alternation of short
character sequences that Python's regex engine tries at every position: about 50 µs a line of
web text, a third of the unicode step on web pages.

Every branch of BADNESS_RE must match a character from a known set of non-ASCII characters (its
rarest mandatory class), and no match is longer than a few characters. So a match, if there is one,
lies in a window around such a character, and searching those windows alone gives the same answer.
Both facts are read from the pattern itself when this module loads; where they cannot be (a future
ftfy with another kind of pattern), `is_bad` is ftfy's own.
"""

from __future__ import annotations

import re
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

# Characters of ordinary prose (web pages, mostly European languages) in descending frequency: each
# branch is keyed on its class with the fewest of them, so windows are rare in clean text.
_COMMON = "“”»„Ü©‘•«Ä€®›×°É§Á£™¿‚ÍØ½СœČÇ‹ÀÑ±βºŚ³ŠƒÎŻ²ā¶Ł¹¢Â⁄ΓÈ¥Ο¨éäöüèàáíóúçñâêôßãõ–—’…"
_MAX_WIDTH = 20  # longer possible matches: no windows


def _chars(op: Any, av: Any) -> set[str] | None:
    """The characters a single-character element matches, where it is a plain literal or class."""
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.IN:
        found: set[str] = set()
        for member, value in av:
            if member is _c.LITERAL:
                found.add(chr(value))
            elif member is _c.RANGE:
                found.update(chr(code) for code in range(value[0], value[1] + 1))
            else:
                return None
        return found
    return None


def _plain(items: Any) -> bool:
    """No assertion a window could change: only characters, classes, bounded repeats, `^`."""
    for op, av in items:
        if op in (_c.LITERAL, _c.NOT_LITERAL, _c.ANY, _c.IN):
            continue
        if op is _c.AT and av in (_c.AT_BEGINNING, _c.AT_BEGINNING_STRING):
            continue  # with a search position, ^ still means the string's start
        if op is _c.MAX_REPEAT and _plain(av[2]):
            continue
        if op is _c.SUBPATTERN and _plain(av[-1]):
            continue
        if op is _c.BRANCH and all(_plain(branch) for branch in av[1]):
            continue
        return False
    return True


def window_test(pattern: re.Pattern[str]) -> Callable[[str], bool] | None:
    """`bool(pattern.search(text))` by windows around its key characters, or None where the pattern
    is not of the kind this can be shown for."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = _p.parse(pattern.pattern, pattern.flags)
    except Exception:
        return None
    items = list(parsed)
    low, width = parsed.getwidth()
    if not _plain(items) or width > _MAX_WIDTH or low < 1:
        return None
    branches = items[0][1][1] if len(items) == 1 and items[0][0] is _c.BRANCH else [items]
    rank = {ch: k for k, ch in enumerate(_COMMON)}
    keys: set[str] = set()
    for branch in branches:
        best: set[str] | None = None
        best_cost = 0.0
        for op, av in branch:  # only elements every match of the branch has
            chars = _chars(op, av)
            if chars is None or any(ord(ch) < 128 for ch in chars):
                continue
            cost = sum(1.0 / (1 + rank[ch]) if ch in rank else 1e-4 for ch in chars)
            if best is None or cost < best_cost:
                best, best_cost = chars, cost
        if best is None:
            return None
        keys |= best
    finder = re.compile("[" + "".join(re.escape(ch) for ch in sorted(keys)) + "]")
    search = pattern.search

    def test(text: str) -> bool:
        reach = width - 1  # a match holding the key at q lies within [q - reach, q + reach]
        for m in finder.finditer(text):
            q = m.start()
            if search(text, max(0, q - reach), q + reach + 1):
                return True
        return False

    return test


def _load() -> Callable[[str], bool]:
    from ftfy.badness import BADNESS_RE, is_bad

    return window_test(BADNESS_RE) or is_bad


is_bad: Callable[[str], bool] = _load()
