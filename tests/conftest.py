"""Shared fixtures: the default pipeline, paths, and access to ../shared/corpora when present."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"
CORPORA = ROOT.parent / "shared" / "corpora"


def corpus(name: str) -> Path:
    """Path to a shared corpus; skips the test with the reason when it is absent (a user's clone)."""
    path = CORPORA / name
    if not path.is_file():
        pytest.skip(f"{path} not present: the shared corpora live beside the checkout in CI only")
    return path


def read_jsonl(path: Path, limit: int | None = None) -> Iterator[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            yield json.loads(line)


@pytest.fixture(scope="session")
def default_pipeline():
    from cleaner import Pipeline

    return Pipeline.from_rules("default")
