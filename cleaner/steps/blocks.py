"""A jusText-style block classifier for "all visible text" of web pages (one block per line).

jusText (Pomikalek, 2011) classifies HTML paragraphs; here the blocks are the
lines of the text, and the algorithm is the same:

1. context-free: a block shorter than `length_low` characters is *short*; a
   block whose share of stopwords (the document's language) reaches
   `stopwords_high` is *good* if longer than `length_high`, else *near-good*;
   one reaching `stopwords_low` is *near-good*; anything else is *bad*; a
   block with a copyright sign is bad.
2. in context: a short block between good blocks is good, between bad blocks
   bad, between a good and a bad one good only if a near-good block is next
   to it; a near-good block is good unless both neighbours are bad; a short
   heading-like block (enough words, no final full stop) followed within
   `max_heading_distance` characters by a good block is good (titles,
   bylines, section headings).

Lines that other rules already removed count as bad neighbours. The document's
language is the one whose stopwords it uses most; every threshold and the
stopword lists are in the rule file ([classifier], [stopwords]).
"""

from __future__ import annotations

import re
from collections import Counter

from cleaner.document import Document, Edit
from cleaner.rule_schema import ClassifierSettings
from cleaner.steps import DELETED

WORDS = re.compile(r"\w+")
GOOD, NEARGOOD, SHORT, BAD = "good", "neargood", "short", "bad"


class BlockClassifierStep:
    """Drops the lines the classifier finds to be boilerplate; records the class and why."""

    name = "classifier"

    def __init__(self, settings: ClassifierSettings) -> None:
        self.s = settings
        self.stopwords = dict(settings.stopwords)

    def language(self, counts: Counter[str]) -> str:
        best, best_hits = self.s.languages[0], -1
        for lang in self.s.languages:
            stop = self.stopwords[lang]
            hits = sum(n for w, n in counts.items() if w in stop)
            if hits > best_hits:
                best, best_hits = lang, hits
        return best

    def __call__(self, doc: Document) -> Document:
        if not self.s.enabled:
            return doc
        lines = doc.text.split("\n")
        blocks = [i for i, line in enumerate(lines) if line.strip() and line != DELETED]
        if not blocks:
            return doc
        words = [WORDS.findall(lines[i].lower()) for i in blocks]
        counts: Counter[str] = Counter()
        for w in words:
            counts.update(w)
        stop = self.stopwords[self.language(counts)]
        first = [self._classify(lines[i], w, stop) for i, w in zip(blocks, words, strict=True)]
        final = self._revise(blocks, lines, words, first)
        changed = False
        for k, i in enumerate(blocks):
            if final[k] != GOOD:
                line = lines[i]
                density = sum(1 for w in words[k] if w in stop) / max(1, len(words[k]))
                doc.edits.append(
                    Edit(
                        self.name,
                        self.s.id,
                        "drop",
                        i + 1,
                        line,
                        "",
                        f"{first[k]} -> {final[k]}: {len(line)} chars, stopwords {density:.2f}",
                    )
                )
                lines[i] = DELETED
                changed = True
        if changed:
            doc.text = "\n".join(lines)
        return doc

    def _classify(self, line: str, words: list[str], stop: frozenset[str]) -> str:
        s = self.s
        if "\u00a9" in line or "&copy" in line:
            return BAD
        length = len(line.strip())
        if length < s.length_low:
            return SHORT
        density = sum(1 for w in words if w in stop) / max(1, len(words))
        if density >= s.stopwords_high:
            return GOOD if length > s.length_high else NEARGOOD
        return NEARGOOD if density >= s.stopwords_low else BAD

    def _revise(self, blocks: list[int], lines: list[str], words: list[list[str]], first: list[str]) -> list[str]:
        s = self.s
        n = len(blocks)
        # Lines removed by earlier rules, between blocks, count as bad neighbours.
        removed_between = [
            any(lines[j] == DELETED for j in range(blocks[k - 1] + 1, blocks[k])) if k else False for k in range(n)
        ]
        classes = list(first)

        def neighbour(k: int, step: int, ignore_neargood: bool, edge: str = BAD) -> str:
            j = k
            while True:
                if step < 0 and removed_between[j]:
                    return BAD
                j += step
                if j < 0 or j >= n:
                    return edge
                if step > 0 and removed_between[j]:
                    return BAD
                c = classes[j]
                if c in (GOOD, BAD) or (c == NEARGOOD and not ignore_neargood):
                    return c

        # Heading-like short blocks followed closely by good text.
        for k in range(n):
            if first[k] == SHORT and self._heading_like(lines[blocks[k]], words[k]):
                distance = 0
                for j in range(k + 1, n):
                    if first[j] == GOOD:
                        classes[k] = NEARGOOD
                        break
                    distance += len(lines[blocks[j]])
                    if distance > s.max_heading_distance:
                        break
        revised = list(classes)
        for k in range(n):
            if classes[k] != SHORT:
                continue
            prev, nxt = neighbour(k, -1, True), neighbour(k, 1, True)
            if prev == GOOD and nxt == GOOD:
                revised[k] = GOOD
            elif prev == BAD and nxt == BAD:
                revised[k] = BAD
            elif neighbour(k, -1, False) == NEARGOOD or neighbour(k, 1, False) == NEARGOOD:
                revised[k] = GOOD
            else:
                revised[k] = BAD
        classes = revised
        revised = list(classes)
        for k in range(n):
            if classes[k] == NEARGOOD:
                # Unlike jusText, the document's edges are neutral here: one medium paragraph alone is kept.
                prev, nxt = neighbour(k, -1, True, edge=""), neighbour(k, 1, True, edge="")
                sides = {prev, nxt}
                revised[k] = BAD if BAD in sides and GOOD not in sides else GOOD
        return revised

    def _heading_like(self, line: str, words: list[str]) -> bool:
        return len(words) >= self.s.heading_min_words and not line.rstrip().endswith((".", "!", "?", ":", ";", ","))
