"""Train the web pack's block model (rules/web-blocks.model.json) and measure it on pages it has not seen.

Run by hand, in the benchmark environment (scikit-learn trains; cleaner only runs the model):

    bench/.venv-bench/bin/pip install scikit-learn
    bench/.venv-bench/bin/python bench/train_classifier.py [--folds 3] [--thresholds 0.25] [--write]
        [--members 5] [--jobs 2] [--data pages.jsonl.gz] [--out my-blocks.model.json]

The shipped model: `--folds 3 --rounds 2 --members 5 --jobs 2 --write` (with the lexicon and the context
model, about 100 minutes on two cores for 1,510 pages: 58 for the cross-validation, 42 for the final
model; `--no-context` takes about half).

Blocks are the web classifier's units on ../shared/corpora/web_pages.jsonl.gz after the rules that
run before it. A block's label: main content if its text is in the page's reference text (the human
`gold`, or else the `trafilatura` extraction of the HTML), or at least 60 % of its word 3-grams are;
boilerplate at 20 % or less; unlabelled in between. `must_keep` / `must_remove` snippets override.

Cross-validation holds out whole sites (`--folds`, 3 by default, by host): each fold's model cleans the pages of
sites it never saw, through the whole `web` pipeline, and the table is the dev-set metric of
bench_quality.py over those held-out outputs. `--write` then trains on every page and writes the
model with those figures in its header.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_quality import DATA, norm, score

from cleaner import Pipeline
from cleaner.document import Document
from cleaner.steps.block_model import (
    CONTEXT_FEATURES,
    BlockModel,
    Lexicon,
    context_features,
    lexical_features,
    logit_of,
)
from cleaner.steps.blocks import BlockClassifierStep

TEST_PAGES = Path(__file__).resolve().parent.parent / "tests" / "data" / "trafilatura_pages.jsonl"
MODEL = Path(__file__).resolve().parent.parent / "rules" / "web-blocks.model.json"
WORD = re.compile(r"\w+")
SNIPPET_WEIGHT = 5.0  # a block a must_keep / must_remove snippet labels counts this many times
SILVER_WEIGHT = 1.0  # a block labelled from trafilatura's extraction (no human gold) counts this many times
LEXICON_SNIPPET_WEIGHT = 5.0  # the same for the lexicon (--lexicon-snippet-weight): snippets cover few sites
SNIPPET_REMOVE, SNIPPET_KEEP = 2, 3  # label codes of a block a human snippet labels (`code % 2` is the class)
SILVER = 4  # added to the 0 / 1 label of a block labelled from trafilatura's extraction
MEMBERS = 1  # perceptrons averaged into the model (--members)
HIDDEN = 32  # hidden units of each (--hidden)
ALPHA = 1e-3  # L2 penalty (--alpha)
LEXICON_WORDS = 12  # a block's first words the lexicon reads (--lexicon-words; 0: no lexicon)
LEXICON_MIN_SITES = 3  # a word enters the lexicon when blocks of this many sites (hosts) hold it
LEXICON_C = 1.0  # inverse L2 penalty of the lexicon's logistic regression
LEXICON_FOLDS = 3  # the model learns from lexical scores of pages the lexicon did not see (by host)
CONTEXT = True  # train a context model over the first model's logits (--no-context: none)
CONTEXT_FOLDS = 3  # the context model learns from logits of first models that did not see the site
CONTEXT_ROUNDS = 0  # rounds on the looks the model with its context model takes (--context-rounds; 1 was no better)


def label_weights(y: np.ndarray, snippet_weight: float | None = None) -> np.ndarray:
    """How much each label counts. Label codes: -1 unknown; 0 boilerplate / 1 content by the human gold;
    2 / 3 by a human must_remove / must_keep snippet; 4 / 5 by trafilatura's extraction (a silver
    reference, on pages without gold). `y % 2` is the class of every known label."""
    snippet = SNIPPET_WEIGHT if snippet_weight is None else snippet_weight
    return np.where(y >= SILVER, SILVER_WEIGHT, np.where(y >= SNIPPET_REMOVE, snippet, 1.0))


def label(text: str, reference: str, grams: set[tuple[str, ...]]) -> int:
    """1 content, 0 boilerplate, -1 unknown."""
    t = norm(text)
    if not t:
        return -1
    if t in reference:
        return 1
    w = WORD.findall(t.lower())
    if len(w) < 3:
        return 0
    share = sum(tuple(w[i : i + 3]) in grams for i in range(len(w) - 2)) / (len(w) - 2)
    return 1 if share >= 0.6 else 0 if share <= 0.2 else -1


class Page:
    """A dev page as the classifier first sees it (after the rules before it), with its reference text."""

    def __init__(self, record: dict, lines: list[str]) -> None:
        self.record = record
        self.lines = lines
        self.host = site_of(record)
        self.reference = norm(record.get("gold") or record.get("trafilatura") or "")
        self.silver = 0 if record.get("gold") else SILVER  # added to labels from the reference text
        words = WORD.findall(self.reference.lower())
        self.grams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
        self.keep = [norm(s) for s in record.get("must_keep") or []]
        self.remove = [norm(s) for s in record.get("must_remove") or []]
        self._first_look: tuple[list[list[str]], np.ndarray] | None = None

    def first_look(self, clf: BlockClassifierStep) -> tuple[list[list[str]], np.ndarray]:
        """The words and labels of the blocks the classifier first sees; made once, since every lexicon
        fold trained on the page reads them."""
        if self._first_look is None:
            blocks = clf.analyse(self.lines, removed_lines_count=True)
            texts = blocks.texts if blocks is not None else []
            self._first_look = (lowered_words(texts), self.labels(texts))
        return self._first_look

    def labels(self, texts: list[str]) -> np.ndarray:
        out = []
        for text in texts:
            y = label(text, self.reference, self.grams) if self.reference else -1
            if y >= 0:
                y += self.silver
            t = norm(text)
            if any(s in t for s in self.keep):
                y = SNIPPET_KEEP  # content, by a human snippet: weighs more than a label from the reference text
            if any(s in t for s in self.remove):
                y = SNIPPET_REMOVE  # boilerplate, by a human snippet
            out.append(y)
        return np.array(out)


def first_looks(records: list[dict]) -> tuple[BlockClassifierStep, list[Page]]:
    pipe = Pipeline.from_rules("web")
    clf = next(s for s in pipe.steps if isinstance(s, BlockClassifierStep))
    pages = []
    for r in records:
        doc = Document(text=r["text"])
        doc.text = pipe._prepare(doc.text, doc.edits)
        for step in pipe.steps:
            if step is clf:
                break
            step(doc)
        pages.append(Page(r, doc.text.split("\n")))
    return clf, pages


def lowered_words(texts: list[str]) -> list[list[str]]:
    """Each text's words as the classifier's lexicon reads them."""
    return [WORD.findall(t.lower()) for t in texts]


def model_input(clf: BlockClassifierStep, blocks, lexicon: Lexicon | None) -> np.ndarray:
    """The block model's input rows for a page: FEATURES, then the lexical features by `lexicon`."""
    rows = clf.shallow_features(blocks)
    if lexicon is None:
        return rows
    return np.hstack([rows, lexical_features(lexicon.scores(lowered_words(blocks.texts)))])


