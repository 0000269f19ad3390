"""Near-duplicate documents across a corpus: exact keys, MinHash signatures, LSH, verification, clusters.

    exact duplicates (same lower-cased word sequence) -> one cluster at once
    word n-gram shingles -> MinHash signatures (numpy, datasketch-compatible scheme)
    LSH bands chosen for a looser candidate threshold (recall) -> candidate pairs
    verification: Jaccard of the two shingle sets >= threshold (exact while the
    shingles are in memory; estimated from signatures for documents only known
    from a persistent index) -> union-find clusters -> one kept document each

Deterministic: the same documents in the same order give the same clusters and
the same kept ids, whatever the batch size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from cleaner.dedup import minhash
from cleaner.dedup.shingles import Shingled, shingle_batch, shingle_batch_datasketch

BATCH_DOCS = 2000
MAX_SHINGLE_ROWS = 400_000  # rows of the (shingles x num_perm) matrix per numpy step


@dataclass(frozen=True)
class Duplicate:
    """A removed document: the kept document of its cluster and their similarity."""

    id: str
    kept_id: str
    cluster: int
    similarity: float  # Jaccard of the two documents' shingle sets (estimated when marked)
    estimated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kept_id": self.kept_id,
            "cluster": self.cluster,
            "similarity": round(self.similarity, 4),
            "estimated": self.estimated,
        }


@lru_cache(maxsize=8)
def _band_multipliers(rows: int) -> np.ndarray:
    return np.random.RandomState(rows).randint(1, 1 << 62, rows, dtype=np.int64).astype(np.uint64) * np.uint64(
        2
    ) + np.uint64(1)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                self.parent[rb] = ra
            else:
                self.parent[ra] = rb


def signatures(sh: Shingled, num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures (documents x num_perm, uint32); documents without shingles get all-max rows."""
    n_docs = len(sh.offsets) - 1
    out = np.full((n_docs, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    lengths = np.diff(sh.offsets)
    docs = np.flatnonzero(lengths > 0)
    i = 0
    while i < len(docs):  # bounded memory: a slice of documents at a time
        j = i
        rows = 0
        while j < len(docs) and (rows == 0 or rows + lengths[docs[j]] <= MAX_SHINGLE_ROWS):
            rows += lengths[docs[j]]
            j += 1
        part = docs[i:j]
        start, end = sh.offsets[part[0]], sh.offsets[part[-1] + 1]
        out[part] = minhash.signatures(sh.hashes[start:end], lengths[part], num_perm, seed)
        i = j
    return out


class Deduplicator:
    """Finds duplicate clusters among documents added in order; usable on any iterable.

    >>> d = Deduplicator(threshold=0.8)
    >>> d.add_many([("a", text_a), ("b", text_b)])
    >>> d.duplicates()   # {removed id: Duplicate(kept_id=..., ...)}
    """

    def __init__(
        self,
        threshold: float = 0.8,
        num_perm: int = 128,
        ngram: int = 5,
        *,
        seed: int = 1,
        hash: str = "fast",
        keep: str = "first",
        candidate_threshold: float | None = None,
        verify: str = "exact",
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        if hash not in ("fast", "datasketch"):
            raise ValueError("hash must be 'fast' or 'datasketch'")
        if keep not in ("first", "longest"):
            raise ValueError("keep must be 'first' or 'longest'")
        if verify not in ("exact", "estimate"):
            raise ValueError("verify must be 'exact' or 'estimate'")
        self.threshold = threshold
        self.num_perm = num_perm
        self.ngram = ngram
        self.seed = seed
        self.hash = hash
        self.keep = keep
        self.verify = verify
        # Candidates from a looser LSH threshold, then verified at `threshold`: higher recall than banding
        # at the threshold itself, and verification keeps precision.
        self.candidate_threshold = candidate_threshold or max(0.05, threshold - 0.25)
        self.bands, self.rows = minhash.lsh_bands(self.candidate_threshold, num_perm)
        self.ids: list[str] = []
        self.lengths: list[int] = []
        self._sigs: list[np.ndarray] = []
        self._shingles: list[np.ndarray | None] = []  # shingle hashes per document, for exact checks
        self._unique: dict[int, np.ndarray] = {}  # their sorted unique sets, made when first needed
        self._exact: dict[int, int] = {}  # exact key -> first document with it
        self._band_index: list[dict[int, int]] = [{} for _ in range(self.bands)]
        self._uf = _UnionFind()
        self._pairs: dict[tuple[int, int], float] = {}  # verified edges (i < j) -> similarity
        self._exact_of: dict[int, int] = {}  # document -> the document it exactly duplicates
        self._pending: list[tuple[str, str]] = []
        self._exact_key_of: list[int] = []
        self._external = 0  # documents preloaded from an index come first

    # -- adding documents --------------------------------------------------------------------------

    def add(self, doc_id: str, text: str) -> None:
        self._pending.append((doc_id, text))
        if len(self._pending) >= BATCH_DOCS:
            self._flush()

    def add_many(self, docs: Iterable[tuple[str, str]]) -> Deduplicator:
        for doc_id, text in docs:
            self.add(doc_id, text)
        self._flush()
        return self

    def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        texts = [t for _, t in batch]
        sh = (shingle_batch_datasketch if self.hash == "datasketch" else shingle_batch)(texts, self.ngram)
        sigs = signatures(sh, self.num_perm, self.seed)
        band_keys = self._band_keys(sigs).tolist()
        exact_keys = sh.exact_keys.tolist()
        tokens = sh.tokens.tolist()
        for k, (doc_id, _) in enumerate(batch):
            shingles = sh.hashes[sh.offsets[k] : sh.offsets[k + 1]] if self.verify == "exact" else None
            self._insert(doc_id, sigs[k], shingles, exact_keys[k], tokens[k], band_keys[k])

    def preload(self, ids: list[str], sigs: np.ndarray, exact_keys: list[int], lengths: list[int]) -> None:
        """Documents known only by signature (a persistent index): inserted before any new document,
        verified by estimated Jaccard, and always the kept copy of their cluster."""
        self._flush()
        band_keys = self._band_keys(sigs).tolist()
        for k, doc_id in enumerate(ids):
            self._insert(doc_id, sigs[k], None, exact_keys[k], lengths[k], band_keys[k])
        self._external = len(self.ids)

    def exact_key(self, i: int) -> int:
        return self._exact_key_of[i]

    def signature_at(self, i: int) -> np.ndarray:
        return self._sigs[i]

    def _band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """One 64-bit key per (document, band): the band's rows mixed together."""
        r = self.rows
        mult = _band_multipliers(r)
        with np.errstate(over="ignore"):
            rows = sigs[:, : self.bands * r].astype(np.uint64).reshape(len(sigs), self.bands, r)
            return (rows * mult).sum(axis=2, dtype=np.uint64)

    def _insert(
        self,
        doc_id: str,
        sig: np.ndarray,
        shingles: np.ndarray | None,
        exact_key: int,
        length: int,
        band_keys: list[int],
    ) -> None:
        i = self._uf.add()
        self.ids.append(doc_id)
        self.lengths.append(length)
        self._exact_key_of.append(exact_key)
        self._sigs.append(sig)
        self._shingles.append(shingles)
        if length == 0:
            return  # no words: never a duplicate of anything
        first = self._exact.get(exact_key)
        if first is not None:
            self._exact_of[i] = first
            self._uf.union(first, i)
            self._pairs[(first, i)] = 1.0
            return  # an exact copy adds nothing new to the LSH index
        self._exact[exact_key] = i
        seen: set[int] = set()
        for index, key in zip(self._band_index, band_keys, strict=True):
            other = index.get(key)
            if other is None:
                index[key] = i
            elif other not in seen:
                seen.add(other)
                self._check(other, i)

    def _check(self, a: int, b: int) -> None:
        similarity = self.similarity(a, b)
        if similarity >= self.threshold:
            self._pairs[(a, b)] = similarity
            self._uf.union(a, b)

    def similarity(self, a: int, b: int) -> float:
        """Jaccard of two documents' shingle sets: exact when both are in memory, else estimated."""
        if self.verify == "exact" and self._shingles[a] is not None and self._shingles[b] is not None:
            sa, sb = self._unique_shingles(a), self._unique_shingles(b)
            if len(sa) and len(sb):
                inter = len(np.intersect1d(sa, sb, assume_unique=True))
                return inter / (len(sa) + len(sb) - inter)
        return float(np.mean(self._sigs[a] == self._sigs[b]))

    def _unique_shingles(self, i: int) -> np.ndarray:
        found = self._unique.get(i)
        if found is None:
            raw = self._shingles[i]
            found = self._unique[i] = np.unique(raw) if raw is not None else np.empty(0, np.uint32)
        return found

    # -- results -----------------------------------------------------------------------------------

    def clusters(self) -> list[list[int]]:
        """Clusters of two or more documents, as document indices in input order."""
        self._flush()
        groups: dict[int, list[int]] = {}
        for i in range(len(self.ids)):
            groups.setdefault(self._uf.find(i), []).append(i)
        return [members for _, members in sorted(groups.items()) if len(members) > 1]

    def duplicates(self) -> dict[str, Duplicate]:
        """Every removed document (by id) with the kept document of its cluster."""
        removed: dict[str, Duplicate] = {}
        for cluster_no, members in enumerate(self.clusters()):
            if self.keep == "first" or members[0] < self._external:  # earlier runs' documents stay
                kept = members[0]
            else:
                kept = max(members, key=lambda m: (self.lengths[m], -m))
            for m in members:
                if m != kept:
                    exact = self._exact_of.get(m) == kept or self._exact_of.get(kept) == m
                    sim = 1.0 if exact else self.similarity(min(m, kept), max(m, kept))
                    estimated = self.verify == "estimate" or self._shingles[m] is None or self._shingles[kept] is None
                    removed[self.ids[m]] = Duplicate(self.ids[m], self.ids[kept], cluster_no, sim, estimated)
        return removed

    def removed_indices(self) -> set[int]:
        index = {doc_id: i for i, doc_id in enumerate(self.ids)}
        return {index[d] for d in self.duplicates()}

    def signature(self, doc_id: str) -> np.ndarray:
        self._flush()
        return self._sigs[self.ids.index(doc_id)]

    def lean_minhash(self, doc_id: str) -> Any:
        """The document's signature as a datasketch.LeanMinHash (scheme affine32)."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=self.signature(doc_id), scheme="affine32")

    def __iter__(self) -> Iterator[str]:
        self._flush()
        return iter(self.ids)
