"""Corpus-level near-duplicate detection (MinHash LSH). See deduplicator.py."""

from cleaner.dedup.deduplicator import Deduplicator, Duplicate

__all__ = ["Deduplicator", "Duplicate"]