def looks(
    clf: BlockClassifierStep,
    pages: list[Page],
    model: BlockModel | None,
    threshold: float,
    lexicons: dict[str, Lexicon] | None = None,
    max_looks: int = 4,
) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """(features, labels, host) of every look the classifier takes at each page when `model` decides
    (None: only the first look). Later looks see the page without the blocks dropped so far, as a
    second run would: training on them teaches the model what its own output looks like, so that
    keeping it stable (idempotence) does not cost content."""
    out = []
    for page in pages:
        lines = list(page.lines)
        lexicon = lexicons[page.host] if lexicons else None
        for look in range(max_looks if model is not None else 1):
            blocks = clf.analyse(lines, removed_lines_count=look == 0)
            if blocks is None:
                break
            features = model_input(clf, blocks, lexicon)
            out.append((features, page.labels(blocks.texts), page.host))
            if model is None:
                break
            keep = model.probability(features) >= threshold
            if keep.all():
                break
            for unit, kept in zip(blocks.units, keep, strict=True):
                if not kept:
                    for i in unit:
                        lines[i] = "\x00"
    return out


def crops(clf: BlockClassifierStep, pages: list[Page], seed: int = 0) -> list[Page]:
    """A short excerpt of each page: 4 to 12 blocks around a block of content. Real pages run to
    about 180 blocks; without short ones to learn from, the model kept "About" and "Terms" beside
    the article of a three-paragraph page."""
    rng = random.Random(seed)
    out = []
    for page in pages:
        blocks = clf.analyse(page.lines, removed_lines_count=True)
        if blocks is None or len(blocks.units) <= 12:
            continue
        content = [k for k, y in enumerate(page.labels(blocks.texts)) if y % 2 == 1]
        if not content:
            continue
        size = rng.randint(4, 12)
        start = max(0, min(rng.choice(content) - rng.randrange(size), len(blocks.units) - size))
        first, last = blocks.units[start][0], blocks.units[start + size - 1][-1]
        out.append(Page(page.record, page.lines[first : last + 1]))
    return out


