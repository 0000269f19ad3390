"""Word n-gram shingles of many documents at once, hashed without a Python loop per token.

Tokens are the lower-cased `\\w+` runs (Python's definition: alphanumeric or
underscore). A batch of documents is joined into one string, turned into code
points with numpy, and every token's hash is a polynomial hash computed from
prefix sums: token boundaries, token hashes, n-gram hashes and per-document
exact-duplicate keys are all array operations.

`hash="datasketch"` instead builds each shingle as the string of its n words
joined by spaces and hashes it with datasketch's sha1_hash32, so signatures
are bit-identical to `datasketch.MinHash` fed those shingles.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha1
from operator import methodcaller

import numpy as np

P = np.uint64(0x100000001B3)  # odd: invertible modulo 2^64
P_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
M = np.uint64(0x9E3779B97F4A7C15)
Q = np.uint64(0xC2B2AE3D27D4EB4F)
WORD = re.compile(r"\w+")
_DIGEST = methodcaller("digest")

try:  # CPython's own SHA-1: the same digest as hashlib's OpenSSL one, without its per-call context copies
    from _sha1 import sha1 as _sha1
except ImportError:  # pragma: no cover - other interpreters
    _sha1 = sha1


@lru_cache(maxsize=1)
def word_table() -> np.ndarray:
    """For each code point of the Basic Multilingual Plane: is it a `\\w` character?"""
    table = np.fromiter((chr(c).isalnum() for c in range(0x10000)), dtype=bool, count=0x10000)
    table[ord("_")] = True
    return table


def is_word(cps: np.ndarray) -> np.ndarray:
    """`\\w` test for code points (alphanumeric or underscore, as Python's re defines it)."""
    table = word_table()
    astral = cps >= 0x10000
    if not astral.any():
        return table[cps]
    out = table[np.where(astral, 0, cps)]
    for cp in np.unique(cps[astral]).tolist():
        out[cps == cp] = chr(cp).isalnum()
    return out


def fmix64(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


@dataclass
class Shingled:
    """Shingle hashes of a batch: `hashes[offsets[i]:offsets[i+1]]` belong to document i."""

    hashes: np.ndarray  # uint32 for MinHash input
    offsets: np.ndarray  # len = documents + 1
    exact_keys: np.ndarray  # uint64 per document: equal for documents with the same token sequence
    tokens: np.ndarray  # token count per document


_POWER_CACHE: dict[int, np.ndarray] = {}


def _powers(n: int, base: np.uint64) -> np.ndarray:
    """base ** k mod 2^64 for k < n; cached and grown by doubling, so batches reuse one table."""
    key = int(base)
    table = _POWER_CACHE.get(key)
    if table is None or len(table) < n:
        size = max(n, 2 * len(table) if table is not None else 1 << 16)
        out = np.full(size, base, dtype=np.uint64)
        out[0] = np.uint64(1)
        with np.errstate(over="ignore"):
            table = _POWER_CACHE[key] = np.cumprod(out, dtype=np.uint64)
    return table[:n]


def shingle_batch(texts: list[str], n: int = 5) -> Shingled:
    """Fast shingles: token hashes from prefix sums, n-gram hashes from shifted token arrays."""
    joined = "\x00".join(texts).lower()
    if joined.isascii():  # a quarter of the memory traffic of UTF-32
        cps = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        word = word_table()[cps]
    else:
        cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        word = is_word(cps)
    edges = np.diff(word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    with np.errstate(over="ignore"):
        powers = _powers(len(cps), P)
        prefix = np.concatenate(
            ([np.uint64(0)], np.cumsum((cps.astype(np.uint64) + np.uint64(1)) * powers, dtype=np.uint64))
        )
        inverse = _powers(len(cps), P_INV)
        tokens = fmix64((prefix[ends] - prefix[starts]) * inverse[starts])
    separators = np.flatnonzero(cps == 0)
    doc_of = np.searchsorted(separators, starts)
    counts = np.bincount(doc_of, minlength=len(texts))
    token_offsets = np.concatenate(([0], np.cumsum(counts)))
    return _ngrams(tokens, doc_of, counts, token_offsets, n, len(texts))


def _ngrams(
    tokens: np.ndarray, doc_of: np.ndarray, counts: np.ndarray, token_offsets: np.ndarray, n: int, n_docs: int
) -> Shingled:
    with np.errstate(over="ignore"):
        grams = tokens.copy()
        for k in range(1, n):
            shifted = np.zeros_like(tokens)
            shifted[:-k] = tokens[k:]
            grams = grams * M + shifted
        valid = np.zeros(len(tokens), dtype=bool)
        if len(tokens) >= n:
            valid[: len(tokens) - n + 1] = doc_of[: len(tokens) - n + 1] == doc_of[n - 1 :]
        per_doc = np.bincount(doc_of[valid], minlength=n_docs) if len(tokens) else np.zeros(n_docs, dtype=np.int64)
        hashes = fmix64(grams[valid])
        # Documents shorter than n tokens: one shingle of all their tokens.
        short = np.flatnonzero((counts > 0) & (counts < n))
        if len(short):
            extra = []
            for d in short:
                acc = np.uint64(0)
                for t in tokens[token_offsets[d] : token_offsets[d + 1]]:
                    acc = acc * M + t
                extra.append(acc)
            order_docs = np.concatenate((doc_of[valid], short))
            hashes = np.concatenate((hashes, fmix64(np.array(extra, dtype=np.uint64))))
            order = np.argsort(order_docs, kind="stable")
            hashes = hashes[order]
            per_doc = per_doc + np.bincount(short, minlength=n_docs)
        # Exact-duplicate key: a polynomial over the document's token hashes.
        if len(tokens):
            position = np.arange(len(tokens), dtype=np.uint64) - token_offsets[doc_of].astype(np.uint64)
            weighted = tokens * _powers(int(position.max()) + 1, Q)[position]
            sums = np.add.reduceat(weighted, np.minimum(token_offsets[:-1], len(tokens) - 1))
            exact = np.where(counts > 0, fmix64(sums ^ counts.astype(np.uint64)), np.uint64(0))
        else:
            exact = np.zeros(n_docs, dtype=np.uint64)
    offsets = np.concatenate(([0], np.cumsum(per_doc)))
    return Shingled((hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32), offsets, exact, counts)


def sha1_hash32(data: bytes) -> int:
    """datasketch's default hash function."""
    return int(struct.unpack("<I", sha1(data).digest()[:4])[0])


def datasketch_shingles(text: str, n: int = 5) -> list[bytes]:
    """The shingles as datasketch users build them: n lower-cased words joined by spaces, UTF-8."""
    words = WORD.findall(text.lower())
    if not words:
        return []
    if len(words) < n:
        return [" ".join(words).encode("utf-8")]
    return [" ".join(words[i : i + n]).encode("utf-8") for i in range(len(words) - n + 1)]


def _word_buffer(texts: list[str]) -> tuple[bytes, np.ndarray, np.ndarray, np.ndarray]:
    """The batch's lower-cased `\\w+` words as one UTF-8 buffer, each word followed by one space.

    Returns (buffer, word start byte, word end byte, words per document). Word boundaries come
    from numpy over the code points (no Python loop per word): the bytes kept are the word
    characters and the first non-word character after each word, which becomes the space.
    """
    joined = " ".join(texts) + " "
    ascii_only = joined.isascii()
    if ascii_only:  # lower() keeps lengths: one call for the batch, one byte per character
        joined = joined.lower()
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        cps = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        word = word_table()[cps]
    else:  # lower() may change a text's length ("İ" -> "i̇")
        lowered = [t.lower() for t in texts]
        lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered))
        joined = " ".join(lowered) + " "
        cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        word = is_word(cps)
    edges = np.diff(word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts_cp = np.flatnonzero(edges == 1)
    ends_cp = np.flatnonzero(edges == -1)
    keep = word.copy()
    keep[ends_cp] = True  # the first non-word character after each word (there is one: the final space)
    kept = cps.copy()
    kept[~word] = 32
    kept = kept[keep]
    position = np.cumsum(keep, dtype=np.int64) - 1  # index in `kept` of each kept code point
    if ascii_only:
        data = kept.tobytes()
        starts, ends = position[starts_cp], position[ends_cp - 1] + 1
    else:
        data = kept.tobytes().decode("utf-32-le", "surrogatepass").encode("utf-8", "surrogatepass")
        width = 1 + (kept >= 0x80).astype(np.int64) + (kept >= 0x800) + (kept >= 0x10000)
        byte_end = np.cumsum(width)  # byte offset just after each kept character
        ends = byte_end[position[ends_cp - 1]]
        starts = byte_end[position[starts_cp]] - width[position[starts_cp]]
    doc_bounds = np.cumsum(lengths + 1)
    counts = np.bincount(np.searchsorted(doc_bounds, starts_cp, side="right"), minlength=len(texts))[: len(texts)]
    return data, starts, ends, counts


def shingle_batch_datasketch(texts: list[str], n: int = 5) -> Shingled:
    """Shingles hashed with sha1_hash32, for signatures bit-identical to datasketch.MinHash.

    The batch's words sit in one UTF-8 buffer (`_word_buffer`); each shingle (n words joined by
    spaces) is then a slice of it, so slicing, hashing and taking digests run as C-level `map`s
    with no Python bytecode per shingle. The first 4 bytes of each SHA-1 digest, little-endian,
    are datasketch's sha1_hash32.
    """
    data, starts, ends, counts = _word_buffer(texts)
    n_words = len(starts)
    first = np.cumsum(counts) - counts  # index of each document's first word
    per_doc = np.where(counts >= n, counts - n + 1, np.minimum(counts, 1))  # short documents: one shingle
    total = int(per_doc.sum())
    doc = np.repeat(np.arange(len(texts)), per_doc)
    k = np.arange(total) - np.repeat(np.cumsum(per_doc) - per_doc, per_doc)
    first_word = first[doc] + k
    last_word = first_word + np.minimum(counts[doc], n) - 1
    pieces = map(data.__getitem__, map(slice, starts[first_word].tolist(), ends[last_word].tolist()))
    digests = b"".join(map(_DIGEST, map(_sha1, pieces)))
    hashes = np.frombuffer(digests, dtype="<u4")[::5].astype(np.uint32)
    top = max(n_words - 1, 0)
    starts, ends = (starts, ends) if n_words else (np.zeros(1, np.int64), np.zeros(1, np.int64))
    whole_start, whole_end = starts[np.minimum(first, top)], ends[np.clip(first + counts - 1, 0, top)]
    whole = map(data.__getitem__, map(slice, whole_start.tolist(), whole_end.tolist()))  # empty: hashed, unused
    exact = np.fromiter(
        (
            int.from_bytes(d[:8], "little") if c else 0
            for d, c in zip(map(_DIGEST, map(_sha1, whole)), counts.tolist(), strict=True)
        ),
        dtype=np.uint64,
        count=len(texts),
    )
    offsets = np.concatenate(([0], np.cumsum(per_doc)))
    return Shingled(hashes, offsets, exact, counts)
