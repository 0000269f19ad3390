"""A small learned model that re-decides the block classifier's verdicts from shallow block features.

jusText's rules weigh a handful of signals with fixed thresholds; on real pages they trade lost
content against kept chrome (BENCHMARKS.md, web quality). A model over the same kind of signals,
and those of the neighbours, draws that line better. It is a one-hidden-layer perceptron
(inference: two small matrix products per page, numpy) trained by `bench/train_classifier.py` on
the web pages dev set; its weights are a JSON file the rule file names (`[classifier] model`), so
a user can retrain it on their own pages or switch it off.

The features are shallow: lengths, stopword share, punctuation, case, position, the jusText classes,
and the same for the neighbours; a model may add a lexicon (`Lexicon`), word weights learned from
labelled pages, whose score per block joins them. None names a site. A model may also carry a
context model (`BlockModel.context`), a second perceptron that makes the call from the same inputs
and the first model's logits around each block (`context_features`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import cast

import numpy as np

FORMAT = "cleaner-block-model/1"
CLASSES = ("good", "neargood", "short", "bad")
_CLASS_INDEX = {name: k for k, name in enumerate(CLASSES)}

_OWN = (
    "log_chars",
    "log_words",
    "stopwords",
    "ends_sentence",
    "ends_colon",
    "digit_share",
    "upper_share",
    "punctuation_share",
    "capitalised_words",
    "copyright",
    "separator",
    "link_or_email",
    "sentences",
    "lines",
    "heading_like",
)
_NEIGHBOURS = (-3, -2, -1, 1, 2, 3)
_PER_NEIGHBOUR = ("log_chars", "stopwords", "good", "short", "exists")
FEATURES: tuple[str, ...] = (
    _OWN
    + tuple(f"first_{c}" for c in CLASSES)
    + ("final_good",)
    + tuple(f"n{d:+d}_{name}" for d in _NEIGHBOURS for name in _PER_NEIGHBOUR)
    + (
        "unit_position",
        "char_position",
        "relative_length",
        "removed_before",
        "log_page_chars",
        "page_good_share",
        "log_good_chars_near",
        "good_distance",
        "before_first_good",
        "after_last_good",
    )
)

# The lexical score's columns (BlockModel with a Lexicon): the block's own, its neighbours' (0 where
# there is none) and the page's mean.
_LEXICAL_NEIGHBOURS = (-2, -1, 1, 2)
LEXICAL_FEATURES: tuple[str, ...] = (
    "lexical",
    *(f"n{d:+d}_lexical" for d in _LEXICAL_NEIGHBOURS),
    "page_lexical",
)

# The context model's extra columns (BlockModel.context): the first model's logits of the block's five
# neighbours on each side (0 where there is none), then over the first model's calls (logit > 0):
# the share of good blocks among the ten before and the ten after, the share of the page's good blocks
# that come before this one, the page's good share and its highest logit.
_CONTEXT_NEIGHBOURS = (-5, -4, -3, -2, -1, 1, 2, 3, 4, 5)
_CONTEXT_WINDOW = 10
_CONTEXT_CLIP = 9.0  # logits beyond +-9 (P 0.9999) say nothing more
CONTEXT_FEATURES: tuple[str, ...] = (
    *(f"n{d:+d}_model_logit" for d in _CONTEXT_NEIGHBOURS),
    "good_before_near",
    "good_after_near",
    "page_good_before",
    "page_model_good_share",
    "page_model_max",
)

# Features unit_features takes as log1p of a count (the C pass leaves these raw; see blocks.analyse).
LOG_FEATURES = (
    "log_chars",
    "log_words",
    "sentences",
    "lines",
    "log_page_chars",
    "log_good_chars_near",
    *(f"n{d:+d}_log_chars" for d in _NEIGHBOURS),
)

_SENTENCE_END = (".", "!", "?", '"', "”", "»", ")")
# OpenBLAS multiplies on one thread up to m*n*k = 4 * 65536 (interface/gemm.c, GEMM_MULTITHREAD_THRESHOLD).
_BLAS_ONE_THREAD_WORK = 4 * 65536
_LANES = 8  # the output layer's running sums (logits_of)
_LETTER, _UPPER, _DIGIT, _PUNCT, _WORD, _SEPARATOR, _AT, _COPYRIGHT = 1, 2, 4, 8, 16, 32, 64, 128
_TABLE: np.ndarray | None = None


def _char_table() -> np.ndarray:
    """Class bits of every character of the Basic Multilingual Plane (built once, about 50 ms), so a
    page's characters are classified by one numpy lookup instead of a regex per block."""
    global _TABLE
    if _TABLE is None:
        table = np.zeros(0x10000, dtype=np.uint8)
        for cp in range(0x10000):
            c = chr(cp)
            category = unicodedata.category(c)
            word = c.isalnum() or category in ("Mn", "Mc", "Me", "Pc")
            table[cp] = (
                _LETTER * c.isalpha()
                | _UPPER * (category == "Lu")
                | _DIGIT * c.isdecimal()
                | _PUNCT * (not word and not c.isspace())
                | _WORD * word
                | _SEPARATOR * (c in "|»›·•")
                | _AT * (c == "@")
                | _COPYRIGHT * (c == "\u00a9")
            )
        _TABLE = table
    return _TABLE