def fit_lexicon(clf: BlockClassifierStep, pages: list[Page]) -> Lexicon:
    """A logistic regression over the words of the pages' blocks (first looks), as Lexicon scores them:
    a word's weight as one of the first LEXICON_WORDS words, as the first and as the last word, each
    count divided by the square root of the tokens counted. Words that fewer than LEXICON_MIN_SITES
    sites use are left out (they only count as tokens): no site's own name or jargon is learned."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    limit = LEXICON_WORDS
    all_words: list[list[str]] = []
    labels = []
    sites_of: dict[str, set[str]] = {}
    for page in pages:
        page_words, page_labels = page.first_look(clf)
        all_words += page_words
        labels.append(page_labels)
        for ws in page_words:
            for w in {*ws[:limit], *ws[-1:]}:
                sites_of.setdefault(w, set()).add(page.host)
    y = np.concatenate(labels) if labels else np.zeros(0)
    vocabulary = sorted(w for w, sites in sites_of.items() if len(sites) >= LEXICON_MIN_SITES)
    words = [w for w, keep in zip(all_words, y >= 0, strict=True) if keep]
    y = y[y >= 0]
    column = {w: k for k, w in enumerate(vocabulary)}
    data, indices, indptr = [], [], [0]
    for ws in words:
        tokens = min(len(ws), limit) + (2 if ws else 0)
        scale = 1.0 / np.sqrt(tokens or 1)
        cells: dict[int, float] = {}
        for k, w in enumerate(ws[: max(limit, 1)]):
            if w in column:
                if k < limit:
                    cells[3 * column[w]] = cells.get(3 * column[w], 0.0) + scale
                if k == 0:
                    cells[3 * column[w] + 1] = scale
        if ws and ws[-1] in column:
            cells[3 * column[ws[-1]] + 2] = scale
        indices += cells
        data += cells.values()
        indptr.append(len(indices))
    X = csr_matrix((data, indices, indptr), shape=(len(words), 3 * len(vocabulary)))
    weight = label_weights(y, LEXICON_SNIPPET_WEIGHT)
    lr = LogisticRegression(C=LEXICON_C, max_iter=500)
    lr.fit(X, y % 2, sample_weight=weight)
    return Lexicon(tuple(vocabulary), lr.coef_[0].reshape(-1, 3).round(4), limit, float(lr.intercept_[0]))


def out_of_fold_lexicons(clf: BlockClassifierStep, pages: list[Page]) -> dict[str, Lexicon]:
    """For each host, a lexicon trained without it (LEXICON_FOLDS folds by host): the model learns how
    far to trust a lexical score on sites whose words the lexicon never saw, as it will be used."""
    hosts = sorted({p.host for p in pages})
    rng = random.Random(1)
    fold = {h: rng.randrange(LEXICON_FOLDS) for h in hosts}
    out = {}
    for f in range(LEXICON_FOLDS):
        lexicon = fit_lexicon(clf, [p for p in pages if fold[p.host] != f])
        out.update({h: lexicon for h in hosts if fold[h] == f})
    return out


def train(clf: BlockClassifierStep, pages: list[Page], rounds: int, threshold: float) -> BlockModel:
    """Fit on first looks, then `rounds` times more on every look the last model makes (DAgger-style).
    With a lexicon (LEXICON_WORDS > 0), the rows carry lexical scores from out_of_fold_lexicons, and
    the model ships with a lexicon trained on every page."""
    lexicons = out_of_fold_lexicons(clf, pages) if LEXICON_WORDS else None
    pages = pages + crops(clf, pages)
    data = looks(clf, pages, None, threshold, lexicons)
    model = fit(data)
    for _ in range(rounds):
        data += looks(clf, pages, model, threshold, lexicons)
        model = fit(data)
    lexicon = fit_lexicon(clf, pages) if LEXICON_WORDS else None
    model = dataclasses.replace(model, lexicon=lexicon)
    if CONTEXT:
        model = fit_context(data, model)
        for _ in range(CONTEXT_ROUNDS):
            # The context model decides in use, so the later looks it leads to are what it must learn
            # from too (the first model's rounds only show it the looks the first model leads to).
            data += looks(clf, pages, model, clf.s.model_threshold, lexicons)  # keeping what the pack keeps
            model = fit_context(data, dataclasses.replace(fit(data), lexicon=lexicon))
    return model


def fit_context(data: list[tuple[np.ndarray, np.ndarray, str]], model: BlockModel) -> BlockModel:
    """`model` with a context model: a perceptron over each look's features and the context_features of
    a first model's logits. Those logits come from first models that never saw the look's site
    (CONTEXT_FOLDS folds by host), as on a new site: the context model learns how far to trust them."""
    hosts = sorted({host for _, _, host in data})
    rng = random.Random(2)
    fold = {h: rng.randrange(CONTEXT_FOLDS) for h in hosts}
    rows: list[tuple[np.ndarray, np.ndarray, str]] = []
    for f in range(CONTEXT_FOLDS):
        inner = fit([d for d in data if fold[d[2]] != f])
        for x, y, host in data:
            if fold[host] == f and len(y):
                rows.append((np.hstack([x, context_features(inner.logits(x))]), y, host))
    context = dataclasses.replace(fit(rows), context_inputs=model.inputs + CONTEXT_FEATURES)
    return dataclasses.replace(model, context=context)


def fit(pages: list[tuple[np.ndarray, np.ndarray, str]], seed: int = 0) -> BlockModel:
    """`MEMBERS` perceptrons (seeds `seed`, `seed + 1`, ...) merged into one: their hidden layers side by
    side, each output weight divided by the number of members, so the merged model averages their
    logits. One file, one matrix product per page, and less variance on sites none of them saw."""
    from sklearn.neural_network import MLPClassifier

    X = np.vstack([x for x, y, _ in pages if len(y)])
    y = np.concatenate([y for _, y, _ in pages if len(y)])
    X, y = X[y >= 0], y[y >= 0]
    weight = label_weights(y)
    y = y % 2
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    members = []
    for k in range(MEMBERS):
        mlp = MLPClassifier((HIDDEN,), alpha=ALPHA, max_iter=300, early_stopping=True, random_state=seed + k)
        mlp.fit((X - mean) / scale, y, sample_weight=weight)
        members.append(mlp)
    return BlockModel(
        mean=mean,
        scale=scale,
        hidden_weights=np.hstack([m.coefs_[0] for m in members]),
        hidden_bias=np.concatenate([m.intercepts_[0] for m in members]),
        out_weights=np.concatenate([m.coefs_[1][:, 0] for m in members]) / len(members),
        out_bias=float(np.mean([m.intercepts_[1][0] for m in members])),
    )


def web_pipeline(model: BlockModel | None, threshold: str | float) -> Pipeline:
    """The `web` pipeline with `model` deciding at `threshold` (None: jusText's rules alone); "0.3:0.5" sets
    the rescue threshold too."""
    keep, _, rescue = str(threshold).partition(":")
    pipe = Pipeline.from_rules("web")
    clf = next(s for s in pipe.steps if isinstance(s, BlockClassifierStep))
    changes = {"model_threshold": float(keep), **({"model_rescue_threshold": float(rescue)} if rescue else {})}
    clf.s = dataclasses.replace(clf.s, **changes)
    clf.model = model
    clf._keep_logit, clf._rescue_logit = logit_of(clf.s.model_threshold), logit_of(clf.s.model_rescue_threshold)
    return pipe


def clean_with(model: BlockModel | None, threshold: str | float, records: list[dict]) -> dict[str, str]:
    """The `web` pipeline's output (web_pipeline) for each record, by id."""
    pipe = web_pipeline(model, threshold)
    return {r["id"]: pipe.clean(r["text"]).text for r in records}


_CLASSIFIER: BlockClassifierStep | None = None


def _set_classifier(clf: BlockClassifierStep) -> None:
    global _CLASSIFIER
    _CLASSIFIER = clf


def _train_fold(pages: list[Page], rounds: int, threshold: float) -> BlockModel:
    assert _CLASSIFIER is not None
    return train(_CLASSIFIER, pages, rounds, threshold)


def site_of(record: dict) -> str:
    """A page's site: the host of its URL (its id where it has none)."""
    return urlsplit(record.get("url") or "").hostname or record["id"]


def site_folds(records: list[dict], folds: int) -> list[int]:
    """Each record's fold: whole sites go to one fold (random, seed 0), so a fold's model never saw the sites it
    is measured on. bench/heldout_errors.py reads the folds the same way."""
    rng = random.Random(0)
    fold_of_site = {site: rng.randrange(folds) for site in sorted({site_of(r) for r in records})}
    return [fold_of_site[site_of(r)] for r in records]


def dev_records(path: Path) -> tuple[list[dict], int]:
    """The pages of `path` (JSONL, gzipped or not) but the test pages, and how many were left out: the pages
    excerpted for the tests are never trained on, so the tests measure unseen pages."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    tested = {json.loads(line)["id"] for line in TEST_PAGES.read_text(encoding="utf-8").splitlines()}
    return [r for r in records if r["id"] not in tested], len(tested)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--thresholds", default="0.25", help="thresholds to measure; a rescue one after a colon: 0.3:0.5")
    ap.add_argument("--fold-models", type=Path, help="a folder: each fold's model is saved there, or read where it is")
    ap.add_argument("--rounds", type=int, default=2, help="extra rounds on the model's own later looks")
    ap.add_argument("--train-threshold", type=float, default=0.5)
    ap.add_argument("--write", action="store_true", help=f"train on all pages and write {MODEL.name}")
    ap.add_argument("--snippet-weight", type=float, default=SNIPPET_WEIGHT)
    ap.add_argument("--lexicon-snippet-weight", type=float, default=LEXICON_SNIPPET_WEIGHT)
    ap.add_argument("--silver-weight", type=float, default=SILVER_WEIGHT, help="labels from trafilatura's extraction")
    ap.add_argument("--data", type=Path, default=DATA, help="JSONL(.gz) pages: text, url, and gold or snippets")
    ap.add_argument("--out", type=Path, default=MODEL, help="where --write puts the model")
    ap.add_argument("--members", type=int, default=MEMBERS, help="perceptrons averaged into one model")
    ap.add_argument("--hidden", type=int, default=HIDDEN)
    ap.add_argument("--alpha", type=float, default=ALPHA)
    ap.add_argument("--jobs", type=int, default=1, help="folds trained in parallel processes")
    ap.add_argument("--lexicon-words", type=int, default=LEXICON_WORDS, help="0: a model without a lexicon")
    ap.add_argument("--lexicon-c", type=float, default=LEXICON_C, help="the lexicon's inverse L2 penalty")
    ap.add_argument("--lexicon-min-sites", type=int, default=LEXICON_MIN_SITES)
    ap.add_argument("--no-context", action="store_true", help="a model without a context model")
    ap.add_argument("--context-rounds", type=int, default=CONTEXT_ROUNDS, help="rounds on the combined model's looks")
    ap.add_argument("--no-cv", action="store_true", help="with --write: train the final model only")
    ap.add_argument("--final", type=Path, help="with --write: this trained model instead of training it again")
    args = ap.parse_args()
    globals().update(
        SNIPPET_WEIGHT=args.snippet_weight,
        SILVER_WEIGHT=args.silver_weight,
        LEXICON_SNIPPET_WEIGHT=args.lexicon_snippet_weight,
        MEMBERS=args.members,
        HIDDEN=args.hidden,
        ALPHA=args.alpha,
        LEXICON_WORDS=args.lexicon_words,
        LEXICON_C=args.lexicon_c,
        LEXICON_MIN_SITES=args.lexicon_min_sites,
        CONTEXT=not args.no_context,
        CONTEXT_ROUNDS=args.context_rounds,
    )
    records, tested = dev_records(args.data)
    clf, pages = first_looks(records)
    fold = site_folds(records, args.folds)
    thresholds = [] if args.no_cv else args.thresholds.split(",")
    base = score(records, clean_with(None, 0.5, records))
    print(f"{'system':34s} {'P':>6s} {'R':>6s} {'F1':>6s} {'keep':>6s} {'remove':>7s}")
    row = "{:34s} {P:6.3f} {R:6.3f} {F1:6.3f} {keep:6.3f} {remove:7.3f}"
    print(row.format("web, jusText rules only", **base))
    held_out: dict[str, dict[str, str]] = {t: {} for t in thresholds}
    jobs = [
        ([p for p, k in zip(pages, fold, strict=True) if k != f], args.rounds, args.train_threshold)
        for f in range(args.folds)
    ]
    saved = [args.fold_models / f"fold{f}.model.json" for f in range(args.folds)] if args.fold_models else []
    if args.no_cv:
        jobs, saved = [], []  # no fold models to train, read or measure
    if saved and all(path.exists() for path in saved):
        models = [BlockModel.load(path) for path in saved]
    elif args.jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(args.jobs, initializer=_set_classifier, initargs=(clf,)) as pool:
            models = pool.starmap(_train_fold, jobs)
    else:
        models = [train(clf, *job) for job in jobs]
    for path, model in zip(saved, models, strict=False):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(model.to_json() + "\n", encoding="utf-8")
    for f, model in enumerate(models):
        test = [r for r, k in zip(records, fold, strict=True) if k == f]
        for t in thresholds:
            held_out[t].update(clean_with(model, t, test))
    results = {}
    for t in thresholds:
        results[t] = score(records, held_out[t])
        print(row.format(f"web + model, held-out sites, {t}", **results[t]))
    if args.write:
        model = BlockModel.load(args.final) if args.final else train(clf, pages, args.rounds, args.train_threshold)
        command = "bench/train_classifier.py " + " ".join(sys.argv[1:])
        if args.final:  # trained apart: the command that trained it, with this run's held-out figures
            command = json.loads(args.final.read_text(encoding="utf-8")).get("trained_by", command)
        about = {
            "trained_on": f"shared/corpora/web_pages.jsonl.gz, {len(records)} pages "
            f"(all but the {tested} test pages); labels from gold / trafilatura / snippets",
            "trained_by": command,
            "held_out_sites": {str(t): {k: round(v, 3) for k, v in s.items()} for t, s in results.items()},
        }
        args.out.write_text(model.to_json(**about) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
