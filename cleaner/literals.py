"""Finding many literal strings in a text in one pass (Aho-Corasick).

Used as the cheap first stage of rule matching: a rule can only match where
one of its necessary literals occurs, and a typo can only be fixed where its
key occurs. Texts are lower-cased by the caller; literals are stored
lower-cased. The automaton is the C accelerator's (cleaner/_accel.c) where it
is built, else pyahocorasick's; both find the same occurrences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import reduce
from operator import and_
from typing import Any, Generic, TypeVar

import ahocorasick

from cleaner.accel import accel as _accel
from cleaner.prefilter import ALL_BOUNDS, DIGIT_LEFT, DIGIT_RIGHT, LEFT, LINE_END, LINE_START, RIGHT, TWICE

T = TypeVar("T")
DENSE_TABLE_LIMIT = 64 << 20  # bytes: larger literal sets use pyahocorasick


class LiteralIndex(Generic[T]):
    """Maps each literal to a payload; `hits(text)` yields (start, end, literal, payloads)."""

    def __init__(self, items: Iterable[tuple[str, T]], *, compiled: bool | None = None) -> None:
        """`compiled`: use the C automaton (default: where it is built); False forces pyahocorasick."""
        self._payloads: dict[str, list[T]] = {}
        for literal, payload in items:
            self._payloads.setdefault(literal.lower(), []).append(payload)
        self._literals = list(self._payloads)
        self._automaton: Any = None
        self._compiled: Any = None
        if not self._payloads:
            return
        # The C automaton is a dense table (states x distinct characters); a huge literal list (a typo
        # map of 100k words in many scripts) would make it hundreds of MB, so that one uses pyahocorasick.
        chars = sum(map(len, self._literals))
        dense_bytes = 4 * (chars + 1) * (len(set().union(*self._literals)) + 1)
        if compiled is None and dense_bytes > DENSE_TABLE_LIMIT:
            compiled = False
        if (compiled is None or compiled) and _accel is not None:
            self._compiled = _accel.Automaton(self._literals)
            self._by_index = [(literal, len(literal), self._payloads[literal]) for literal in self._literals]
            return
        if compiled:
            raise RuntimeError("the C accelerator cleaner._accel is not installed")
        automaton = ahocorasick.Automaton()
        for literal in self._payloads:
            automaton.add_word(literal, literal)
        automaton.make_automaton()
        self._automaton = automaton

    def __bool__(self) -> bool:
        return self._automaton is not None or self._compiled is not None

    def _scan(self, method: str, text: str, *args: Any, fold: bool) -> tuple[list[tuple[int, int]], str]:
        """The C automaton's hits in `text` (or in `text.lower()` with `fold`), and the text they index:
        `text` itself where C folded it character by character, else its lower() (U+0130, capital sigma)."""
        scan = getattr(self._compiled, method)
        if fold:
            found = scan(text, *args, True)
            if found is not None:
                return found, text
            text = text.lower()
        return scan(text, *args), text

    def hits(self, text: str, *, fold: bool = False) -> Iterator[tuple[int, int, str, list[T]]]:
        """Every occurrence of every literal, in order of where it ends; `text` is lower-cased by the
        caller, or with `fold` matched as text.lower() (offsets are then text.lower()'s)."""
        if self._compiled is not None:
            by_index = self._by_index
            for end, k in self._scan("hits", text, fold=fold)[0]:
                literal, length, payloads = by_index[k]
                yield end - length, end, literal, payloads
            return
        if self._automaton is None:
            return
        lowered = text.lower() if fold else text
        by_literal = self._payloads
        for end, literal in self._automaton.iter(lowered):
            yield end - len(literal) + 1, end + 1, literal, by_literal[literal]

    def line_hits(self, text: str, *, fold: bool = False) -> Iterator[tuple[int, list[T]]]:
        """(line number from 0, payloads) for every occurrence, in text order."""
        if self._compiled is not None:
            by_index = self._by_index
            for line_no, k in self._scan("line_hits", text, fold=fold)[0]:
                yield line_no, by_index[k][2]
            return
        lowered = text.lower() if fold else text
        line_no, counted_to = 0, 0
        for start, _, _, payloads in self.hits(lowered):
            if start >= counted_to:
                line_no += lowered.count("\n", counted_to, start)
            else:  # a longer literal ending here started before the last hit
                line_no -= lowered.count("\n", start, counted_to)
            counted_to = start
            yield line_no, payloads

    def set_filters(self, max_words: list[int], bounds: list[int] | None = None) -> None:
        """The filters `short_line_hits` applies when called without its own (converted once)."""
        self._filters = (list(max_words), None if bounds is None else list(bounds))
        if self._compiled is not None:
            self._compiled.set_filters(*self._filters)

    def set_rule_filters(self, max_words: Callable[[T], int | None], bounds: Callable[[str, T], int]) -> None:
        """`set_filters` from the rules (payloads) each literal serves: a literal's word limit is the
        largest of its rules' (none if one has none), its bounds those all of its rules have."""
        limits: list[int] = []
        shared: list[int] = []
        for literal, payloads in self.literals():
            words = [max_words(payload) for payload in payloads]
            limits.append(-1 if None in words else max(w for w in words if w is not None))
            shared.append(reduce(and_, (bounds(literal, payload) for payload in payloads), ALL_BOUNDS))
        self.set_filters(limits, shared)

    def short_line_hits(
        self, text: str, max_words: list[int] | None = None, *, fold: bool = False, bounds: list[int] | None = None
    ) -> Iterator[tuple[int, list[T]]]:
        """(line number, payloads) once per line and literal, on lines of at most `max_words[k]` words
        for the k-th literal of `literals()` (negative: no limit); words as `len(line.split())` counts them.
        `bounds[k]`: bit LEFT (RIGHT) skips occurrences right after (before) an ASCII letter, digit or "_";
        LINE_START (LINE_END) skips those with one anywhere between the line's start (end) and them;
        DIGIT_LEFT (DIGIT_RIGHT) those without a character right before (after) that may be a digit;
        TWICE skips the literal on lines with fewer than two occurrences of TWICE literals.
        Without `max_words`, the filters of `set_filters` apply (none if it was not called)."""
        if self._compiled is not None:
            by_index = self._by_index
            scan = self._compiled.short_line_hits
            pairs = scan(text, max_words, fold, bounds)
            if pairs is None:  # fold needs Python's lower() here
                pairs = scan(text.lower(), max_words, False, bounds)
            for line_no, k in pairs:
                yield line_no, by_index[k][2]
            return
        if max_words is None:
            max_words, bounds = getattr(self, "_filters", ([-1] * len(self._literals), None))
        lowered = text.lower() if fold else text
        lines = lowered.split("\n")
        position = {literal: k for k, literal in enumerate(self._literals)}
        seen: set[tuple[int, str]] = set()
        found: list[tuple[int, list[T], int]] = []
        twice: Counter[int] = Counter()  # per line: occurrences of TWICE literals
        n = len(lowered)
        for start, end, literal, payloads in self.hits(lowered):
            bound = bounds[position[literal]] if bounds is not None else 0
            if bound & LEFT and start > 0 and _ascii_word(lowered[start - 1]):
                continue
            if bound & RIGHT and end < n and _ascii_word(lowered[end]):
                continue
            if bound & DIGIT_LEFT and (start == 0 or not _maybe_digit(lowered[start - 1])):
                continue
            if bound & DIGIT_RIGHT and (end >= n or not _maybe_digit(lowered[end])):
                continue
            line_no = lowered.count("\n", 0, start)
            if "\n" in literal:  # spans lines: reported at its first line, unfiltered
                found.append((line_no, payloads, 0))
                continue
            if bound & LINE_START and any(map(_ascii_word, lowered[lowered.rfind("\n", 0, start) + 1 : start])):
                continue
            if bound & TWICE:
                twice[line_no] += 1  # counted before the checks at the line's end, as the C scan counts them
            line_end = lowered.find("\n", end)
            if bound & LINE_END and any(map(_ascii_word, lowered[end : n if line_end < 0 else line_end])):
                continue
            limit = max_words[position[literal]]
            if (line_no, literal) in seen or (0 <= limit < len(lines[line_no].split())):
                continue
            seen.add((line_no, literal))
            found.append((line_no, payloads, bound & TWICE))
        for line_no, payloads, needs_two in found:
            if not needs_two or twice[line_no] >= 2:
                yield line_no, payloads

    def word_spans_in(self, text: str) -> list[tuple[int, int]] | None:
        """(start, end) in `text` of literals occurring in text.lower() as whole words; None where
        lower-casing changes the text's length, so offsets would not line up."""
        if self._compiled is not None:
            found, scanned = self._scan("hits", text, fold=True)
            if scanned is not text and len(scanned) != len(text):
                return None
            if not found:
                return []
            lengths = self._by_index
            return list(_whole_words(scanned, ((end - lengths[k][1], end) for end, k in found)))
        lowered = text.lower()
        if len(lowered) != len(text):
            return None
        return list(self.word_spans(lowered))

    def literals(self) -> list[tuple[str, list[T]]]:
        """The literals in index order, each with its payloads."""
        return [(literal, self._payloads[literal]) for literal in self._literals]

    def word_spans(self, lowered: str) -> Iterator[tuple[int, int]]:
        """(start, end) of literals occurring as whole words (not inside a longer word)."""
        return _whole_words(lowered, ((start, end) for start, end, _, _ in self.hits(lowered)))


def _maybe_digit(char: str) -> bool:
    """Whether regex's \\d may match it: no ASCII character but 0-9 is a decimal digit."""
    return not char.isascii() or char in "0123456789"


def _ascii_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _whole_words(text: str, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The spans not inside a longer word: no letter, digit or '_' (as text.lower() has them) on either side."""
    n = len(text)
    for start, end in spans:
        before = text[start - 1].lower() if start > 0 else " "
        after = text[end].lower() if end < n else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            yield start, end
