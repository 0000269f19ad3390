"""Finding many literal strings in a text in one pass (Aho-Corasick, pyahocorasick).

Used as the cheap first stage of rule matching: a rule can only match where
one of its necessary literals occurs, and a typo can only be fixed where its
key occurs. Texts are lower-cased by the caller; literals are stored
lower-cased.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

import ahocorasick

T = TypeVar("T")


class LiteralIndex(Generic[T]):
    """Maps each literal to a payload; `hits(text)` yields (start, end, literal, payload)."""

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        self._payloads: dict[str, list[T]] = {}
        for literal, payload in items:
            self._payloads.setdefault(literal.lower(), []).append(payload)
        self._automaton: Any = None
        if self._payloads:
            automaton = ahocorasick.Automaton()
            for literal in self._payloads:
                automaton.add_word(literal, literal)
            automaton.make_automaton()
            self._automaton = automaton

    def __bool__(self) -> bool:
        return self._automaton is not None

    def hits(self, lowered: str) -> Iterator[tuple[int, int, str, list[T]]]:
        if self._automaton is None:
            return
        payloads = self._payloads
        for end, literal in self._automaton.iter(lowered):
            yield end - len(literal) + 1, end + 1, literal, payloads[literal]

    def word_spans(self, lowered: str) -> Iterator[tuple[int, int]]:
        """(start, end) of literals occurring as whole words (not inside a longer word)."""
        n = len(lowered)
        for start, end, _, _ in self.hits(lowered):
            before = lowered[start - 1] if start > 0 else " "
            after = lowered[end] if end < n else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                yield start, end
