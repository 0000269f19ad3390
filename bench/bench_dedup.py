"""Dedup speed and memory: signatures end to end, LSH + clustering, index size, scaling.

    bench/.venv-bench/bin/python bench/bench_dedup.py [--scale 10000,100000]

(the benchmark environment has cleaner, datasketch and rensa: `pip install rensa` there; rensa is
skipped when absent). One core. Corpus: ../shared/corpora/reuters21578.jsonl.gz; for scale, the
corpus repeated with perturbations (each copy drops ~5% of words at random, fixed seed).

1. Raw text -> signature, tokenising and shingling included (lower-cased \\w+ words, 5-grams,
   num_perm 128), docs/s, side by side: plain datasketch (MinHash.update per shingle), datasketch
   MinHash.bulk, rensa RMinHash (update with Python-built shingles), cleaner fast hash, cleaner
   hash="datasketch".
2. Index and cluster: datasketch MinHashLSH(threshold=0.8) insert+query of the same signatures vs
   cleaner's Deduplicator after signatures (LSH at the looser candidate threshold, verification,
   union-find).
3. Index bytes per document; time from 10k to larger corpora.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from cleaner.dedup import Deduplicator
from cleaner.dedup.deduplicator import signatures
from cleaner.dedup.shingles import datasketch_shingles, shingle_batch, shingle_batch_datasketch

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "reuters21578.jsonl.gz"
NUM_PERM = 128


def texts() -> list[str]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def perturbed(base: list[str], n: int) -> list[str]:
    rng = random.Random(0)
    out = list(base[:n])
    while len(out) < n:
        for t in base:
            words = t.split(" ")
            out.append(" ".join(w for w in words if rng.random() > 0.05))
            if len(out) >= n:
                break
    return out


def timed(fn, repeats: int = 3) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=5000, help="documents for the slow baselines")
    ap.add_argument("--scale", default="10000,100000")
    args = ap.parse_args()
    corpus = texts()
    sample = corpus[: args.docs]
    from datasketch import MinHash, MinHashLSH

    def plain() -> None:
        for t in sample:
            m = MinHash(num_perm=NUM_PERM)
            for s in datasketch_shingles(t):
                m.update(s)

    def bulk() -> None:
        MinHash.bulk([datasketch_shingles(t) for t in sample], num_perm=NUM_PERM)

    def ours(kind):
        def run() -> None:
            for i in range(0, len(sample), 2000):
                batch = sample[i : i + 2000]
                sh = (shingle_batch if kind == "fast" else shingle_batch_datasketch)(batch)
                signatures(sh, NUM_PERM, 1)

        return run

    systems = {"datasketch MinHash.update": (plain, 1), "datasketch MinHash.bulk": (bulk, 3)}
    try:
        from rensa import RMinHash

        def rensa_run() -> None:
            for t in sample:
                m = RMinHash(num_perm=NUM_PERM, seed=1)
                m.update([s.decode() for s in datasketch_shingles(t)])
                m.digest()

        systems["rensa RMinHash"] = (rensa_run, 3)
    except ImportError:
        pass
    systems["cleaner hash=fast"] = (ours("fast"), 3)
    systems["cleaner hash=datasketch"] = (ours("datasketch"), 3)
    print(f"1. raw text -> signature, {len(sample)} Reuters docs, num_perm {NUM_PERM}, one core")
    rates = {}
    for name, (fn, repeats) in systems.items():
        fn() if repeats > 1 else None  # warm-up
        secs = timed(fn, repeats)
        rates[name] = len(sample) / secs
    for name, rate in rates.items():
        ratios = "  ".join(
            f"{rate / other:6.1f}x {short}"
            for short, other in (
                ("plain", rates["datasketch MinHash.update"]),
                ("bulk", rates["datasketch MinHash.bulk"]),
                ("rensa", rates.get("rensa RMinHash", float("nan"))),
            )
        )
        print(f"   {name:28s} {rate:9.0f} docs/s   {ratios}")

    print("2. index + cluster, all 21,578 Reuters docs (signatures precomputed for datasketch)")
    sigs = signatures(shingle_batch(corpus), NUM_PERM, 1)
    mhs = [MinHash(num_perm=NUM_PERM, hashvalues=s, scheme="affine32") for s in sigs]

    def datasketch_lsh() -> None:
        lsh = MinHashLSH(threshold=0.8, num_perm=NUM_PERM)
        for i, m in enumerate(mhs):
            lsh.query(m)
            lsh.insert(str(i), m)

    t_lsh = timed(datasketch_lsh, 3)
    started = time.perf_counter()
    d = Deduplicator(threshold=0.8, num_perm=NUM_PERM).add_many((str(i), t) for i, t in enumerate(corpus))
    d.duplicates()
    t_total = time.perf_counter() - started
    sh_time = timed(
        lambda: [signatures(shingle_batch(corpus[i : i + 2000]), NUM_PERM, 1) for i in range(0, len(corpus), 2000)], 1
    )
    t_ours = t_total - sh_time
    print(f"   datasketch MinHashLSH insert+query        {t_lsh:6.2f} s")
    print(
        f"   cleaner LSH + verify + union-find         {t_ours:6.2f} s  ({t_lsh / t_ours:.1f}x; total with "
        f"signatures {t_total:.2f} s = {len(corpus) / t_total:.0f} docs/s)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        from cleaner.dedup.index import SignatureIndex

        path = Path(tmp) / "index.sqlite"
        idx = SignatureIndex(path, d)
        idx.save_new(d.duplicates())
        n = sqlite3.connect(path).execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        print(
            f"3. persistent index: {path.stat().st_size / n:.0f} bytes per document on disk "
            f"({n} docs; the signature itself is {NUM_PERM * 4} bytes)"
        )

    print("4. scaling (Reuters repeated with 5% of words dropped per copy), cleaner end to end")
    for size in [int(x) for x in args.scale.split(",")]:
        docs = perturbed(corpus, size)
        started = time.perf_counter()
        dd = Deduplicator(threshold=0.8, num_perm=NUM_PERM).add_many((str(i), t) for i, t in enumerate(docs))
        removed = len(dd.duplicates())
        secs = time.perf_counter() - started
        print(f"   {size:>9,} docs  {secs:7.1f} s  {size / secs:8.0f} docs/s  removed {removed:,}")


if __name__ == "__main__":
    np.seterr(over="ignore")
    main()
