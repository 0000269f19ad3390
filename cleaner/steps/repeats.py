"""Repeated and near-repeated lines inside one document are kept once, at their first place.

Two lines are repeats when the Jaccard similarity of their word sets is at
least `threshold` (1.0: the same words; a caption printed again with another
credit scores about 0.9). Words are whitespace-separated after case folding
and removing ASCII punctuation. Short lines ("Yes.", "Reuter", table cells)
never count: see `min_words` and `min_chars`.

Inside one document the number of lines is small, so pairs are found exactly
rather than estimated: prefix filtering (two sets with Jaccard >= t must share
a token among the first |x| - ceil(t*|x|) + 1 of each, under any fixed token
order) proposes candidates, and the exact Jaccard decides. That is faster than
MinHash on a few dozen lines and has no false negatives; MinHash LSH
(cleaner.minhash) is for corpus scale, where pairs cannot be compared.
"""

from __future__ import annotations

import math
import string
from collections import Counter
from itertools import chain

from cleaner.document import Document, Edit
from cleaner.rule_schema import RepeatSettings
from cleaner.steps import DELETED

PUNCTUATION = str.maketrans(string.punctuation, " " * len(string.punctuation))


class RepeatStep:
    """Replaces the second and later copies of a line by the DELETED marker."""

    name = "repeats"

    def __init__(self, settings: RepeatSettings) -> None:
        self.settings = settings
        self.rule = settings.id
        self.threshold = settings.threshold if settings.near else 1.0

    def __call__(self, doc: Document) -> Document:
        s = self.settings
        if not s.enabled:
            return doc
        text = doc.text
        folded = text.casefold().translate(PUNCTUATION).split("\n")
        if len(folded) < 2:
            return doc
        min_chars, min_words = s.min_chars, s.min_words
        sets: list[tuple[int, frozenset[str]]] = []
        for i, line in enumerate(folded):
            if len(line) >= min_chars:
                words = line.split()
                if len(words) >= min_words:
                    sets.append((i, frozenset(words)))
        if len(sets) < 2:
            return doc
        removed = self._find(sets)
        if not removed:
            return doc
        lines = text.split("\n")
        for j, (i, similarity) in sorted(removed.items()):
            note = (
                f"repeat of line {i + 1}"
                if similarity == 1.0
                else (f"near repeat of line {i + 1} (Jaccard {similarity:.2f})")
            )
            doc.edits.append(Edit(self.name, self.rule, "drop", j + 1, lines[j], "", note))
            lines[j] = DELETED
        doc.text = "\n".join(lines)
        return doc

    def _find(self, sets: list[tuple[int, frozenset[str]]]) -> dict[int, tuple[int, float]]:
        """Line index of each later copy -> (line index it repeats, Jaccard)."""
        t = self.threshold
        # Rarest tokens first (the AllPairs order): prefixes then hold words few lines share,
        # so common words ("the") do not make every pair a candidate.
        frequency = Counter(chain.from_iterable(words for _, words in sets))
        rank = {w: (n, w) for w, n in frequency.items()}.__getitem__
        by_token: dict[str, list[int]] = {}  # prefix token -> positions in `sets` of kept lines
        removed: dict[int, tuple[int, float]] = {}
        for k, (line_no, words) in enumerate(sets):
            size = len(words)
            prefix_len = size - math.ceil(t * size - 1e-9) + 1
            prefix = sorted(words, key=rank)[:prefix_len]
            best: tuple[int, float] | None = None
            seen: set[int] = set()
            for token in prefix:
                for other in by_token.get(token, ()):
                    if other in seen:
                        continue
                    seen.add(other)
                    other_words = sets[other][1]
                    if not t * size <= len(other_words) <= size / t:
                        continue  # sizes alone rule out Jaccard >= t
                    similarity = len(words & other_words) / len(words | other_words)
                    if similarity >= t and (best is None or sets[other][0] < best[0]):
                        best = (sets[other][0], similarity)
            if best is not None:
                removed[line_no] = best
                continue
            for token in prefix:
                by_token.setdefault(token, []).append(k)
        return removed
