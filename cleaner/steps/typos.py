"""Explicit typo maps from rule files: whole words, case-preserving, one scan per document."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cleaner.document import Document, Edit
from cleaner.literals import LiteralIndex
from cleaner.rule_schema import TypoMap


def match_case(found: str, wrong: str, right: str) -> str:
    """Give `right` the capitalisation `found` has: uears→years, Uears→Years, UEARS→YEARS."""
    if found == wrong:
        return right
    if len(found) > 1 and found.isupper():
        return right.upper()
    if found[:1].isupper():
        return right[:1].upper() + right[1:]
    return right


class TypoStep:
    """Replaces known misspellings listed in [[typos]] maps."""

    name = "typos"

    def __init__(self, maps: Sequence[TypoMap], timeout: float = 1.0) -> None:
        self.lookup: dict[str, tuple[str, str, str]] = {}  # casefolded -> (rule id, wrong, right)
        for typo_map in maps:
            for wrong, right in typo_map.mapping:
                self.lookup[wrong.casefold()] = (typo_map.id, wrong, right)
        keys = sorted(self.lookup, key=len, reverse=True)
        alternation = "|".join(re.escape(k) for k in keys)
        # Escaped literals cannot backtrack badly, so the faster stdlib engine is safe here.
        self.pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)", re.IGNORECASE) if keys else None
        self.timeout = timeout
        self.index: LiteralIndex[str] = LiteralIndex((k, k) for k in keys)

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """Whole-word occurrences of keys, leftmost-longest, without overlaps.

        One Aho-Corasick pass over the lower-cased text; where lower-casing
        changes the text's length (rare characters), offsets would not line up,
        so the regex finds them instead.
        """
        found = self.index.word_spans_in(text)
        if found is None:
            assert self.pattern is not None
            return [m.span() for m in self.pattern.finditer(text)]
        spans = sorted(found, key=lambda se: (se[0], -se[1]))
        chosen: list[tuple[int, int]] = []
        for start, end in spans:
            if not chosen or start >= chosen[-1][1]:
                chosen.append((start, end))
        return chosen

    def __call__(self, doc: Document) -> Document:
        if self.pattern is None:
            return doc
        text = doc.text
        spans = self._spans(text)
        if not spans:
            return doc
        pieces: list[str] = []
        last = 0
        lineno, counted_to = 1, 0
        for start, end in spans:
            found = text[start:end]
            entry = self.lookup.get(found.casefold())
            if entry is None:
                continue
            rule_id, wrong, right = entry
            fixed = match_case(found, wrong, right)
            lineno += text.count("\n", counted_to, start)
            counted_to = start
            doc.edits.append(Edit(self.name, rule_id, "replace", lineno, found, fixed))
            pieces.append(text[last:start])
            pieces.append(fixed)
            last = end
        if pieces:
            pieces.append(text[last:])
            doc.text = "".join(pieces)
        return doc
