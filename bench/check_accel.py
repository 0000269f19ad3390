"""Check by hand that the C accelerator changes no output: every document of the shared corpora,
cleaned with and without it (CLEANER_NO_ACCEL=1), must give the same text and the same edits.

    .venv/bin/python bench/check_accel.py [--rules default --rules web] [--against DIR]

With --against, the reference is the pure-Python code of another checkout (e.g. a `git worktree` of
the previous commit), so a change to the code itself can be checked too. Each setting runs in its
own process (the accelerator is chosen at import); documents are compared
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


# The child imports cleaner from PYTHONPATH first (the reference checkout), then this file's digests().
CHILD = (
    "import json, sys, runpy; import cleaner; "
    f"d = runpy.run_path({str(Path(__file__).resolve())!r})['digests']; "
    "print(json.dumps(d(sys.argv[1], sys.argv[2]))); print(cleaner.__file__, file=sys.stderr)"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", action="append", default=None)
    ap.add_argument("--against", type=Path, help="a checkout whose pure-Python code is the reference")
    args = ap.parse_args()
    for rules in args.rules or ["default", "web"]:
        for corpus in NAMES:
            runs = {}
            reference = {"CLEANER_NO_ACCEL": "1"}
            if args.against:
                reference["PYTHONPATH"] = str(args.against.resolve())
            for label, extra in (("python", reference), ("accel", {})):
                env = {k: v for k, v in os.environ.items() if k not in ("CLEANER_NO_ACCEL", "PYTHONPATH")} | extra
                started = time.perf_counter()
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, rules, corpus], env=env, capture_output=True, check=True
                )
                runs[label] = (json.loads(done.stdout), time.perf_counter() - started)
            differ = [i for i, (a, b) in enumerate(zip(runs["python"][0], runs["accel"][0], strict=True)) if a != b]
            print(
                f"{rules:8s} {corpus:16s} docs {len(runs['python'][0]):6d}  differing {len(differ):3d} {differ[:10]}"
                f"  python {runs['python'][1]:.1f}s  accel {runs['accel'][1]:.1f}s"
            )


if __name__ == "__main__":
    main()
