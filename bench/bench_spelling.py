"""The guarded dictionary corrector on edited prose (false fixes) and on injected real misspellings.

    .venv/bin/python bench/bench_spelling.py [--docs 3000]

1. Changes per 100k words on Reuters bodies, for cleaner's guarded corrector and for a naive
   symspell corrector (every out-of-dictionary lower-case word replaced by its top suggestion at
   distance 1). The 1987 newswire is edited but not clean: it has about 75 real typos per 100k
   words ("recieved", "statment"). bench/data/reuters_spelling_audit.tsv holds a hand verdict for
   every change the corrector makes to the first 3,000 bodies (fix or false, from the context), so
   false changes are counted apart from real fixes.
2. Real Birkbeck misspellings at edit distance 1 injected into that prose (at most one
   per 50 words, each replacing a word that occurs once in its document and is the misspelling's
   intended word): share fixed.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import random
import re
from collections import Counter
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


AUDIT = Path(__file__).resolve().parent / "data" / "reuters_spelling_audit.tsv"


def read_audit() -> dict[tuple[str, str], str]:
    """(before, after) -> 'fix' or 'false', judged by hand for the changes seen on the first 3,000 bodies."""
    out = {}
    for line in AUDIT.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            before, after, verdict = line.split("\t")[:3]
            out[(before, after)] = verdict
    return out


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
    ap.add_argument("--rules", default="spelling-en", help="a rule pack or file with [spelling]")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a [spelling] setting")
    ap.add_argument("--show", action="store_true", help="print every change made to the Reuters prose")
    args = ap.parse_args()
    settings = load_rules(args.rules).spelling
    for item in args.set:
        key, value = item.split("=", 1)
        settings = dataclasses.replace(settings, **{key: type(getattr(settings, key))(value)})
    speller = SpellingStep(settings)
    bodies = [r.get("body") or r["text"] for r in read("reuters21578")][: args.docs]
    words = sum(len(WORD.findall(b)) for b in bodies)
    changes = Counter((e.before, e.after) for b in bodies for e in speller(Document(text=b)).edits)
    guarded = sum(changes.values())
    if args.show:
        print("  changes:", ", ".join(f"{a}->{b}" + (f" x{n}" if n > 1 else "") for (a, b), n in changes.most_common()))
    naive_changes = sum(naive(speller, b) for b in bodies)
    print(f"Reuters prose: {len(bodies)} docs, {words} words")
    print(f"  guarded corrector: {guarded} changes = {guarded / words * 1e5:.1f} per 100k words")
    audit = read_audit()
    verdicts = Counter(audit.get(pair, "unaudited") for pair in changes.elements())
    print(
        f"    by the hand audit ({AUDIT.name}): {verdicts['fix']} real typos fixed, {verdicts['false']} false changes "
        f"= {verdicts['false'] / words * 1e5:.1f} per 100k words, {verdicts['unaudited']} not audited"
    )
    if args.show and verdicts["false"]:
        print("    false:", ", ".join(f"{a}->{b}" for (a, b) in changes if audit.get((a, b)) == "false"))
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
