"""The same cleaning and dedup steps on Ray Data (`pip install 'cleaner[ray]'`), for corpora beyond one machine.

Cleaning is a `map_batches` of the same Pipeline the local engine uses (built
once per worker from the same rule files), so documents come out identical.

Dedup, without collecting the corpus on the driver:
1. `map_batches`: word n-gram shingles -> MinHash signatures (the local code);
2. `map_batches`: one row per (band, band key), plus one per exact-duplicate key;
3. `groupby(key mod 32).map_groups`: each partition is sorted by (band, key)
   and every bucket of 2+ documents yields candidate edges (first member,
   other member), checked by estimated Jaccard from the signatures carried in
   the rows;
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
PARTITIONS = 32  # shuffle partitions of the band-key space


_PIPELINES: dict[tuple[tuple[str, ...], str], Any] = {}  # one Pipeline per worker process and rule set
FAULT_MARKER_ENV = "CLEANER_FAULT_INJECTION_MARKER"  # tests: a worker dies in its first batch once, to exercise retries
FAULT_RAISE_ENV = "CLEANER_FAULT_RAISE_LOG"  # tests: while this file exists, every batch raises and notes it there


def _pipeline(rule_specs: tuple[str, ...], learned: Any = None) -> Any:
    """The worker's Pipeline for these rules (and learned corpus lines, a LearnedLines or its ObjectRef)."""
    if learned is None:
        key = (rule_specs, "")
    else:  # an ObjectRef (one per run) or the LearnedLines themselves
        key = (rule_specs, learned.hex() if hasattr(learned, "hex") else learned.digest())
    pipe = _PIPELINES.get(key)
    if pipe is None:
        from cleaner.pipeline import Pipeline
        from cleaner.ruleset import load_rules

        lines = learned
        if lines is not None and not hasattr(lines, "counts"):
            import ray

            lines = ray.get(lines)
        pipe = _PIPELINES[key] = Pipeline(load_rules(*rule_specs), learned=lines)
    return pipe


def _inject_test_faults() -> None:
    """The tests' faults (FAULT_MARKER_ENV, FAULT_RAISE_ENV); nothing happens where their variables are unset."""
    import os
    from pathlib import Path

    marker = os.environ.get(FAULT_MARKER_ENV)
    if marker and not Path(marker).exists():
        Path(marker).write_text("failed once")
        os._exit(1)  # the worker process dies, as on a lost node or the OOM killer
    log = os.environ.get(FAULT_RAISE_ENV)
    if log and Path(log).exists():
        with Path(log).open("a") as fh:
            fh.write("raised\n")
        raise RuntimeError("injected error in cleaning (test)")


def _clean_batch(batch: Any, rule_specs: tuple[str, ...], field: str, keep_dropped: bool, learned: Any = None) -> Any:
    """Clean one pandas batch with the worker's cached Pipeline; a retried batch gives the same rows."""
    from cleaner.document import Document

    _inject_test_faults()
    pipe = _pipeline(rule_specs, learned)
    url_field = pipe.rules.corpus_lines.url_field
    urls = batch[url_field] if url_field in batch else [None] * len(batch)
    results = [
        pipe.clean(Document(text="" if v is None else str(v), meta={"url": u}))
        for v, u in zip(batch[field], urls, strict=True)
    ]
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


def clean(
    ds: Any,
    pipeline: Any = ("default",),
    field: str = "text",
    *,
    keep_dropped: bool = False,
    batch_size: int = 256,
    corpus_lines: bool = True,
) -> Any:
    """Clean a `ray.data.Dataset` column; dropped rows are filtered out unless `keep_dropped`.

    `pipeline` is a cleaner Pipeline or rule pack names/paths (what `Pipeline.from_rules` takes). A
    batch whose worker dies is run again (Ray Data retries tasks after system failures); cleaning is
    deterministic, so a retried batch yields exactly the rows it would have, none lost or doubled. An
    exception in cleaning is not retried: it would recur, so the run stops with it. Where the rules enable corpus-level
    boilerplate (`web`), a first pass learns it over the dataset (`corpus_lines=False` skips that).
    """
    specs = _specs(pipeline)
    learned = learn_lines(ds, specs, field) if corpus_lines else None
    kwargs: dict[str, Any] = {"rule_specs": specs, "field": field, "keep_dropped": keep_dropped}
    if learned:
        import ray

        kwargs["learned"] = ray.put(learned)
    return ds.map_batches(_clean_batch, fn_kwargs=kwargs, batch_format="pandas", batch_size=batch_size)


def _line_hash_batch(batch: Any, rule_specs: tuple[str, ...], field: str) -> Any:
    """First pass of corpus-level boilerplate: each document's hash and its distinct line hashes."""
    import pandas as pd

    from cleaner.corpus_lines import document_hashes, host_of
    from cleaner.textin import normalize_newlines

    settings = _pipeline(rule_specs).rules.corpus_lines
    urls = batch[settings.url_field] if settings.url_field in batch else [None] * len(batch)
    pairs = [
        document_hashes(normalize_newlines("" if v is None else str(v)), host_of(u), settings.max_words)
        for v, u in zip(batch[field], urls, strict=True)
    ]
    return pd.DataFrame(
        {"doc": [str(d) for d, _ in pairs], "lines": [np.asarray(h, dtype=np.uint64).tobytes() for _, h in pairs]}
    )


