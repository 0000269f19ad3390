"""The guarded dictionary corrector on edited prose (false fixes) and on injected real misspellings.

    .venv/bin/python bench/bench_spelling.py [--docs 3000]

1. Changes per 100k words on Reuters bodies (edited newswire: nearly every change is a false fix),
   for cleaner's guarded corrector and for a naive symspell corrector (every out-of-dictionary
   lower-case word replaced by its top suggestion at distance 1).
2. Real Birkbeck misspellings at edit distance 1 injected into that prose (at most one
   per 50 words, each replacing a word that occurs once in its document and is the misspelling's
   intended word): share fixed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

from symspellpy import Verbosity
from symspellpy.editdistance import DistanceAlgorithm, EditDistance

from cleaner.document import Document
from cleaner.ruleset import load_rules
from cleaner.steps.spelling import CANDIDATE, SpellingStep

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
WORD = re.compile(r"\w+")


def read(name: str):
    with gzip.open(CORPORA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def naive(speller: SpellingStep, text: str) -> int:
    sym = speller._index()
    changes = 0
    for m in CANDIDATE.finditer(text):
        word = m.group()
        if word in sym.words:
            continue
        found = sym.lookup(word, Verbosity.TOP, max_edit_distance=1)
        if found and found[0].term != word:
            changes += 1
    return changes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    args = ap.parse_args()
    speller = SpellingStep(load_rules("spelling-en").spelling)
    bodies = [r.get("body") or r["text"] for r in read("reuters21578")][: args.docs]
    words = sum(len(WORD.findall(b)) for b in bodies)
    guarded = sum(len(speller(Document(text=b)).edits) for b in bodies)
    naive_changes = sum(naive(speller, b) for b in bodies)
    print(f"Reuters prose: {len(bodies)} docs, {words} words")
    print(f"  guarded corrector: {guarded} changes = {guarded / words * 1e5:.1f} per 100k words")
    print(f"  naive symspell:    {naive_changes} changes = {naive_changes / words * 1e5:.0f} per 100k words")

    dist = EditDistance(DistanceAlgorithm.DAMERAU_OSA)
    by_gold: dict[str, list[str]] = {}
    for r in read("birkbeck_misspellings"):
        wrong, right = r["text"], r["gold"]
        if (
            wrong.isalpha()
            and wrong.islower()
            and right.isalpha()
            and right.islower()
            and dist.compare(wrong, right, 1) == 1
        ):
            by_gold.setdefault(right, []).append(wrong)
    rng = random.Random(0)
    injected = fixed = wrong_fix = 0
    for body in bodies:
        tokens = body.split(" ")
        truth: dict[int, str] = {}
        budget = max(1, len(tokens) // 50)
        used: set[str] = set()
        for i in rng.sample(range(len(tokens)), len(tokens)):
            tok = tokens[i]
            if len(truth) < budget and tok in by_gold and tok not in used and body.count(tok) == 1:
                truth[i] = tok
                used.add(tok)
                tokens[i] = rng.choice(by_gold[tok])
        if not truth:
            continue
        doc = speller(Document(text=" ".join(tokens)))
        out = doc.text.split(" ")
        for i, right in truth.items():
            injected += 1
            fixed += out[i] == right
        wrong_fix += sum(1 for i, t in enumerate(out) if i not in truth and t != tokens[i])
    print(
        f"Birkbeck misspellings (edit distance 1) injected: {injected}; fixed {fixed} = {fixed / injected:.1%}; "
        f"other words changed in those docs: {wrong_fix}"
    )


if __name__ == "__main__":
    main()
