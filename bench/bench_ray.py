"""Local engine vs Ray on 2 CPUs, same corpus: throughput and overhead of cleaning and dedup.

    .venv/bin/pip install -e '.[ray]' && .venv/bin/python bench/bench_ray.py [--docs 5000]

Reads the first --docs Reuters records (../shared/corpora/reuters21578.jsonl.gz). Local: the
Pipeline in one process, and the Deduplicator (verify="estimate", as Ray verifies). Ray: a local
Ray instance with 2 CPUs, Dataset from the same records in memory, `cleaner.engines.ray.clean`
and `.dedup`, timed to a materialised result (start-up of Ray itself reported separately).
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "reuters21578.jsonl.gz"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=5000)
    args = ap.parse_args()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        rows = [{"id": r["id"], "text": r["text"]} for r in map(json.loads, fh)][: args.docs]
    mb = sum(len(r["text"].encode()) for r in rows) / 1e6
    from cleaner import Pipeline
    from cleaner.dedup import Deduplicator

    started = time.perf_counter()
    pipe = Pipeline.from_rules("default")
    for r in rows:
        pipe.clean(r["text"])
    local_clean = time.perf_counter() - started
    started = time.perf_counter()
    Deduplicator(verify="estimate").add_many((r["id"], r["text"]) for r in rows).duplicates()
    local_dedup = time.perf_counter() - started

    import ray

    from cleaner.engines import ray as cray

    started = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    startup = time.perf_counter() - started
    started = time.perf_counter()
    cray.clean(ray.data.from_items(rows), "default").materialize()
    ray_clean = time.perf_counter() - started
    started = time.perf_counter()
    deduped, _ = cray.dedup(ray.data.from_items(rows))
    deduped.materialize()
    ray_dedup = time.perf_counter() - started
    ray.shutdown()
    print(f"{len(rows)} Reuters docs, {mb:.1f} MB; Ray start-up {startup:.1f} s (not included below)")
    print(f"{'step':8s} {'local s':>8s} {'ray s':>8s} {'local docs/s':>13s} {'ray docs/s':>11s} {'ray/local':>10s}")
    for name, local, on_ray in (("clean", local_clean, ray_clean), ("dedup", local_dedup, ray_dedup)):
        print(
            f"{name:8s} {local:8.2f} {on_ray:8.2f} {len(rows) / local:13.0f} {len(rows) / on_ray:11.0f} "
            f"{on_ray / local:9.1f}x"
        )


if __name__ == "__main__":
    main()