@functools.lru_cache(maxsize=1)
def char_table_bytes() -> bytes:
    """`_char_table` as bytes, for the C pass (cleaner._accel.block_text_stats)."""
    return _char_table().tobytes()


def _character_counts(texts: Sequence[str]) -> np.ndarray:
    """Per block: letters, upper-case letters, digits, punctuation, capitalised words, separators
    (| » › · •), @ and © signs (columns)."""
    joined = "\n".join(texts)
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    bits = _char_table()[np.minimum(points, 0xFFFF)]
    word = (bits & _WORD) != 0
    after_gap = np.concatenate(([True], ~word[:-1]))
    columns = np.stack(
        [
            bits & _LETTER,
            (bits & _UPPER) >> 1,
            (bits & _DIGIT) >> 2,
            (bits & _PUNCT) >> 3,
            ((bits & _UPPER) >> 1) * after_gap,
            (bits & _SEPARATOR) >> 5,
            (bits & _AT) >> 6,
            (bits & _COPYRIGHT) >> 7,
        ],
        axis=1,
    ).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum([len(t) + 1 for t in texts[:-1]]))).astype(np.int64)
    return np.add.reduceat(columns, starts, axis=0)


# Columns of `text_columns`: what a block's features need from its text alone, so a block seen
# again (the classifier's later looks, a menu repeated across a site's pages) is not read again.
TEXT_COLUMNS = (
    "letters",
    "upper",
    "digits",
    "punctuation",
    "capitalised",
    "separators",
    "at_signs",
    "copyright_signs",
    "ends_sentence",
    "ends_colon",
    "sentences",
    "link_text",
    "copyright_text",
    "copyright_entity",
)
COLUMN = {name: k for k, name in enumerate(TEXT_COLUMNS)}


def text_columns(texts: Sequence[str]) -> np.ndarray:
    """One row of `TEXT_COLUMNS` per block (`texts`: the blocks, stripped)."""
    n = len(texts)

    def each(method: Callable[..., object], argument: object) -> np.ndarray:
        return np.fromiter(map(method, texts, repeat(argument)), dtype=np.float64, count=n)

    sentences = each(str.count, ". ") + each(str.count, "? ") + each(str.count, "! ")
    links = (each(str.__contains__, "http") > 0) | (each(str.__contains__, "www.") > 0)
    copyright = (each(str.__contains__, "(c)") > 0) | (each(str.__contains__, "(C)") > 0)
    return np.column_stack(
        [
            _character_counts(texts).astype(np.float64),
            each(str.endswith, _SENTENCE_END),
            each(str.endswith, ":"),
            sentences,
            links,
            copyright,
            each(str.__contains__, "&copy"),
        ]
    )


