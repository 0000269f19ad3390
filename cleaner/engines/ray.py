"""The same cleaning and dedup steps on Ray Data (`pip install 'cleaner[ray]'`), for corpora beyond one machine.

Cleaning is a `map_batches` of the same Pipeline the local engine uses (built
once per worker from the same rule files), so documents come out identical.

Dedup, without collecting the corpus on the driver:
1. `map_batches`: word n-gram shingles -> MinHash signatures (the local code);
2. `flat_map`: one row per (band, band key), plus one per exact-duplicate key;
3. `groupby(band, key).map_groups`: each bucket of 2+ documents yields
   candidate edges (first member, other member), checked by estimated Jaccard
   from the signatures carried in the rows;
4. connected components of the verified edges (union-find on the driver:
   edges, not documents, come back), then a `map_batches` filter drops every
   document but the first (input order) of its cluster.
Verification uses the estimate because shingles are not shuffled; the local
engine gives the same clusters with `Deduplicator(verify="estimate")`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cleaner.dedup import minhash
from cleaner.dedup.deduplicator import _band_multipliers, _UnionFind, signatures
from cleaner.dedup.shingles import shingle_batch

ORDINAL = "__cleaner_row"


_PIPELINES: dict[tuple[str, ...], Any] = {}  # one Pipeline per worker process and rule set
FAULT_MARKER_ENV = "CLEANER_FAULT_INJECTION_MARKER"  # tests: fail the first batch once, to exercise retries


def _pipeline(rule_specs: tuple[str, ...]) -> Any:
    pipe = _PIPELINES.get(rule_specs)
    if pipe is None:
        from cleaner.pipeline import Pipeline
        from cleaner.ruleset import load_rules

        pipe = _PIPELINES[rule_specs] = Pipeline(load_rules(*rule_specs))
    return pipe


def _inject_fault_once() -> None:
    import os
    from pathlib import Path

    marker = os.environ.get(FAULT_MARKER_ENV)
    if marker and not Path(marker).exists():
        Path(marker).write_text("failed once")
        raise RuntimeError("injected worker failure (test)")


def _clean_batch(batch: Any, rule_specs: tuple[str, ...], field: str, keep_dropped: bool) -> Any:
    """Clean one pandas batch with the worker's cached Pipeline; a retried batch gives the same rows."""
    _inject_fault_once()
    pipe = _pipeline(rule_specs)
    results = [pipe.clean("" if v is None else str(v)) for v in batch[field]]
    batch[field] = [r.text for r in results]
    if keep_dropped:
        batch["cleaner_status"] = [r.status for r in results]
        batch["cleaner_reason"] = [r.reason or "" for r in results]
        return batch
    return batch[[not r.dropped for r in results]]


def _specs(rules: Any) -> tuple[str, ...]:
    from cleaner.pipeline import Pipeline

    if isinstance(rules, Pipeline):
        return tuple(rules.rules.files)
    if isinstance(rules, str):
        return (rules,)
    return tuple(str(r) for r in rules)


RETRIES = {"max_retries": 3, "retry_exceptions": True}


def clean(
    ds: Any, pipeline: Any = ("default",), field: str = "text", *, keep_dropped: bool = False, batch_size: int = 256
) -> Any:
    """Clean a `ray.data.Dataset` column; dropped rows are filtered out unless `keep_dropped`.

    `pipeline` is a cleaner Pipeline or rule pack names/paths (what `Pipeline.from_rules` takes). A
    batch whose worker fails is retried (up to 3 times); cleaning is deterministic, so a retried batch
    yields exactly the rows it would have, none lost or doubled.
    """
    return ds.map_batches(
        _clean_batch,
        fn_kwargs={"rule_specs": _specs(pipeline), "field": field, "keep_dropped": keep_dropped},
        batch_format="pandas",
        batch_size=batch_size,
        **RETRIES,
    )


def _signature_rows(batch: dict[str, Any], field: str, num_perm: int, ngram: int, seed: int) -> dict[str, Any]:
    texts = ["" if t is None else str(t) for t in batch[field]]
    sh = shingle_batch(texts, ngram)
    sigs = signatures(sh, num_perm, seed)
    exact = (sh.exact_keys & np.uint64(0x7FFFFFFFFFFFFFFF)).astype(np.int64)
    return {ORDINAL: np.asarray(batch[ORDINAL]), "sig": list(sigs), "exact": exact, "tokens": np.asarray(sh.tokens)}


def _band_rows(row: dict[str, Any], bands: int, rows: int) -> list[dict[str, Any]]:
    if row["tokens"] == 0:
        return []
    sig = np.asarray(row["sig"], dtype=np.uint32)
    mult = _band_multipliers(rows)
    with np.errstate(over="ignore"):
        keys = (sig[: bands * rows].astype(np.uint64).reshape(bands, rows) * mult).sum(axis=1, dtype=np.uint64)
    out = [
        {"band": b, "key": int(k) & 0x7FFFFFFFFFFFFFFF, ORDINAL: row[ORDINAL], "sig": sig}
        for b, k in enumerate(keys.tolist())
    ]
    out.append({"band": -1, "key": int(row["exact"]), ORDINAL: row[ORDINAL], "sig": sig})
    return out


