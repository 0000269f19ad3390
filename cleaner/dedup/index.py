"""A persistent signature index (SQLite, no server), so a new crawl is deduplicated against earlier ones.

Stores, per kept document, its id, exact-duplicate key, length and MinHash
signature (num_perm x 4 bytes): about 0.6 KB a document at num_perm 128.
Band keys are recomputed from signatures when the index is loaded, so old
signatures are never recomputed from text. Documents seen in earlier runs
always stay the kept copy of their cluster.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from cleaner.dedup.deduplicator import Deduplicator
from cleaner.errors import CleanerError

SETTINGS = ("num_perm", "ngram", "seed", "hash", "threshold", "candidate_threshold")


class SignatureIndex:
    def __init__(self, path: Path, dedup: Deduplicator) -> None:
        self.path = path
        self.dedup = dedup
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS docs (n INTEGER PRIMARY KEY, id TEXT, exact INTEGER, length INTEGER, sig BLOB)"
        )
        self.loaded = 0

    def _settings(self) -> dict[str, str]:
        return {k: str(getattr(self.dedup, k)) for k in SETTINGS}

    def preload(self) -> int:
        """Load every stored signature into the deduplicator, before any new document."""
        stored = dict(self.db.execute("SELECT key, value FROM meta").fetchall())
        wanted = self._settings()
        if stored and stored != wanted:
            diff = ", ".join(f"{k}: index {stored.get(k)} vs now {v}" for k, v in wanted.items() if stored.get(k) != v)
            raise CleanerError(f"{self.path}: index built with other settings ({diff})")
        rows = self.db.execute("SELECT id, exact, length, sig FROM docs ORDER BY n").fetchall()
        if rows:
            sigs = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.uint32).reshape(len(rows), -1)
            exact = [int(r[1]) & ((1 << 64) - 1) for r in rows]
            self.dedup.preload([r[0] for r in rows], sigs, exact, [r[2] for r in rows])
        self.loaded = len(rows)
        return self.loaded

    def save_new(self, removed: dict[str, Any], display: dict[str, str] | None = None) -> int:
        """Append this run's kept documents (under their display ids); returns how many."""
        d = self.dedup
        display = display or {}
        new = [(i, doc_id) for i, doc_id in enumerate(d.ids) if i >= self.loaded and doc_id not in removed]
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(self._settings().items()))
            self.db.executemany(
                "INSERT INTO docs (id, exact, length, sig) VALUES (?, ?, ?, ?)",
                [
                    (display.get(doc_id, doc_id), _signed(d.exact_key(i)), d.lengths[i], d.signature_at(i).tobytes())
                    for i, doc_id in new
                ],
            )
        self.db.close()
        return len(new)


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value
