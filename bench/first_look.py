"""Quick experiments on the block model's first look at held-out sites, before training a whole model.

Run by hand, in the benchmark environment (scikit-learn):

    bench/.venv-bench/bin/python bench/first_look.py [--data pages.jsonl.gz] [--only "by site"]
        [--snippet-weight 30] [--lexicon-snippet-weight 5] [--silver-weight 1]

The whole trainer (bench/train_classifier.py) takes about an hour, since it trains on every look the
classifier takes and cleans the held-out pages through the pipeline. This script compares model forms
on the first look only, in about ten minutes: the dev pages (test pages left out) in 3 folds by host,
the lexicon and models trained on two folds and scored on the third's blocks. Per model it prints
AUC over all labelled blocks, AUC over snippet blocks, must-keep blocks kept where 83 % of
must-remove blocks go, and must-remove blocks removed where 93 % of must-keep blocks stay (the
held-out figures of the shipped model, so the last two read as "what the targets would need").
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train_classifier as tc

from cleaner.steps.block_model import context_features

Rows = tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]  # features, labels, page index, page hosts


def metrics(p: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    from sklearn.metrics import roc_auc_score

    keep_code, remove_code = y == tc.SNIPPET_KEEP, y == tc.SNIPPET_REMOVE
    known, snippets = y >= 0, keep_code | remove_code
    keep, remove = p[keep_code], p[remove_code]
    keep_at = float((keep > np.quantile(remove, 0.83)).mean())
    remove_at = float((remove < np.quantile(keep, 1 - 0.93)).mean())
    return roc_auc_score(y[known] % 2, p[known]), roc_auc_score(y[snippets] % 2, p[snippets]), keep_at, remove_at


def page_rows(clf, pages: list[tc.Page], lexicon_of: Callable[[tc.Page], tc.Lexicon]) -> Rows:
    xs, ys, gs = [], [], []
    for i, page in enumerate(pages):
        blocks = clf.analyse(page.lines, removed_lines_count=True)
        if blocks is None:
            continue
        xs.append(tc.model_input(clf, blocks, lexicon_of(page)))
        ys.append(page.labels(blocks.texts))
        gs.append(np.full(len(blocks.texts), i))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(gs), [p.host for p in pages]


def with_context(x: np.ndarray, logits: np.ndarray, g: np.ndarray, own: bool = False) -> np.ndarray:
    """`x` and, page by page, the context features of `logits` (`own`: and the block's own logit)."""
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], len(g)]
    context = np.vstack([context_features(logits[s:e]) for s, e in zip(starts, ends, strict=True)])
    extra = [np.clip(logits, -9, 9)[:, None]] if own else []
    return np.hstack([x, *extra, context])


def perceptron(train: Rows, test: Rows) -> np.ndarray:
    x, y, _, _ = train
    return tc.fit([(x, y, "")]).probability(test[0])


def boosted(**settings: float) -> Callable[[Rows, Rows], np.ndarray]:
    def run(train: Rows, test: Rows) -> np.ndarray:
        from sklearn.ensemble import HistGradientBoostingClassifier

        x, y, _, _ = train
        known = y >= 0
        model = HistGradientBoostingClassifier(random_state=0, **settings)  # type: ignore[arg-type]
        model.fit(x[known], y[known] % 2, sample_weight=tc.label_weights(y[known]))
        return model.predict_proba(test[0])[:, 1]

    return run


def stacked(inner_by: str, own: bool = False) -> Callable[[Rows, Rows], np.ndarray]:
    """A first perceptron, then a context model over its logits. The training rows' logits come from
    first models that did not see their page (`inner_by` "page") or their site ("host"). `own`: the
    context model reads the block's own first logit too (the shipped one does not)."""

    def run(train: Rows, test: Rows) -> np.ndarray:
        x, y, g, hosts = train
        key = g if inner_by == "page" else np.array([hosts[i] for i in g])
        rng = np.random.default_rng(0)
        values = np.unique(key)
        fold = dict(zip(values.tolist(), rng.integers(0, 3, len(values)).tolist(), strict=True))
        inner = np.array([fold[k] for k in key.tolist()])
        logits = np.zeros(len(y))
        for k in range(3):
            logits[inner == k] = tc.fit([(x[inner != k], y[inner != k], "")]).logits(x[inner == k])
        first = tc.fit([(x, y, "")])
        context = tc.fit([(with_context(x, logits, g, own), y, "")])
        return context.probability(with_context(test[0], first.logits(test[0]), test[2], own))

    return run


MODELS: dict[str, Callable[[Rows, Rows], np.ndarray]] = {
    "perceptron": perceptron,
    "gradient-boosted trees, 100": boosted(),
    "gradient-boosted trees, 300 x 63 leaves, rate 0.05": boosted(max_iter=300, max_leaf_nodes=63, learning_rate=0.05),
    "perceptron + context model, inner folds by page": stacked("page"),
    "perceptron + context model, inner folds by site": stacked("host"),
    "the same, reading the block's own first logit too": stacked("host", own=True),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=tc.DATA)
    ap.add_argument("--only", default="", help="run only the models whose name holds this text")
    ap.add_argument("--snippet-weight", type=float, default=tc.SNIPPET_WEIGHT)
    ap.add_argument("--silver-weight", type=float, default=tc.SILVER_WEIGHT)
    ap.add_argument("--lexicon-snippet-weight", type=float, default=tc.LEXICON_SNIPPET_WEIGHT)
    args = ap.parse_args()
    tc.SNIPPET_WEIGHT, tc.SILVER_WEIGHT = args.snippet_weight, args.silver_weight
    tc.LEXICON_SNIPPET_WEIGHT = args.lexicon_snippet_weight
    models = {name: model for name, model in MODELS.items() if args.only in name}
    opener = gzip.open if args.data.suffix == ".gz" else open
    with opener(args.data, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    tested = {json.loads(line)["id"] for line in tc.TEST_PAGES.read_text(encoding="utf-8").splitlines()}
    clf, pages = tc.first_looks([r for r in records if r["id"] not in tested])
    rng = random.Random(0)
    fold_of = {h: rng.randrange(3) for h in sorted({p.host for p in pages})}
    results: dict[str, list[tuple[float, ...]]] = {name: [] for name in models}
    for f in range(3):
        train_pages = [p for p in pages if fold_of[p.host] != f]
        test_pages = [p for p in pages if fold_of[p.host] == f]
        unseen = tc.out_of_fold_lexicons(clf, train_pages)
        lexicon = tc.fit_lexicon(clf, train_pages)
        train = page_rows(clf, train_pages, lambda p, unseen=unseen: unseen[p.host])
        test = page_rows(clf, test_pages, lambda p, lexicon=lexicon: lexicon)
        for name, model in models.items():
            results[name].append(metrics(model(train, test), test[1]))
            print(f"fold {f}  {name:52s}", " ".join(f"{v:.4f}" for v in results[name][-1]), flush=True)
    print(f"{'mean of 3 folds':58s} {'AUC':>6s} {'snipAUC':>7s} {'keep@.83':>8s} {'rem@.93':>7s}")
    for name, rows in results.items():
        print(f"{name:58s}", " ".join(f"{v:.4f}" for v in np.mean(rows, axis=0)))


if __name__ == "__main__":
    main()
