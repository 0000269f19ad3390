"""Corpus-level boilerplate: lines that recur across many documents of one site are not content.

A menu, a footer or a "Follow us" line is the same on every page of a site,
while a sentence of an article is not. Counting, over a whole corpus, in how
many documents each normalised line occurs (per host when documents carry a
URL, over the whole corpus otherwise) finds them without any hand-written
rule. Two passes: `LineCounter` counts; lines seen in at least
`min_documents` documents become `LearnedLines`, which the `corpus-lines`
step removes, or which `cleaner learn-boilerplate` writes out as a
reviewable rule file.

Counting works on 64-bit hashes held in numpy arrays (16 bytes per distinct
line), not on the lines themselves, so it scales to corpora whose distinct
lines would not fit in a Python dict. Identical documents count once, so an
article copied three times does not make its own lines "boilerplate": that is
document deduplication's job.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from cleaner.rule_schema import LearnedRule

_COMPACT_EVERY = 4_000_000  # buffered hashes before they are folded into the counts


def line_key(line: str) -> str:
    """The form under which two lines count as the same: case and runs of whitespace ignored."""
    return " ".join(line.casefold().split())


def host_of(url: object) -> str:
    """The host of a URL, lower-cased and without `www.`; "" when there is none."""
    if not isinstance(url, str) or not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def line_hash(host: str, key: str) -> int:
    """A stable 64-bit hash of (host, normalised line); the same in every process and run."""
    digest = hashlib.blake2b(f"{host}\n{key}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def document_hashes(text: str, host: str, max_words: int = 0) -> tuple[int, list[int]]:
    """(hash of the whole normalised document, the distinct hashes of its countable lines)."""
    keys = set()
    for line in text.split("\n"):
        key = line_key(line)
        if key and (not max_words or key.count(" ") < max_words):
            keys.add(key)
    doc = line_hash(host, "\n".join(sorted(keys)))
    return doc, [line_hash(host, key) for key in keys]


class LineCounter:
    """Counts, for each (host, line) hash, the number of distinct documents it occurs in."""

    def __init__(self) -> None:
        import numpy as np  # imported here: `import cleaner` stays cheap

        self._np = np
        self._keys = np.zeros(0, dtype=np.uint64)
        self._counts = np.zeros(0, dtype=np.int64)
        self._buffer: list[Any] = []
        self._buffered = 0
        self._documents: set[int] = set()
        self.documents = 0
        self.duplicates = 0

    def add(self, doc_hash: int, hashes: Iterable[int]) -> None:
        """One document's distinct line hashes; a document identical to one already counted is skipped."""
        if doc_hash in self._documents:
            self.duplicates += 1
            return
        self._documents.add(doc_hash)
        self.documents += 1
        self.add_array(self._np.fromiter(hashes, dtype=self._np.uint64))

    def add_text(self, text: str, host: str = "", max_words: int = 0) -> None:
        self.add(*document_hashes(text, host, max_words))

    def add_array(self, hashes: Any) -> None:
        if len(hashes):
            self._buffer.append(hashes)
            self._buffered += len(hashes)
            if self._buffered >= _COMPACT_EVERY:
                self._compact()

    def _compact(self) -> None:
        if not self._buffer:
            return
        np = self._np
        keys = np.concatenate([self._keys, *self._buffer])
        weights = np.concatenate([self._counts, np.ones(self._buffered, dtype=np.int64)])
        self._keys, inverse = np.unique(keys, return_inverse=True)
        self._counts = np.bincount(inverse.ravel(), weights=weights, minlength=len(self._keys)).astype(np.int64)
        self._buffer, self._buffered = [], 0

    def frequent(self, min_documents: int) -> LearnedLines:
        """The lines seen in at least `min_documents` distinct documents."""
        self._compact()
        if min_documents <= 0:
            return LearnedLines()
        mask = self._counts >= min_documents
        return LearnedLines(dict(zip(self._keys[mask].tolist(), self._counts[mask].tolist(), strict=True)))

    @property
    def distinct_lines(self) -> int:
        self._compact()
        return len(self._keys)


@dataclass(frozen=True)
class LearnedLines:
    """Boilerplate lines: (host, line) hash → number of documents it was seen in (0: from a rule file)."""

    counts: dict[int, int] = field(default_factory=dict)
    rule_of: dict[int, str] = field(default_factory=dict)  # hash → id of the rule file entry, where one

    def __bool__(self) -> bool:
        return bool(self.counts)

    def __len__(self) -> int:
        return len(self.counts)

    def merged(self, other: LearnedLines) -> LearnedLines:
        return LearnedLines({**self.counts, **other.counts}, {**self.rule_of, **other.rule_of})

    def digest(self) -> str:
        """A short fingerprint, so a resumed run can tell whether it learned the same lines."""
        h = hashlib.sha256()
        for key in sorted(self.counts):
            h.update(key.to_bytes(8, "little"))
        return h.hexdigest()[:16]


def from_rules(rules: Iterable[LearnedRule]) -> LearnedLines:
    """The lines listed in `[[learned]]` rules (as `cleaner learn-boilerplate` writes them)."""
    counts: dict[int, int] = {}
    rule_of: dict[int, str] = {}
    for rule in rules:
        for line in rule.lines:
            h = line_hash(rule.host, line_key(line))
            counts[h] = 0
            rule_of[h] = rule.id
    return LearnedLines(counts, rule_of)
