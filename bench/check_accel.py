"""Check by hand that the C accelerator changes no output: every document of the shared corpora,
cleaned with and without it (CLEANER_NO_ACCEL=1), must give the same text and the same edits.

    .venv/bin/python bench/check_accel.py [--rules default --rules web]

Each setting runs in its own process (the accelerator is chosen at import); documents are compared
by a digest of their text and edits. Prints the documents that differ, and the time of each run.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
NAMES = ("reuters21578", "web_pages", "mini_newsgroups")


def digests(rules: str, corpus: str) -> list[str]:
    from cleaner import Pipeline

    pipe = Pipeline.from_rules(*rules.split("+"))
    out = []
    with gzip.open(CORPORA / f"{corpus}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            result = pipe.clean(json.loads(line)["text"])
            payload = json.dumps([result.text, result.dropped, [list(e) for e in result.edits]], default=str)
            out.append(hashlib.sha1(payload.encode()).hexdigest())
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", action="append", default=None)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(digests(*args.child)))
        return
    for rules in args.rules or ["default", "web"]:
        for corpus in NAMES:
            runs = {}
            for label, extra in (("python", {"CLEANER_NO_ACCEL": "1"}), ("accel", {})):
                env = {k: v for k, v in os.environ.items() if k != "CLEANER_NO_ACCEL"} | extra
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, __file__, "--child", rules, corpus], env=env, capture_output=True, check=True
                )
                runs[label] = (json.loads(done.stdout), time.perf_counter() - started)
            differ = [i for i, (a, b) in enumerate(zip(runs["python"][0], runs["accel"][0], strict=True)) if a != b]
            print(
                f"{rules:8s} {corpus:16s} docs {len(runs['python'][0]):6d}  differing {len(differ):3d} {differ[:10]}"
                f"  python {runs['python'][1]:.1f}s  accel {runs['accel'][1]:.1f}s"
            )


if __name__ == "__main__":
    main()
