"""Corpus-run throughput at 1 and 2 workers, and peak memory as the corpus grows 10x.

    .venv/bin/python bench/bench_run.py [--repeats 3]

Builds, under bench/out/, the Reuters corpus (../shared/corpora/reuters21578.jsonl.gz, the largest
there) split into .jsonl.gz files of 1,000 records, and a copy 10x larger (the same files repeated).
Runs `cleaner run` as a subprocess for each setting and reports the median wall time, MB/s, docs/s,
the speed-up of 2 workers over 1, and the peak RSS of the run (largest process, parent or worker).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpora" / "reuters21578.jsonl.gz"


def build(root: Path, copies: int) -> tuple[int, int]:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    docs = size = 0
    for copy in range(copies):
        for start in range(0, len(rows), 1000):
            part = rows[start : start + 1000]
            payload = "".join(json.dumps({"id": f"{r['id']}#{copy}", "text": r["text"]}) + "\n" for r in part)
            with gzip.open(root / f"c{copy:02d}-{start // 1000:02d}.jsonl.gz", "wt", encoding="utf-8") as out:
                out.write(payload)
            docs += len(part)
            size += sum(len(r["text"].encode()) for r in part)
    return docs, size


def measure(src: Path, workers: int, repeats: int) -> tuple[float, float]:
    """(median seconds, peak RSS in MB over the runs)."""
    times, peaks = [], []
    for _ in range(repeats):
        out = HERE / "out" / f"run-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        cmd = [sys.executable, "-m", "cleaner.cli", "run", str(src), "--out", str(out), "-w", str(workers)]
        # A fresh parent per run, so RUSAGE_CHILDREN's peak belongs to this run only.
        probe = (
            "import resource, subprocess, sys, time; t = time.perf_counter(); "
            f"subprocess.run({cmd!r}, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        secs, rss_kb = subprocess.run(
            [sys.executable, "-c", probe], check=True, capture_output=True, text=True
        ).stdout.split()
        times.append(float(secs))
        peaks.append(int(rss_kb) / 1024)
    return statistics.median(times), max(peaks)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    small, large = HERE / "out" / "reuters-1x", HERE / "out" / "reuters-10x"
    docs1, size1 = build(small, 1)
    docs10, size10 = build(large, 10)
    print(f"{'corpus':12s} {'workers':>7s} {'seconds':>8s} {'MB/s':>7s} {'docs/s':>8s} {'peak RSS MB':>12s}")
    results = {}
    for name, src, docs, size in (("1x", small, docs1, size1), ("10x", large, docs10, size10)):
        for workers in (1, 2):
            secs, peak = measure(src, workers, args.repeats if name == "1x" else 1)
            results[(name, workers)] = (secs, peak)
            print(f"{name:12s} {workers:7d} {secs:8.1f} {size / 1e6 / secs:7.1f} {docs / secs:8.0f} {peak:12.0f}")
    for name in ("1x", "10x"):
        print(f"speed-up of 2 workers over 1 on {name}: {results[(name, 1)][0] / results[(name, 2)][0]:.2f}x")


if __name__ == "__main__":
    main()
