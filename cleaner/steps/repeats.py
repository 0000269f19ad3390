"""Repeated and near-repeated lines inside one document are kept once, at their first place.

Exact repeats are found by a normalised key (case, spacing and punctuation
ignored). Near repeats (a caption printed again with another credit, a title
with a suffix) by MinHash over word n-grams, LSH bands as datasketch chooses
them for the threshold, and a check of the estimated Jaccard of each
candidate pair. Short lines ("Yes.", "Reuter", table cells) never count:
see `min_words` and `min_chars` in the [repeats] settings.
"""

from __future__ import annotations

import numpy as np
import regex

from cleaner import minhash
from cleaner.document import Document, Edit
from cleaner.rule_schema import RepeatSettings
from cleaner.steps import DELETED

WORDS = regex.compile(r"\w+")


class RepeatStep:
    """Replaces the second and later copies of a line by the DELETED marker."""

    name = "repeats"

    def __init__(self, settings: RepeatSettings) -> None:
        self.settings = settings
        self.rule = settings.id

    def __call__(self, doc: Document) -> Document:
        s = self.settings
        if not s.enabled:
            return doc
        lines = doc.text.split("\n")
        seen: dict[str, int] = {}
        candidates: list[int] = []
        tokens: list[list[str]] = []
        removed = False
        for i, line in enumerate(lines):
            if len(line) < s.min_chars or line == DELETED:
                continue
            words = WORDS.findall(line.casefold())
            if len(words) < s.min_words:
                continue
            key = " ".join(words)
            first = seen.get(key)
            if first is not None:
                doc.edits.append(Edit(self.name, self.rule, "drop", i + 1, line, "", f"repeat of line {first + 1}"))
                lines[i] = DELETED
                removed = True
                continue
            seen[key] = i
            candidates.append(i)
            tokens.append(words)
        if s.near and len(candidates) > 1:
            removed = self._near(doc, lines, candidates, tokens) or removed
        if removed:
            doc.text = "\n".join(lines)
        return doc

    def _near(self, doc: Document, lines: list[str], candidates: list[int], tokens: list[list[str]]) -> bool:
        s = self.settings
        lengths = np.fromiter((len(t) for t in tokens), dtype=np.intp, count=len(tokens))
        flat = [w for words in tokens for w in words]
        hashes, lengths = minhash.ngram_hashes(minhash.hash_tokens(flat), lengths, s.ngram)
        sigs = minhash.signatures(hashes, lengths, s.num_perm, s.seed)
        bands, rows = minhash.lsh_bands(s.threshold, s.num_perm)
        removed_idx: set[int] = set()
        for i, j in minhash.candidate_pairs(sigs, bands, rows):
            if i in removed_idx or j in removed_idx:
                continue
            similarity = float(np.mean(sigs[i] == sigs[j]))
            if similarity >= s.threshold:
                removed_idx.add(j)
                line_i, line_j = candidates[i], candidates[j]
                doc.edits.append(
                    Edit(
                        self.name,
                        self.rule,
                        "drop",
                        line_j + 1,
                        lines[line_j],
                        "",
                        f"near repeat of line {line_i + 1} (estimated Jaccard {similarity:.2f})",
                    )
                )
                lines[line_j] = DELETED
        return bool(removed_idx)