def unit_features(
    chars: np.ndarray,
    columns_of_text: np.ndarray,
    word_counts: Sequence[int] | np.ndarray,
    first: Sequence[str],
    final: Sequence[str],
    densities: Sequence[float],
    removed_before: Sequence[bool],
    lines_per_unit: Sequence[int],
    heading: Sequence[bool],
) -> np.ndarray:
    """One row of `FEATURES` per block of a page: `chars` its length, `columns_of_text` its
    `text_columns` row."""
    n = len(chars)
    chars = np.asarray(chars, dtype=np.float64)
    nwords = np.asarray(word_counts, dtype=np.float64)
    dens = np.asarray(densities, dtype=np.float64)
    good = np.fromiter((c == "good" for c in final), dtype=np.float64, count=n)
    short = np.fromiter((c == "short" for c in first), dtype=np.float64, count=n)
    log_chars = np.log1p(chars)
    counts = columns_of_text
    size = np.maximum(chars, 1)
    own = np.column_stack(
        [
            log_chars,
            np.log1p(nwords),
            dens,
            counts[:, COLUMN["ends_sentence"]],
            counts[:, COLUMN["ends_colon"]],
            counts[:, COLUMN["digits"]] / size,
            counts[:, COLUMN["upper"]] / np.maximum(counts[:, COLUMN["letters"]], 1),
            counts[:, COLUMN["punctuation"]] / size,
            counts[:, COLUMN["capitalised"]] / np.maximum(nwords, 1),
            (counts[:, COLUMN["copyright_signs"]] > 0) | (counts[:, COLUMN["copyright_text"]] > 0),
            counts[:, COLUMN["separators"]] > 0,
            (counts[:, COLUMN["at_signs"]] > 0) | (counts[:, COLUMN["link_text"]] > 0),
            np.log1p(counts[:, COLUMN["sentences"]]),
            np.log1p(np.asarray(lines_per_unit, dtype=np.float64)),
            np.asarray(heading, dtype=np.float64),
        ]
    )
    classes = np.eye(len(CLASSES))[np.fromiter(map(_CLASS_INDEX.__getitem__, first), dtype=np.int64, count=n)]
    columns = [own, classes, good[:, None]]
    per = np.stack([log_chars, dens, good, short, np.ones(n)], axis=1)
    for d in _NEIGHBOURS:
        shifted = np.zeros_like(per)
        if d < 0 and n + d > 0:
            shifted[-d:] = per[: n + d]
        elif d > 0 and n - d > 0:
            shifted[: n - d] = per[d:]
        columns.append(shifted)
    total = float(chars.sum()) or 1.0
    before = np.cumsum(chars) - chars
    good_chars = good * chars
    window = np.concatenate(([0.0], np.cumsum(good_chars)))
    k = np.arange(n)
    lo, hi = np.maximum(0, k - 5), np.minimum(n, k + 6)
    near = window[hi] - window[lo] - good_chars
    good_at = np.flatnonzero(good)
    if len(good_at):
        pos = np.searchsorted(good_at, k)
        left = np.abs(k - good_at[np.maximum(pos - 1, 0)])
        right = np.abs(good_at[np.minimum(pos, len(good_at) - 1)] - k)
        distance = np.minimum(np.minimum(left, right), 10) / 10
        first_good, last_good = (k < good_at[0]), (k > good_at[-1])
    else:
        distance, first_good, last_good = np.ones(n), np.zeros(n), np.zeros(n)
    columns.append(
        np.stack(
            [
                k / max(1, n - 1),
                before / total,
                chars / max(1.0, float(chars.max(initial=0.0))),
                np.asarray(removed_before, dtype=np.float64),
                np.full(n, math.log1p(total)),
                np.full(n, float(good_chars.sum()) / total),
                np.log1p(near),
                distance,
                first_good,
                last_good,
            ],
            axis=1,
        ).astype(np.float64)
    )
    return np.hstack(columns)


