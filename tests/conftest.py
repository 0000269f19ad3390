"""Shared fixtures: the default pipeline, paths, and access to ../shared/corpora when present."""

from __future__ import annotations

import dataclasses
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


def widened(model, extra: int, weight: float, seed: int, **changes):
    """`model` reading `extra` more input columns (standardised as they come), their hidden weights
    random times `weight` (0 leaves every logit as it was), with `changes` made too."""
    import numpy as np

    added = weight * np.random.default_rng(seed).normal(size=(extra, model.hidden_weights.shape[1]))
    return dataclasses.replace(
        model,
        mean=np.concatenate([model.mean, np.zeros(extra)]),
        scale=np.concatenate([model.scale, np.ones(extra)]),
        hidden_weights=np.vstack([model.hidden_weights, added]),
        **changes,
    )


def with_lexicon(model, lexicon, weight: float = 1.0, seed: int = 0):
    """`model`'s network (its first model's, without a context model) on its shallow features alone
    (lexicon None), or widened by the lexical features of `lexicon` (`widened`)."""
    from cleaner.steps.block_model import FEATURES, LEXICAL_FEATURES

    own = len(FEATURES)
    base = dataclasses.replace(
        model,
        mean=model.mean[:own],
        scale=model.scale[:own],
        hidden_weights=model.hidden_weights[:own],
        lexicon=None,
        context=None,
    )
    if lexicon is None:
        return base
    return widened(base, len(LEXICAL_FEATURES), weight, seed, lexicon=lexicon)


def with_context(model, weight: float = 1.0, seed: int = 0):
    """`model` (a first model, with its lexicon if any) with a context model that copies its network and
    reads the context features (`widened`): weight 0 makes the same calls as `model` alone."""
    from cleaner.steps.block_model import CONTEXT_FEATURES

    first = dataclasses.replace(model, context=None)
    context = widened(
        first, len(CONTEXT_FEATURES), weight, seed, lexicon=None, context_inputs=first.inputs + CONTEXT_FEATURES
    )
    return dataclasses.replace(first, context=context)