def learn_lines(ds: Any, rule_specs: Sequence[str], field: str = "text") -> Any:
    """Corpus-level boilerplate on Ray: line hashes come from the workers, counting runs on the driver
    (8 bytes per line; identical documents count once, as in the local engine). Returns LearnedLines,
    empty where the rules leave `[corpus_lines] min_documents` off."""
    from cleaner.corpus_lines import LearnedLines, LineCounter
    from cleaner.ruleset import load_rules

    specs = tuple(rule_specs)
    min_documents = load_rules(*specs).corpus_lines.min_documents
    if not min_documents:
        return LearnedLines()
    counter = LineCounter()
    hashed = ds.map_batches(_line_hash_batch, fn_kwargs={"rule_specs": specs, "field": field}, batch_format="pandas")
    for batch in hashed.iter_batches(batch_format="pandas"):
        for doc, lines in zip(batch["doc"], batch["lines"], strict=True):
            counter.add(int(doc), np.frombuffer(lines, dtype=np.uint64).tolist())
    return counter.frequent(min_documents)


def _signature_rows(batch: dict[str, Any], field: str, num_perm: int, ngram: int, seed: int) -> dict[str, Any]:
    texts = ["" if t is None else str(t) for t in batch[field]]
    sh = shingle_batch(texts, ngram)
    sigs = signatures(sh, num_perm, seed)
    exact = (sh.exact_keys & np.uint64(0x7FFFFFFFFFFFFFFF)).astype(np.int64)
    return {ORDINAL: np.asarray(batch[ORDINAL]), "sig": list(sigs), "exact": exact, "tokens": np.asarray(sh.tokens)}


def _band_rows(batch: dict[str, Any], bands: int, rows: int) -> dict[str, Any]:
    """Per document with words: one row per LSH band key and one for its exact-duplicate key (vectorised)."""
    has_words = np.asarray(batch["tokens"]) > 0
    sigs = np.stack([np.asarray(s, dtype=np.uint32) for s in batch["sig"]])[has_words] if len(has_words) else None
    ordinals = np.asarray(batch[ORDINAL])[has_words]
    exact = np.asarray(batch["exact"], dtype=np.int64)[has_words]
    if sigs is None or not len(ordinals):
        empty = np.zeros(0, dtype=np.int64)
        return {"band": empty, "key": empty, "part": empty, ORDINAL: empty, "sig": np.zeros((0, 1), np.uint32)}
    mult = _band_multipliers(rows)
    n = len(ordinals)
    with np.errstate(over="ignore"):
        keys = (sigs[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows) * mult).sum(axis=2, dtype=np.uint64)
    keys = (keys & np.uint64(0x7FFFFFFFFFFFFFFF)).astype(np.int64)
    all_keys = np.concatenate([keys, exact[:, None]], axis=1)  # (n, bands + 1); the last column is the exact key
    band = np.tile(np.append(np.arange(bands), -1), n)
    flat = all_keys.reshape(-1)
    return {
        "band": band,
        "key": flat,
        "part": flat % PARTITIONS,
        ORDINAL: np.repeat(ordinals, bands + 1),
        "sig": np.repeat(sigs, bands + 1, axis=0),
    }


def _partition_edges(group: Any, threshold: float) -> Any:
    """Candidate edges of every bucket in one shuffle partition: sort by (band, key, row), then link each
    bucket's later members to its first, keeping pairs whose estimated Jaccard reaches `threshold`
    (exact-key buckets, band -1, need no check)."""
    import pandas as pd

    group = group.sort_values(["band", "key", ORDINAL], kind="stable")
    band = group["band"].to_numpy()
    key = group["key"].to_numpy()
    ordinal = group[ORDINAL].to_numpy()
    new_bucket = np.ones(len(group), dtype=bool)
    new_bucket[1:] = (band[1:] != band[:-1]) | (key[1:] != key[:-1])
    first = np.maximum.accumulate(np.where(new_bucket, np.arange(len(group)), 0))
    pairs = np.flatnonzero(~new_bucket & (ordinal != ordinal[first]))
    a, b = [], []
    sigs = group["sig"].to_numpy()
    for k in pairs.tolist():
        f = int(first[k])
        if band[k] == -1 or float(np.mean(np.asarray(sigs[f]) == np.asarray(sigs[k]))) >= threshold:
            a.append(int(ordinal[f]))
            b.append(int(ordinal[k]))
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
    band_ds = sig_ds.map_batches(_band_rows, fn_kwargs={"bands": bands, "rows": rows}, batch_format="numpy")
    # Shuffle by a coarse partition of the bucket key, not by bucket: a few large groups, each split into
    # buckets by one vectorised sort, instead of one Python call per bucket.
    edges = band_ds.groupby("part").map_groups(
        _partition_edges, fn_kwargs={"threshold": threshold}, batch_format="pandas"
    )
    uf = _UnionFind()
    for _ in range(count):
        uf.add()
    for batch in edges.iter_batches(batch_format="numpy"):  # edges only, never documents
        for a, b in zip(batch["a"].tolist(), batch["b"].tolist(), strict=True):
            uf.union(int(a), int(b))
    kept_of = {i: uf.find(i) for i in range(count) if uf.find(i) != i}
    removed = ray.put(np.array(sorted(kept_of), dtype=np.int64))  # shared once, read by each task
    out = numbered.map_batches(_drop_removed, fn_kwargs={"removed": removed}, batch_format="pandas")
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
    source: str,
    out: str,
    rules: Sequence[str],
    field: str = "text",
    address: str | None = None,
    corpus_lines: bool = True,
) -> dict[str, int]:
    """`cleaner run --engine ray`: read, clean, write with Ray Data; returns document counts."""
    start(address)
    ds, kind = _read(source)
    total = ds.count()
    cleaned = clean(ds, tuple(rules), field, corpus_lines=corpus_lines).materialize()
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