def lexical_features(scores: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The `LEXICAL_FEATURES` of a page's blocks from their lexical scores (Lexicon.scores), in order;
    written into `out` (n rows, one column each) where given: the classifier fills the model's input
    in place, since a page's looks are many and small."""
    n = len(scores)
    columns = np.zeros((n, len(LEXICAL_FEATURES)), dtype=np.float64) if out is None else out
    columns[:, 0] = scores
    for j, d in enumerate(_LEXICAL_NEIGHBOURS, start=1):
        if d < 0:
            columns[: min(-d, n), j] = 0.0
            columns[-d:, j] = scores[: n + d]
        else:
            columns[max(n - d, 0) :, j] = 0.0
            columns[: n - d, j] = scores[d:]
    columns[:, -1] = float(np.add.reduce(scores)) / n if n else 0.0  # np.mean's very digits
    return columns


def context_features(logits: np.ndarray) -> np.ndarray:
    """The `CONTEXT_FEATURES` of a page's blocks, in order, from the first model's logits.

    Why: the first model sees its neighbours' shallow features, not what it makes of them. A list of
    related-article teasers after an article reads like prose line by line; seen as a run of blocks
    the model half-believes, after the last block it is sure of, it reads as chrome. A short line
    (a recipe's "Topping:", "15 - 30 min") between blocks the model is sure of reads as content."""
    n = len(logits)
    clipped = np.clip(logits, -_CONTEXT_CLIP, _CONTEXT_CLIP)
    out = np.zeros((n, len(CONTEXT_FEATURES)), dtype=np.float64)
    for j, d in enumerate(_CONTEXT_NEIGHBOURS):
        if d < 0 and n + d > 0:
            out[-d:, j] = clipped[: n + d]
        elif d > 0 and n - d > 0:
            out[: n - d, j] = clipped[d:]
    good = (logits > 0).astype(np.float64)
    running = np.concatenate(([0.0], np.cumsum(good)))
    k = np.arange(n)
    lo, hi = np.maximum(k - _CONTEXT_WINDOW, 0), np.minimum(k + _CONTEXT_WINDOW + 1, n)
    j = len(_CONTEXT_NEIGHBOURS)
    out[:, j] = (running[k] - running[lo]) / np.maximum(k - lo, 1)
    out[:, j + 1] = (running[hi] - running[k + 1]) / np.maximum(hi - k - 1, 1)
    out[:, j + 2] = running[k] / max(running[-1], 1.0)
    out[:, j + 3] = running[-1] / n if n else 0.0
    out[:, j + 4] = clipped.max(initial=-_CONTEXT_CLIP)
    return out


# (features, the first model's hidden layer, its output_layer()) -> the context model's input rows
ContextInput = Callable[[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, float]], np.ndarray]


def numpy_context_input(
    features: np.ndarray, hidden: np.ndarray, output_layer: tuple[np.ndarray, np.ndarray, float]
) -> np.ndarray:
    """The context model's input: `features`, then the context_features of the first model's logits."""
    return np.hstack([features, context_features(logits_of(hidden, *output_layer))])


