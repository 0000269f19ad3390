"""The web pack's snippet errors on sites its model never saw: which must-keep snippets it loses and which
must-remove snippets it keeps, with the lines around each and what became of every one of them.

Why: the held-out figures of bench/train_classifier.py say how many snippets go wrong, not which or why.
Reading these lists is how a rule or a model change is chosen; reading them for the held-out sites, with
the fold models that never saw the site, shows the errors a new site will get.

Run by hand, in the benchmark environment, with fold models that train_classifier.py saved
(`--fold-models DIR`; the same `--folds` and `--data`):

    bench/.venv-bench/bin/python bench/heldout_errors.py --fold-models folds/ [--folds 3] [--threshold 0.3:0.4]
        [--show lost|kept|both|none] [--context 3]

It prints, per snippet, `=== page site LOST|KEPT 'snippet'` and the lines around it, each with its fate:
`kept`, or `step/rule: note` of the edit that removed it (the classifier's notes give its class, length,
stopword share and the model's probability; "(second look)" marks a later look). Then a summary: how many
snippets were counted, lost and kept, and which step (and which look of the classifier) removed the lines
of each lost one.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from bench_quality import DATA, norm
from train_classifier import dev_records, site_folds, site_of, web_pipeline

from cleaner.document import Edit
from cleaner.steps.block_model import BlockModel
from cleaner.textin import normalize_newlines


def fates(edits: list[Edit]) -> dict[int, Edit]:
    """The edit that removed each line (0-based, in the text with its line breaks normalised), the first
    where several touched it. Its `before` is the line as that step saw it (after the unicode fixes)."""
    out: dict[int, Edit] = {}
    for e in edits:
        if e.line is not None and e.after == "":
            out.setdefault(e.line - 1, e)
    return out


def snippet_lines(lines: list[str], snippet: str) -> list[int]:
    """The lines (0-based) a snippet covers: those whose text is part of it, or that hold it whole."""
    return [i for i, line in enumerate(lines) if (t := norm(line)) and (t in snippet or snippet in t)]


def cause(lines: list[int], removed: dict[int, Edit]) -> str:
    """Which step removed a lost snippet: the first of its lines that went; the classifier's look apart."""
    gone = [removed[i] for i in lines if i in removed]
    if not gone:
        return "no step: none of its lines removed (one was changed)"
    e = gone[0]
    if e.step == "classifier":
        return "classifier, later look" if "second look" in e.note else "classifier, first look"
    return e.step


def show(record: dict, verdict: str, snippet: str, lines: list[str], at: list[int], removed: dict[int, Edit], n: int):
    print(f"=== {record['id']} {site_of(record)} {verdict} {snippet[:100]!r}")
    for i in range(max(0, at[0] - n), min(len(lines), at[-1] + n + 1)):
        e = removed.get(i)
        fate = f"{e.step}/{e.rule}: {e.note}" if e else "kept"
        print(f"{'>>' if i in at else '  '} {fate[:72]:72} | {lines[i][:110]}")


def snippet_errors(record: dict, result_text: str, removed: dict[int, Edit], lines: list[str]):
    """(wanted, snippet, wrong, lines it covers) for each snippet of the page the metric counts: `wanted` is
    "keep" or "remove", `wrong` whether the pipeline got it wrong. Where a snippet is on the page twice, the
    lines are those where it went wrong (a line removed, a line kept)."""
    source, output = norm(record["text"]), norm(result_text)
    for wanted, snippets in (("keep", record.get("must_keep")), ("remove", record.get("must_remove"))):
        for snippet in map(norm, snippets or []):
            if snippet not in source:
                continue  # the metric skips it too
            wrong = (snippet not in output) if wanted == "keep" else (snippet in output)
            at = snippet_lines(lines, snippet) if wrong else []
            at = [i for i in at if (i in removed) == (wanted == "keep")] or at
            yield wanted, snippet, wrong, at


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fold-models", type=Path, required=True, help="train_classifier.py's saved fold models")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--threshold", default="0.3:0.4", help="model_threshold[:model_rescue_threshold]")
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--show", choices=["lost", "kept", "both", "none"], default="lost")
    ap.add_argument("--context", type=int, default=3, help="lines shown before and after a snippet")
    args = ap.parse_args()
    records, _ = dev_records(args.data)
    fold = site_folds(records, args.folds)
    counts: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    for f in range(args.folds):
        pipe = web_pipeline(BlockModel.load(args.fold_models / f"fold{f}.model.json"), args.threshold)
        for record, k in zip(records, fold, strict=True):
            if k != f or not (record.get("must_keep") or record.get("must_remove")):
                continue
            result = pipe.clean(record["text"])
            lines = normalize_newlines(record["text"]).split("\n")  # numbered as the edits number them
            removed = fates(result.edits)
            for wanted, snippet, wrong, at in snippet_errors(record, result.text, removed, lines):
                counts[wanted] += 1
                if not wrong:
                    continue
                counts[f"{wanted} wrong"] += 1
                if wanted == "keep":
                    causes[cause(at, removed)] += 1
                if at and args.show in ("both", "lost" if wanted == "keep" else "kept"):
                    show(record, "LOST" if wanted == "keep" else "KEPT", snippet, lines, at, removed, args.context)
    print(f"must_keep: {counts['keep']} counted, {counts['keep wrong']} lost")
    for name, n in causes.most_common():
        print(f"  removed by {name}: {n}")
    print(f"must_remove: {counts['remove']} counted, {counts['remove wrong']} kept")


if __name__ == "__main__":
    main()
