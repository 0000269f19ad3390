"""Repeated and near-repeated lines inside one document are kept once, at their first place.

Exact repeats: the same line (ignoring surrounding spaces) seen again. Near
repeats: two lines of `min_words` to `near_max_words` words whose word sets
have a Jaccard similarity of at least `threshold` (a caption printed again
with another credit scores about 0.9; words are lower-cased, ASCII
punctuation removed). Short lines ("Yes.", "Reuter", table cells) never count.

Inside one document the number of lines is small, so near pairs are found
exactly rather than estimated: prefix filtering (two sets with Jaccard >= t
share a token among the first |x| - ceil(t*|x|) + 1 of each, under any fixed
token order; rarest first keeps candidate lists short) proposes candidates,
a size filter and the exact Jaccard decide. That is faster than MinHash on a
few dozen lines and has no false negatives; MinHash LSH (cleaner.minhash) is
for corpus scale, where pairs cannot all be compared.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from itertools import chain

from cleaner.accel import accel as _accel
from cleaner.document import Document, Edit
from cleaner.rule_schema import RepeatSettings
from cleaner.steps import DELETED, lines_at, replace_lines

PUNCTUATION = re.compile("[" + re.escape(string.punctuation) + "]+")


class RepeatStep:
    """Replaces the second and later copies of a line by the DELETED marker."""

    name = "repeats"

    def __init__(self, settings: RepeatSettings, *, compiled: bool | None = None) -> None:
        """`compiled`: use the C accelerator (default: when it is installed); False forces pure Python."""
        self.settings = settings
        self.rule = settings.id
        self.threshold = settings.threshold
        if compiled and _accel is None:
            raise RuntimeError("the C accelerator cleaner._accel is not installed")
        self.compiled = _accel is not None if compiled is None else compiled
        self._fast = _accel if self.compiled else None

    def __call__(self, doc: Document) -> Document:
        s = self.settings
        if not s.enabled:
            return doc
        text = doc.text
        near_chars = s.near_max_words * 12  # generous: lines longer than this have more words
        lines: list[str] | None = None
        if self._fast is not None:  # the lines are read as slices of the text: split only to remove some
            exact, copies, near = self._fast.repeat_scan(
                text, s.min_chars, s.min_words, near_chars, s.near, s.near_wrapped
            )
            removed = {i: (first, 1.0) for i, first in exact.items()}
        else:
            lines = text.split("\n")
            removed, copies, near = self._scan(lines, near_chars)
        if len(near) > 1:
            found = self._near(text, lines, near)
            # A copy goes with its first line: the same words are the same near repeat (and were it
            # kept, a second run, with the first line gone, would find it).
            for first, partner in list(found.items()):
                found.update((copy, partner) for copy in copies.get(first, ()))
            removed.update(found)
        if not removed:
            return doc
        order = sorted(removed)
        for j, before in zip(order, lines_at(text, order, lines), strict=True):  # only the removed lines
            i, similarity = removed[j]
            note = (
                f"repeat of line {i + 1}"
                if similarity == 1.0
                else f"near repeat of line {i + 1} (Jaccard {similarity:.2f})"
            )
            doc.edits.append(Edit(self.name, self.rule, "drop", j + 1, before, "", note))
        doc.text = replace_lines(text, dict.fromkeys(order, DELETED), lines)
        return doc

    def _scan(
        self, lines: list[str], near_chars: int
    ) -> tuple[dict[int, tuple[int, float]], dict[int, list[int]], list[int]]:
        """Exact repeats (line -> (first line, 1.0)), short copies (first line -> later copies),
        and the lines that are near-repeat candidates."""
        s = self.settings
        removed: dict[int, tuple[int, float]] = {}
        first_seen: dict[str, int] = {}
        copies: dict[int, list[int]] = {}  # first line -> its later copies too short to count as exact repeats
        near: list[int] = []
        for i, line in enumerate(lines):
            if len(line) < s.min_chars or line == DELETED:
                continue
            key = line.strip()
            first = first_seen.get(key)
            if first is None:
                first_seen[key] = i
                if s.near and len(line) <= near_chars and (s.near_wrapped or not line.lstrip()[:1].islower()):
                    near.append(i)  # a line starting in lower case continues wrapped prose: a fragment
            elif len(line.split(None, s.min_words)) >= s.min_words:
                removed[i] = (first, 1.0)
            else:
                copies.setdefault(first, []).append(i)
        return removed, copies, near

    def _near(self, text: str, lines: list[str] | None, indices: list[int]) -> dict[int, tuple[int, float]]:
        """Line index of each near copy -> (line index it repeats, Jaccard); `lines`: the text's lines,
        or None where they were not split."""
        s = self.settings
        if self._fast is not None:
            # Folded in C, as below, character by character, reading the lines in the text; None: a
            # line has İ or a capital sigma, whose lower case str.lower() decides.
            found = self._fast.near_repeats(indices, text, s.min_words, s.near_max_words, self.threshold, True)
            if found is not None:
                return found
            lines = text.split("\n") if lines is None else lines
            folded = PUNCTUATION.sub(" ", "\n".join([lines[i] for i in indices]).lower()).split("\n")
            return self._fast.near_repeats(indices, folded, s.min_words, s.near_max_words, self.threshold, False)
        assert lines is not None
        folded = PUNCTUATION.sub(" ", "\n".join([lines[i] for i in indices]).lower()).split("\n")
        sets: list[tuple[int, frozenset[str]]] = []
        for i, line in zip(indices, folded, strict=True):
            tokens = line.split()
            if s.min_words <= len(tokens) <= s.near_max_words:
                words = frozenset(tokens)
                if len(words) >= s.min_words:  # "Soybean nil nil nil" is two words: a table row, not a caption
                    sets.append((i, words))
        if len(sets) < 2:
            return {}
        t = self.threshold
        frequency = Counter(chain.from_iterable(words for _, words in sets))
        shared = {w for w, n in frequency.items() if n > 1}
        # Jaccard >= t needs at least ceil(t*|x|) of x's words in the partner too, so in >= 2 lines.
        sets = [(i, words) for i, words in sets if len(words & shared) >= math.ceil(t * len(words) - 1e-9)]
        if len(sets) < 2:
            return {}
        rank = {w: (n, w) for w, n in frequency.items()}.__getitem__
        by_token: dict[str, list[int]] = {}  # prefix token -> positions in `sets` of kept lines
        removed: dict[int, tuple[int, float]] = {}
        for k, (line_no, words) in enumerate(sets):
            size = len(words)
            prefix = sorted(words, key=rank)[: size - math.ceil(t * size - 1e-9) + 1]
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