@dataclass(frozen=True)
class Lexicon:
    """Word weights for "does a block with these words belong to the main text".

    Why: shallow signals cannot tell a list of ingredients from a menu, or a byline from a share
    bar; the words can ("newsletter", "cookies", "teilen" against "salt", "several"). A block's score is a
    logistic regression over its words, learned from labelled pages by bench/train_classifier.py:
    `bias` plus, divided by the square root of the tokens counted, the `any` weight of each of its
    first `first_words` words, the `first` weight of its first word and the `last` weight of its
    last. Words are the \\w+ runs of the lower-cased text, as for stopwords; a word missing from the
    lexicon adds nothing. cleaner._accel.block_text_stats computes the same score in C, digit for digit.
    """

    words: tuple[str, ...]
    weights: np.ndarray  # (len(words), 3) float64: any, first, last
    first_words: int
    bias: float

    @functools.cached_property
    def entries(self) -> dict[str, int]:
        """word -> its row of `weights` + 1 (the value cleaner._accel.WordTable holds; 0 is "absent")."""
        return {word: k + 1 for k, word in enumerate(self.words)}

    @functools.cached_property
    def weight_bytes(self) -> bytes:
        return np.ascontiguousarray(self.weights, dtype=np.float64).tobytes()

    @functools.cached_property
    def _weight_rows(self) -> list[list[float]]:
        """`weights` as Python floats, made once: `scores` runs per page, the list takes 5 ms to make."""
        rows: list[list[float]] = self.weights.tolist()
        return rows

    def scores(self, texts_words: Sequence[Sequence[str]]) -> np.ndarray:
        """One score per text, given each text's words (lower-cased \\w+ runs)."""
        get, rows, limit, bias = self.entries.get, self._weight_rows, self.first_words, self.bias
        out = np.empty(len(texts_words), dtype=np.float64)
        for t, words in enumerate(texts_words):
            total = 0.0
            for k, word in enumerate(words[: max(limit, 1)]):
                entry = get(word)
                if entry:
                    if k < limit:
                        total += rows[entry - 1][0]
                    if k == 0:
                        total += rows[entry - 1][1]
            if words:
                entry = get(words[-1])
                if entry:
                    total += rows[entry - 1][2]
            tokens = min(len(words), limit) + (2 if words else 0)
            out[t] = bias + total / math.sqrt(tokens or 1)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "first_words": self.first_words,
            "bias": round(self.bias, 6),
            "words": {w: [round(float(x), 4) for x in row] for w, row in zip(self.words, self.weights, strict=True)},
        }

    @classmethod
    def from_dict(cls, raw: dict[str, object]) -> Lexicon:
        words = raw["words"]
        first_words, bias = raw["first_words"], raw["bias"]
        if not isinstance(words, dict) or not isinstance(first_words, int) or first_words < 0:
            raise TypeError("lexicon: words must map a word to three weights, first_words be a count")
        if not all(isinstance(w, str) and w for w in words):
            raise TypeError("lexicon: every word must be a non-empty string")
        weights = np.asarray(list(words.values()), dtype=np.float64).reshape(len(words), 3)
        weights.setflags(write=False)
        return cls(tuple(words), weights, first_words, float(cast(float, bias)))


class ModelFileError(ValueError):
    """A model file that cannot be used: the message says what is wrong."""


