"""Cleaning quality on the web pages dev set: the metric of ../shared/corpora/README.md, one table.

    bench/.venv-bench/bin/python bench/bench_quality.py

Systems side by side: the input unchanged, datatrove's C4QualityFilter as a line filter
(min_num_sentences=-1; datatrove is installed in the benchmark environment, not a dependency),
cleaner `default`, cleaner `web`, and (as a ceiling, it reads the HTML) trafilatura's output stored
in the corpus. Metric, as ../shared/tools/quality_eval.py computes it: mean bag-of-words P/R/F1
against `gold` over records with a non-empty gold; share of `must_keep` snippets present in the
input that survive, and of `must_remove` snippets that disappear. Also MB/s of each system.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from c4_filter import c4_line_filter

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "web_pages.jsonl.gz"
WORD = re.compile(r"\w+", re.UNICODE)


def bow_prf(pred: str, gold: str) -> tuple[float, float, float] | None:
    p, g = Counter(WORD.findall(pred.lower())), Counter(WORD.findall(gold.lower()))
    if not g:
        return None
    tp = sum((p & g).values())
    prec = tp / max(1, sum(p.values())) if p else 0.0
    rec = tp / sum(g.values())
    return prec, rec, 0.0 if tp == 0 else 2 * prec * rec / (prec + rec)


def norm(s: str) -> str:
    return " ".join(s.split())


def score(records: list[dict], outputs: dict[str, str]) -> dict[str, float]:
    prf, keep, remove = [], [0, 0], [0, 0]
    for r in records:
        pred = outputs.get(r["id"], "")
        if r.get("gold"):
            found = bow_prf(pred, r["gold"])
            if found:
                prf.append(found)
        src, out = norm(r["text"]), norm(pred)
        for snip in r.get("must_keep") or []:
            if norm(snip) in src:
                keep[1] += 1
                keep[0] += norm(snip) in out
        for snip in r.get("must_remove") or []:
            if norm(snip) in src:
                remove[1] += 1
                remove[0] += norm(snip) not in out
    n = len(prf)
    return {
        "P": sum(x[0] for x in prf) / n,
        "R": sum(x[1] for x in prf) / n,
        "F1": sum(x[2] for x in prf) / n,
        "keep": keep[0] / keep[1],
        "remove": remove[0] / remove[1],
    }


def main() -> None:
    from cleaner import Pipeline
    from cleaner.document import Document

    with gzip.open(DATA, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    mb = sum(len(r["text"].encode()) for r in records) / 1e6
    Outputs = dict[str, str]

    def per_text(fn: Callable[[str], str] | None) -> Callable[[list[dict]], Outputs] | None:
        return None if fn is None else (lambda recs: {r["id"]: fn(r["text"]) for r in recs})

    def doc(r: dict) -> Document:
        return Document(text=r["text"], id=r["id"], meta={"url": r.get("url")})

    def corpus_run(pipe: Pipeline) -> Callable[[list[dict]], Outputs]:
        """As `cleaner run` does it: learn corpus-level boilerplate over all records, then clean."""

        def fn(recs: list[dict]) -> Outputs:
            learned = pipe.with_learned(pipe.learn_lines(doc(r) for r in recs))
            return {r["id"]: learned.clean(doc(r)).text for r in recs}

        return fn

    systems: dict[str, Callable[[list[dict]], Outputs] | None] = {
        "input unchanged": per_text(lambda t: t),
        "datatrove C4QualityFilter": per_text(c4_line_filter()),
    }
    for pack in ("default", "web"):
        pipe = Pipeline.from_rules(pack)
        systems[f"cleaner {pack}" + (" (per document)" if pack == "web" else "")] = per_text(
            lambda t, p=pipe: p.clean(t).text
        )
    systems["cleaner web (corpus run)"] = corpus_run(Pipeline.from_rules("web"))
    print(f"{'system':32s} {'P':>6s} {'R':>6s} {'F1':>6s} {'keep':>6s} {'remove':>7s} {'MB/s':>6s}")
    for name, fn in systems.items():
        if fn is None:
            print(f"{name:32s} (not installed)")
            continue
        fn(records[:1])
        started = time.perf_counter()
        outputs = fn(records)
        secs = time.perf_counter() - started
        s = score(records, outputs)
        print(
            f"{name:32s} {s['P']:6.3f} {s['R']:6.3f} {s['F1']:6.3f} {s['keep']:6.3f} {s['remove']:7.3f} "
            f"{mb / secs:6.1f}"
        )
    s = score(records, {r["id"]: r.get("trafilatura") or "" for r in records})
    print(
        f"{'trafilatura on HTML (ceiling)':32s} {s['P']:6.3f} {s['R']:6.3f} {s['F1']:6.3f} {s['keep']:6.3f} "
        f"{s['remove']:7.3f} {'-':>6s}"
    )


if __name__ == "__main__":
    main()
