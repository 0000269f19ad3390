"""Cleaning speed: cleaner's default rules vs datatrove's C4QualityFilter as a line filter, one core.

Run by hand (not in tests), in an environment that has both `cleaner` and `datatrove`:

    python3 -m venv bench/.venv-bench && bench/.venv-bench/bin/pip install datatrove nltk -e .
    bench/.venv-bench/bin/python bench/bench_clean.py [--repeats 3] [--rules default] [--pure]

Reads ../shared/corpora/{reuters21578,web_pages}.jsonl.gz (the corpora README says where they come
from). Prints MB/s and docs/s per system and corpus (median of --repeats runs, measured side by side
in the same process, the systems taking turns), the ratio to C4, and cleaner's time per step. Each
timed pass of cleaner gets a new pipeline: its steps keep what they learn of lines and blocks seen
before (a site's menus), and a pass after the first would find the very same documents there.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from c4_filter import c4_line_filter

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"


def load(name: str) -> list[str]:
    with gzip.open(CORPORA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def time_it(fn, texts: list[str], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for text in texts:
            fn(text)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rules", action="append", default=None)
    ap.add_argument(
        "--pure",
        action="store_true",
        help="also run cleaner without its C accelerator (a second process with CLEANER_NO_ACCEL=1, "
        "which measures C4 again beside it)",
    )
    args = ap.parse_args()
    from cleaner import Pipeline
    from cleaner.accel import accel

    label = "+".join(args.rules or ["default"]) + (", C" if accel is not None else ", pure Python")

    def fresh_cleaner() -> Callable[[str], object]:
        """A new pipeline for every timed pass: the steps keep what they learnt of lines and blocks seen
        before (a site's menus), and a second pass over the same documents would find it all there."""
        return Pipeline.from_rules(*(args.rules or ["default"])).clean

    systems: dict[str, Callable[[], Callable[[str], object]]] = {f"cleaner ({label})": fresh_cleaner}
    c4 = c4_line_filter()
    if c4 is not None:
        systems["datatrove C4QualityFilter"] = lambda: c4
    print(f"{'corpus':14s} {'system':40s} {'MB/s':>8s} {'docs/s':>9s} {'vs C4':>7s}")
    for corpus in ("reuters21578", "web_pages"):
        texts = load(corpus)
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        for make in systems.values():
            make()(texts[0])  # lazy imports
        runs: dict[str, list[float]] = {name: [] for name in systems}
        for _ in range(args.repeats):  # interleaved, so a machine that speeds up or slows down affects all alike
            for name, make in systems.items():
                runs[name].append(time_it(make(), texts, 1))
        results = {name: statistics.median(times) for name, times in runs.items()}
        c4_time = results.get("datatrove C4QualityFilter")
        for name, secs in results.items():
            ratio = f"{c4_time / secs:.2f}x" if c4_time else "-"
            print(f"{corpus:14s} {name:40s} {mb / secs:8.1f} {len(texts) / secs:9.0f} {ratio:>7s}")
        for name in results:
            if name.startswith("cleaner"):
                pipe = Pipeline.from_rules(*(args.rules or ["default"]))
                time_it(pipe.clean, texts, 1)
                steps = ", ".join(f"{k} {mb / v:.0f} MB/s" for k, v in pipe.seconds_by_step.items() if v)
                print(f"{'':14s}   per step (MB/s of the corpus through that step alone): {steps}")
    if args.pure and accel is not None:
        print("-- the same without the C accelerator (CLEANER_NO_ACCEL=1), C4 measured again beside it:", flush=True)
        command = [sys.executable, __file__, "--repeats", str(args.repeats)]
        for rules in args.rules or []:
            command += ["--rules", rules]
        subprocess.run(command, env={**os.environ, "CLEANER_NO_ACCEL": "1"}, check=True)


if __name__ == "__main__":
    main()