@dataclass(frozen=True)
class BlockModel:
    """Standardise, one ReLU layer, a logistic output: P(block is main content); where `context` is set,
    that second model of the same form makes the call (`deciding_layer`)."""

    mean: np.ndarray
    scale: np.ndarray
    hidden_weights: np.ndarray
    hidden_bias: np.ndarray
    out_weights: np.ndarray
    out_bias: float
    path: str = ""
    lexicon: Lexicon | None = None
    context: BlockModel | None = None  # the second model, which reads this one's logits (context_features)
    context_inputs: tuple[str, ...] = ()  # a context model's input columns (empty for a first model)

    @property
    def inputs(self) -> tuple[str, ...]:
        """The model's input columns: `FEATURES`, then `LEXICAL_FEATURES` where it has a lexicon; a
        context model's are its first model's, then `CONTEXT_FEATURES`."""
        if self.context_inputs:
            return self.context_inputs
        return FEATURES + LEXICAL_FEATURES if self.lexicon is not None else FEATURES

    def deciding_layer(
        self, features: np.ndarray, context_input: ContextInput | None = None
    ) -> tuple[np.ndarray, BlockModel]:
        """(the hidden layer, before its bias, of the model that makes the call; that model): this
        one's, or, where it has a context model, the context model's over `features` and
        `context_features` of this one's logits. Its `output_layer` turns the first into logits.
        `context_input` makes the context model's input (default `numpy_context_input`; the
        classifier passes the C one)."""
        hidden = self.hidden_layer(features)
        if self.context is None:
            return hidden, self
        wide = (context_input or numpy_context_input)(features, hidden, self.output_layer())
        return self.context.hidden_layer(wide), self.context

    @classmethod
    def load(cls, path: str | Path) -> BlockModel:
        """Read a model written by `bench/train_classifier.py`; any mismatch with this code's features fails here."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise ModelFileError(f"cannot read model file {path}: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise ModelFileError(f"model file {path} is not JSON: {exc}") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ModelFileError(f"model file {path} is not a {FORMAT} file")
        return cls._from_dict(raw, str(path))

    @classmethod
    def _from_dict(cls, raw: dict[str, object], path: str, context_inputs: tuple[str, ...] = ()) -> BlockModel:
        """A model, or (`context_inputs`: its first model's inputs and CONTEXT_FEATURES) a context model."""
        has_lexicon = raw.get("lexicon") is not None
        expected = context_inputs or (FEATURES + LEXICAL_FEATURES if has_lexicon else FEATURES)
        context_raw = raw.get("context")
        if list(cast(list[str], raw.get("features", []))) != list(expected):
            raise ModelFileError(f"model file {path} was trained on other features than this version computes")
        if context_raw is not None and not isinstance(context_raw, dict):
            raise ModelFileError(f"model file {path}: context must be a model")
        try:
            lexicon = Lexicon.from_dict(cast(dict[str, object], raw["lexicon"])) if has_lexicon else None
            model = cls(
                mean=np.asarray(raw["mean"], dtype=np.float64),
                scale=np.asarray(raw["scale"], dtype=np.float64),
                hidden_weights=np.asarray(raw["hidden_weights"], dtype=np.float64),
                hidden_bias=np.asarray(raw["hidden_bias"], dtype=np.float64),
                out_weights=np.asarray(raw["out_weights"], dtype=np.float64),
                out_bias=float(cast(float, raw["out_bias"])),
                path=path,
                lexicon=lexicon,
                context_inputs=context_inputs,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"model file {path}: missing or malformed field {exc}") from None
        width = model.hidden_weights.shape[1] if model.hidden_weights.ndim == 2 else -1
        inputs = len(expected)
        shapes_ok = (
            model.mean.shape == model.scale.shape == (inputs,)
            and model.hidden_weights.shape == (inputs, width)
            and model.hidden_bias.shape == (width,)
            and model.out_weights.shape == (width,)
        )
        if not shapes_ok:
            raise ModelFileError(f"model file {path}: weight shapes do not fit {inputs} features")
        for weights in (model.mean, model.scale, model.hidden_weights, model.hidden_bias, model.out_weights):
            weights.setflags(write=False)  # shared by every pipeline that loads the file (`load_model`)
        if context_raw is not None:
            context = cls._from_dict(context_raw, f"{path} (context)", model.inputs + CONTEXT_FEATURES)
            if context.lexicon is not None or context.context is not None:
                raise ModelFileError(f"model file {path}: a context model has no lexicon or context of its own")
            model = dataclasses.replace(model, context=context)
        return model

    @functools.cached_property
    def _folded(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The hidden layer with the standardisation folded in, and the output weights, in float32.

        Why: the classifier runs the model on every block of every look (half a million rows on the
        1,530 dev pages); folded float32 weights halve its time. Probabilities move by about 1e-6 from
        the float64 model's, which changed no block's verdict on the shared corpora."""
        weights = self.hidden_weights / self.scale[:, None]
        bias = self.hidden_bias - (self.mean / self.scale) @ self.hidden_weights
        return weights.astype(np.float32), bias.astype(np.float32), self.out_weights.astype(np.float32)

    def hidden_layer(self, features: np.ndarray) -> np.ndarray:
        """The hidden layer before its bias, float32, one row per block. It is computed in slices of rows
        small enough that OpenBLAS runs each on the calling thread: for a page's 200 blocks it would
        otherwise wake its thread pool, which took 3x as long here (and competes with the other workers
        of `cleaner run`). A row's last digits depend on where it sits in a slice (OpenBLAS rounds a
        slice's edge rows apart), as they did on the page's block count before slicing; no block's
        verdict on the shared corpora hangs on them, and the C and Python paths agree."""
        weights = self._folded[0]
        rows = features.astype(np.float32)
        width = weights.shape[1]
        hidden = np.empty((len(rows), width), dtype=np.float32)
        step = max(1, _BLAS_ONE_THREAD_WORK // max(1, rows.shape[1] * width))
        for start in range(0, len(rows), step):
            np.matmul(rows[start : start + step], weights, out=hidden[start : start + step])
        return hidden

    def output_layer(self) -> tuple[np.ndarray, np.ndarray, float]:
        """(the hidden layer's bias, the output weights, both float32; the output bias)."""
        return self._folded[1], self._folded[2], self.out_bias

    def logits(self, features: np.ndarray) -> np.ndarray:
        """The model's logit per row (a page's blocks, in order), float64 (logits_of), by its context
        model where it has one."""
        hidden, deciding = self.deciding_layer(features)
        return logits_of(hidden, *deciding.output_layer())

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(content) per row, float64."""
        return probabilities_of(self.logits(features))

    def to_json(self, **about: object) -> str:
        return json.dumps({"format": FORMAT, **about, **self._to_dict()})

    def _to_dict(self) -> dict[str, object]:
        return {
            "features": list(self.inputs),
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "hidden_weights": self.hidden_weights.round(6).tolist(),
            "hidden_bias": self.hidden_bias.round(6).tolist(),
            "out_weights": self.out_weights.round(6).tolist(),
            "out_bias": round(self.out_bias, 6),
            **({"lexicon": self.lexicon.to_dict()} if self.lexicon is not None else {}),
            **({"context": self.context._to_dict()} if self.context is not None else {}),
        }

    def with_lexical(self, rows: np.ndarray, scores: np.ndarray | None) -> np.ndarray:
        """The model's input from a page's `FEATURES` rows and its blocks' lexical scores (where the model
        has a lexicon; `rows` as they are otherwise)."""
        if self.lexicon is None:
            return rows
        assert scores is not None
        n, width = rows.shape
        out = np.empty((n, width + len(LEXICAL_FEATURES)), dtype=np.float64)
        out[:, :width] = rows
        lexical_features(scores, out[:, width:])
        return out


def logits_of(hidden: np.ndarray, bias: np.ndarray, out_weights: np.ndarray, out_bias: float) -> np.ndarray:
    """The output layer, float64 logits, from the hidden layer before its bias (BlockModel.hidden_layer).
    relu(hidden + bias) * out_weights is summed in float32 in a fixed order, which
    cleaner._accel.model_verdicts follows digit for digit: eight running sums (column j into sum j mod
    8, a missing column adding 0), then ((s0+s4)+(s2+s6))+((s1+s5)+(s3+s7))."""
    terms = np.maximum(hidden + bias, np.float32(0.0)) * out_weights
    rows, width = terms.shape
    chunks = -(-width // _LANES)
    if width % _LANES:
        terms = np.hstack([terms, np.zeros((rows, chunks * _LANES - width), dtype=np.float32)])
    # running sums over the chunks, one after the other (accumulate is sequential, never pairwise)
    sums = np.add.accumulate(terms.reshape(rows, chunks, _LANES), axis=1)[:, -1, :]
    pairs = sums[:, :4] + sums[:, 4:]
    halves = pairs[:, :2] + pairs[:, 2:]
    return (halves[:, 0] + halves[:, 1]).astype(np.float64) + out_bias


def probabilities_of(logits: np.ndarray) -> np.ndarray:
    """The logistic function of each logit (clipped to +-40), with libm's exp as C's model_verdicts."""
    return np.array([1.0 / (1.0 + math.exp(-min(max(x, -40.0), 40.0))) for x in logits.tolist()], dtype=np.float64)


def logit_of(probability: float) -> float:
    """The logit a probability threshold stands for: the classifier compares logits, so that its calls do
    not hang on the last digit of an exp (numpy's and libm's differ there)."""
    if probability <= 0:
        return -math.inf
    if probability >= 1:
        return math.inf
    return math.log(probability / (1 - probability))


@functools.lru_cache(maxsize=16)
def load_model(path: str) -> BlockModel:
    """`BlockModel.load`, once per path and process: loading the rules validates the file and the
    classifier step uses it, and every Pipeline (a worker's, a Ray task's) builds that step again."""
    return BlockModel.load(path)