def _bucket_edges(group: Any, threshold: float) -> Any:
    import pandas as pd

    group = group.sort_values(ORDINAL)
    ordinals = group[ORDINAL].tolist()
    if len(ordinals) < 2:
        return pd.DataFrame({"a": [], "b": []}, dtype=np.int64)
    exact = int(group["band"].iloc[0]) == -1
    sigs = [np.asarray(s) for s in group["sig"]]
    a, b = [], []
    for i in range(1, len(ordinals)):
        if ordinals[i] == ordinals[0]:
            continue
        if exact or float(np.mean(sigs[0] == sigs[i])) >= threshold:
            a.append(ordinals[0])
            b.append(ordinals[i])
    return pd.DataFrame({"a": np.array(a, dtype=np.int64), "b": np.array(b, dtype=np.int64)})


def _drop_removed(batch: Any, removed: Any) -> Any:
    import ray

    if isinstance(removed, ray.ObjectRef):
        removed = ray.get(removed)
    keep = ~batch[ORDINAL].isin(removed)
    return batch[keep].drop(columns=[ORDINAL])


def dedup(
    ds: Any,
    field: str = "text",
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    seed: int = 1,
    candidate_threshold: float | None = None,
) -> tuple[Any, dict[int, int]]:
    """Remove near duplicates from a Dataset; returns (deduplicated Dataset, {removed row: kept row}).

    Rows are numbered in input order (a zip with `ray.data.range`), so "first" means the same as in
    the local engine.
    """
    import ray

    candidate = candidate_threshold or max(0.05, threshold - 0.25)
    bands, rows = minhash.lsh_bands(candidate, num_perm)
    count = ds.count()
    numbered = ds.zip(ray.data.range(count).rename_columns({"id": ORDINAL}))
    sig_ds = numbered.map_batches(
        _signature_rows,
        fn_kwargs={"field": field, "num_perm": num_perm, "ngram": ngram, "seed": seed},
        batch_format="numpy",
    )
    band_ds = sig_ds.flat_map(_band_rows, fn_kwargs={"bands": bands, "rows": rows})
    edges = band_ds.groupby(["band", "key"]).map_groups(
        _bucket_edges, fn_kwargs={"threshold": threshold}, batch_format="pandas"
    )
    uf = _UnionFind()
    for _ in range(count):
        uf.add()
    for batch in edges.iter_batches(batch_format="numpy"):  # edges only, never documents
        for a, b in zip(batch["a"].tolist(), batch["b"].tolist(), strict=True):
            uf.union(int(a), int(b))
    kept_of = {i: uf.find(i) for i in range(count) if uf.find(i) != i}
    removed = ray.put(np.array(sorted(kept_of), dtype=np.int64))  # shared once, read by each task
    out = numbered.map_batches(_drop_removed, fn_kwargs={"removed": removed}, batch_format="pandas", **RETRIES)
    return out, kept_of


def _read(source: str) -> tuple[Any, str]:
    """A Dataset from JSONL (.jsonl, .jsonl.gz) or Parquet files, with Ray Data's own readers."""
    import ray

    from cleaner.errors import CleanerError
    from cleaner.formats import discover

    files, _ = discover(source)
    kinds = {f.suffix for f in files}
    paths = [str(f.path) for f in files]
    if kinds and kinds <= {".jsonl", ".jsonl.gz"}:
        gz = ".jsonl.gz" in kinds
        if gz and ".jsonl" in kinds:
            raise CleanerError(f"{source}: mix of .jsonl and .jsonl.gz; the Ray engine reads one kind at a time")
        stream_args = {"compression": "gzip"} if gz else None
        return ray.data.read_json(paths, arrow_open_stream_args=stream_args), "jsonl"
    if kinds == {".parquet"}:
        return ray.data.read_parquet(paths), "parquet"
    raise CleanerError(f"{source}: the Ray engine reads .jsonl, .jsonl.gz or .parquet files (found: {sorted(kinds)})")


def _write(ds: Any, out: str, kind: str) -> None:
    if kind == "parquet":
        ds.write_parquet(out)
    else:
        ds.write_json(out)


def start(address: str | None) -> None:
    """Connect to a cluster (`auto`, `ray://host:10001`) or start a local Ray instance."""
    import ray

    if not ray.is_initialized():
        ray.init(address=address, ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True


def run_corpus(
    source: str, out: str, rules: Sequence[str], field: str = "text", address: str | None = None
) -> dict[str, int]:
    """`cleaner run --engine ray`: read, clean, write with Ray Data; returns document counts."""
    start(address)
    ds, kind = _read(source)
    total = ds.count()
    cleaned = clean(ds, tuple(rules), field).materialize()
    kept = cleaned.count()
    _write(cleaned, out, kind)
    return {"in": total, "kept_or_changed": kept, "dropped": total - kept}


def dedup_corpus(
    source: str, out: str, field: str = "text", threshold: float = 0.8, address: str | None = None
) -> dict[str, int]:
    """`cleaner dedup --engine ray`: read, deduplicate, write with Ray Data; returns document counts."""
    start(address)
    ds, kind = _read(source)
    deduped, kept_of = dedup(ds, field, threshold=threshold)
    _write(deduped, out, kind)
    return {"in": ds.count(), "removed": len(kept_of)}
