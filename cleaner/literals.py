"""Finding many literal strings in a text in one pass (Aho-Corasick).

Used as the cheap first stage of rule matching: a rule can only match where
one of its necessary literals occurs, and a typo can only be fixed where its
key occurs. Texts are lower-cased by the caller; literals are stored
lower-cased. The automaton is the C accelerator's (cleaner/_accel.c) where it
is built, else pyahocorasick's; both find the same occurrences.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

import ahocorasick

from cleaner.accel import accel as _accel

T = TypeVar("T")


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

    def hits(self, lowered: str) -> Iterator[tuple[int, int, str, list[T]]]:
        """Every occurrence of every literal, in order of where it ends."""
        if self._compiled is not None:
            by_index = self._by_index
            for end, k in self._compiled.hits(lowered):
                literal, length, payloads = by_index[k]
                yield end - length, end, literal, payloads
            return
        if self._automaton is None:
            return
        payloads = self._payloads
        for end, literal in self._automaton.iter(lowered):
            yield end - len(literal) + 1, end + 1, literal, payloads[literal]

    def line_hits(self, lowered: str) -> Iterator[tuple[int, list[T]]]:
        """(line number from 0, payloads) for every occurrence, in text order."""
        if self._compiled is not None:
            by_index = self._by_index
            for line_no, k in self._compiled.line_hits(lowered):
                yield line_no, by_index[k][2]
            return
        line_no, counted_to = 0, 0
        for start, _, _, payloads in self.hits(lowered):
            if start >= counted_to:
                line_no += lowered.count("\n", counted_to, start)
            else:  # a longer literal ending here started before the last hit
                line_no -= lowered.count("\n", start, counted_to)
            counted_to = start
            yield line_no, payloads

    def short_line_hits(self, lowered: str, max_words: list[int]) -> Iterator[tuple[int, list[T]]]:
        """(line number, payloads) once per line and literal, on lines of at most `max_words[k]` words
        for the k-th literal of `literals()` (negative: no limit); words as `len(line.split())` counts them."""
        if self._compiled is not None:
            by_index = self._by_index
            for line_no, k in self._compiled.short_line_hits(lowered, max_words):
                yield line_no, by_index[k][2]
            return
        lines = lowered.split("\n")
        position = {literal: k for k, literal in enumerate(self._literals)}
        seen: set[tuple[int, str]] = set()
        for start, _, literal, payloads in self.hits(lowered):
            line_no = lowered.count("\n", 0, start)
            if "\n" in literal:  # spans lines: reported at its first line, unfiltered
                yield line_no, payloads
                continue
            limit = max_words[position[literal]]
            if (line_no, literal) in seen or (0 <= limit < len(lines[line_no].split())):
                continue
            seen.add((line_no, literal))
            yield line_no, payloads

    def literals(self) -> list[tuple[str, list[T]]]:
        """The literals in index order, each with its payloads."""
        return [(literal, self._payloads[literal]) for literal in self._literals]

    def word_spans(self, lowered: str) -> Iterator[tuple[int, int]]:
        """(start, end) of literals occurring as whole words (not inside a longer word)."""
        n = len(lowered)
        for start, end, _, _ in self.hits(lowered):
            before = lowered[start - 1] if start > 0 else " "
            after = lowered[end] if end < n else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                yield start, end
