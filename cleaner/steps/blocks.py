"""A jusText-style block classifier for "all visible text" of web pages (one block per line).

jusText (Pomikalek, 2011) classifies HTML paragraphs; here the blocks are the
lines of the text, and the algorithm is the same:

1. context-free: a block shorter than `length_low` characters is *short*; a
   block whose share of stopwords (the document's language) reaches
   `stopwords_high` is *good* if longer than `length_high`, else *near-good*;
   one reaching `stopwords_low` is *near-good*; anything else is *bad*; a
   block with a copyright sign is bad.
2. in context: a short block between good blocks is good, between bad blocks
   bad, between a good and a bad one good only if a near-good block is next
   to it; a near-good block is good unless both neighbours are bad; a short
   heading-like block (enough words, no final full stop) followed within
   `max_heading_distance` characters by a good block is good (titles,
   bylines, section headings). Unlike jusText, two or more adjacent near-good
   blocks with `neargood_run_chars` characters together are good: news prose
   often comes in paragraphs of one or two sentences.
3. optionally (`model`, the `web` pack's choice): a learned block model
   (cleaner.steps.block_model) reads each block's features, jusText's classes
   among them, and keeps the blocks it scores at least `model_threshold`.

Lines that other rules already removed count as bad neighbours. A block's
stopword share is taken in each language the document uses (most stopword hits,
and any other with a quarter as many), the highest counting; every threshold
and the stopword lists are in the rule file ([classifier], [stopwords]).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import chain, repeat
from typing import cast

import numpy as np

from cleaner.accel import accel
from cleaner.document import Document, Edit
from cleaner.rule_schema import ClassifierSettings
from cleaner.steps import DELETED
from cleaner.steps.block_model import (
    CLASSES,
    COLUMN,
    CONTEXT_FEATURES,
    FEATURES,
    LOG_FEATURES,
    TEXT_COLUMNS,
    BlockModel,
    Lexicon,
    char_table_bytes,
    load_model,
    logit_of,
    logits_of,
    probabilities_of,
    text_columns,
    unit_features,
)

WORDS = re.compile(r"\w+")
GOOD, NEARGOOD, SHORT, BAD = "good", "neargood", "short", "bad"
_CLASS_NAMES = (GOOD, NEARGOOD, SHORT, BAD)
assert _CLASS_NAMES == CLASSES  # the model's one-hot columns and the C codes (0..3) follow this order
_GOOD_CODE, _NEARGOOD_CODE, _BAD_CODE = (_CLASS_NAMES.index(name) for name in (GOOD, NEARGOOD, BAD))
OFF_REGION = "off-region"  # a good block cut off from the main text (`region_gap`)
_CODE_NAMES = (*_CLASS_NAMES, OFF_REGION)  # what a Decision's class codes stand for
# The C block functions agree with this code's columns (an out-of-date build is not used for them).
_COMPILED_BLOCKS = accel is not None and (accel.BLOCK_TEXT_COLUMNS, accel.BLOCK_FEATURES) == (TEXT_COLUMNS, FEATURES)
_LOG_COLUMNS = np.array([FEATURES.index(name) for name in LOG_FEATURES if name != "log_page_chars"], dtype=np.intp)
_PAGE_CHARS = FEATURES.index("log_page_chars")
_LOG_COLUMN_BYTES = bytes(_LOG_COLUMNS.tolist())
# numpy's log1p of the whole numbers the log columns hold (counts): block_pass looks them up, so the C
# pass gives numpy's very digits (numpy's SIMD log1p and libm's differ in the last bit on some machines).
_LOG1P_TABLE = np.log1p(np.arange(1 << 16, dtype=np.float64))
# Every look that changes something drops at least one block, so the looks end after at most as many
# looks as the page has blocks. A cap would break idempotence: with the block model, one real page
# (a calendar of day numbers) lost its list one block per look for 88 looks.
MAX_LOOKS = 100_000
SENTENCE_END = (".", "!", "?", '"', "”", "»", ")")
STATS_CACHE_SIZE = 50_000  # block texts whose statistics a classifier keeps (about 300 bytes each, plus the text)


def continues(previous: str, line: str) -> bool:
    """Whether `line` continues the paragraph of `previous` (text broken at an inline link or tag):
    it starts in lower case and the previous line does not end a sentence."""
    return line.lstrip()[:1].islower() and not previous.rstrip().endswith((".", "!", "?", ":", '"', "”"))


class RowStore:
    """Statistics rows kept per block text, in one matrix: a page's rows are one gather (fancy
    indexing) instead of a stack of small arrays."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.matrix = np.zeros((0, 0))

    def __len__(self) -> int:
        return len(self.index)

    def clear(self) -> None:
        self.index.clear()

    def add(self, texts: list[str], rows: np.ndarray) -> None:
        start = len(self.index)
        if start + len(texts) > len(self.matrix) or self.matrix.shape[1] != rows.shape[1]:
            grown = np.zeros((max(2 * (start + len(texts)), 1024), rows.shape[1]))
            if self.matrix.shape[1] == rows.shape[1]:
                grown[:start] = self.matrix[:start]
            self.matrix = grown
        self.matrix[start : start + len(texts)] = rows
        self.index.update(zip(texts, range(start, start + len(texts)), strict=True))

    def rows(self, positions: list[int]) -> np.ndarray:
        return self.matrix[np.fromiter(positions, dtype=np.intp, count=len(positions))]


def paragraph_units(lines: list[str], removed_lines_count: bool) -> tuple[list[list[int]], list[bool], list[str]]:
    """The page's blocks: (each block's line indices, whether a removed line sits just before it, its text).

    A paragraph broken at inline links is one block. `removed_lines_count`: a removed line (DELETED)
    between two blocks makes a bad neighbour; otherwise removed lines are skipped as if absent.
    cleaner._accel.paragraph_units does the same in C."""
    units: list[list[int]] = []
    removed_before: list[bool] = []
    removed = False
    for i, line in enumerate(lines):
        if line == DELETED:
            removed = removed_lines_count
        elif line.strip():
            if units and not removed and continues(lines[units[-1][-1]], line):
                units[-1].append(i)
            else:
                units.append([i])
                removed_before.append(removed and len(units) > 1)
            removed = False
    texts = [" ".join(lines[i].strip() for i in unit) if len(unit) > 1 else lines[unit[0]].strip() for unit in units]
    return units, removed_before, texts


@dataclass
class PageBlocks:
    """A page cut into blocks (paragraphs: lines, or lines broken at inline links), as the classifier sees it."""

    units: list[list[int]]  # each block's line indices
    texts: list[str]
    word_counts: list[int]
    text_columns: np.ndarray  # block_model.text_columns, one row per block
    first: list[str]  # context-free class
    final: list[str]  # jusText's class in context
    densities: list[float]  # stopword share
    removed_before: list[bool]  # a line removed by an earlier rule sits just before the block
    heading: list[bool]  # short and heading-like
    feature_rows: np.ndarray | None = None  # the model's input, where the C pass computed it with the classes
    lexical: np.ndarray | None = None  # the model's lexical score per block, where it has a lexicon


@dataclass
class Decision:
    """One look's verdict on a page: every block's classes (codes into _CODE_NAMES), its stopword share
    and the model's probability (float64 buffers; None without a model). Blocks not good go."""

    units: list[list[int]]
    texts: list[str]
    first: bytes
    final: bytes
    shares: bytes | np.ndarray
    chances: bytes | np.ndarray | None


def _compiled_context_input(
    features: np.ndarray, hidden: np.ndarray, output_layer: tuple[np.ndarray, np.ndarray, float]
) -> np.ndarray:
    """block_model.numpy_context_input in C (cleaner._accel.context_rows), the same digits."""
    assert accel is not None
    features = np.ascontiguousarray(features, dtype=np.float64)
    raw = accel.context_rows(hidden, *output_layer, features, features.shape[1])
    return np.frombuffer(raw, dtype=np.float64).reshape(len(features), features.shape[1] + len(CONTEXT_FEATURES))


class BlockClassifierStep:
    """Drops the lines the classifier finds to be boilerplate; records the class and why."""

    name = "classifier"

    def __init__(self, settings: ClassifierSettings, *, compiled: bool | None = None) -> None:
        """`compiled`: find blocks with the C accelerator (default: where it is built); False: Python."""
        self.s = settings
        self.compiled = accel is not None if compiled is None else compiled
        if self.compiled and accel is None:
            raise RuntimeError("the C accelerator cleaner._accel is not installed")
        self._compiled_blocks = self.compiled and _COMPILED_BLOCKS and not settings.region_gap
        self._stats_cache = RowStore()
        self._lexicon_table: object | None = None  # the model's lexicon as a cleaner._accel.WordTable
        self.model = load_model(settings.model) if settings.model else None
        self.stopwords = dict(settings.stopwords)
        self.language_mask: dict[str, int] = {}  # word -> bit k set when languages[k]'s stoplist has it
        for k, lang in enumerate(settings.languages):
            for word in self.stopwords[lang]:
                self.language_mask[word] = self.language_mask.get(word, 0) | (1 << k)
        self._stopwords = accel.WordTable(self.language_mask) if self._compiled_blocks and accel is not None else None
        self._keep_logit = logit_of(settings.model_threshold)
        self._rescue_logit = logit_of(settings.model_rescue_threshold)

    @property
    def model(self) -> BlockModel | None:
        return self._model

    @model.setter
    def model(self, model: BlockModel | None) -> None:
        """Set the block model; the statistics kept per text hold its lexical scores, so they go."""
        self._model = model
        self._stats_cache.clear()
        lexicon = self.lexicon
        self._lexicon_table = (
            accel.WordTable(lexicon.entries) if lexicon is not None and accel is not None and self.compiled else None
        )

    @property
    def lexicon(self) -> Lexicon | None:
        return self._model.lexicon if self._model is not None else None

    def _stats_width(self) -> int:
        """Columns of a statistics row: words, stopword hits per language, TEXT_COLUMNS, the lexical score."""
        return 1 + len(self.s.languages) + len(TEXT_COLUMNS) + (self.lexicon is not None)

    def languages(self, hits: np.ndarray) -> tuple[list[int], int]:
        """The languages a document uses (indices into `languages`): the one whose stopwords it uses
        most, and any other with at least a quarter as many hits (a page with a German and a French
        article has both); and the top count. `hits`: the page's stopword count per language."""
        counts: list[int] = hits.astype(np.int64).tolist()
        top = max(counts)
        present = [k for k, n in enumerate(counts) if n >= max(1, 0.25 * top)]
        return present or [0], top

    def _text_stats(self, texts: list[str]) -> np.ndarray:
        """Per block: words, stopword hits per language, then `block_model.text_columns`. Rows
        depend on the text alone, so they are kept for texts seen before: a later look sees the
        same blocks again, and a site repeats its menus on every page."""
        store = self._stats_cache
        positions = list(map(store.index.get, texts))
        if None in positions:
            if len(store) + len(texts) > STATS_CACHE_SIZE:
                store.clear()
                positions = [None] * len(texts)
            new_texts = [text for text in dict.fromkeys(texts) if text not in store.index]
            store.add(new_texts, self._compute_stats(new_texts))
            index = store.index
            positions = [index[text] if at is None else at for text, at in zip(texts, positions, strict=True)]
        return store.rows(cast(list[int], positions))  # every position is known now

    def _gathered(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """_text_stats and the stopword shares of _blocks, in C (cleaner._accel.gather_rows)."""
        assert accel is not None
        store, languages, share = self._stats_cache, len(self.s.languages), self.s.unknown_language_share
        ncols = self._stats_width()
        rows, shares = accel.gather_rows(texts, store.index, store.matrix, ncols, languages, share)
        if rows is None:  # `shares` holds the texts not seen before
            missing = texts if len(store) + len(shares) > STATS_CACHE_SIZE else shares
            if missing is texts:
                store.clear()
            new_texts = list(dict.fromkeys(missing))
            store.add(new_texts, self._compute_stats(new_texts))
            rows, shares = accel.gather_rows(texts, store.index, store.matrix, ncols, languages, share)
            assert rows is not None
        return np.frombuffer(rows, dtype=np.float64).reshape(len(texts), ncols), np.frombuffer(shares, dtype=np.float64)

    def _compute_stats(self, texts: list[str]) -> np.ndarray:
        if self._stopwords is not None:
            assert accel is not None
            lexicon = self.lexicon
            scored: tuple[object, ...] = ()  # the lexicon's arguments, where the model has one
            if lexicon is not None:
                scored = (self._lexicon_table, lexicon.weight_bytes, lexicon.first_words, lexicon.bias)
            raw = accel.block_text_stats(texts, self._stopwords, len(self.s.languages), char_table_bytes(), *scored)
            if raw is not None:  # None: text that needs Python's str.lower()
                return np.frombuffer(raw, dtype=np.float64).reshape(len(texts), self._stats_width())
        words = list(map(WORDS.findall, "\n".join(texts).lower().split("\n")))
        flat = list(chain.from_iterable(words))
        # One pass over the words: each word's bit mask of the languages whose stoplist has it.
        masks = np.fromiter(map(self.language_mask.get, flat, repeat(0)), dtype=np.int64, count=len(flat))
        sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        ends = np.cumsum(sizes)
        starts = ends - sizes
        columns = [sizes[:, None].astype(np.float64)]
        for bit in range(len(self.s.languages)):
            flags = np.concatenate(([0], np.cumsum((masks >> bit) & 1)))
            columns.append((flags[ends] - flags[starts])[:, None].astype(np.float64))
        columns.append(text_columns(texts))
        if self.lexicon is not None:
            columns.append(self.lexicon.scores(words)[:, None])
        return np.hstack(columns)

    def __call__(self, doc: Document) -> Document:
        """Classify and drop, then look again at what is kept until nothing more goes.

        The first look sees the lines earlier rules removed as bad neighbours. Cleaning the result
        again would not see them at all, and the lines this step dropped would be gone too, so a
        short line kept for its neighbours could then go. Looking again here, as that second run
        would, until the kept lines are stable, makes cleaning idempotent."""
        return self._looks(doc, first_look=0)

    def settle(self, doc: Document) -> Document:
        """Look again after the later steps (section cuts, repeats) removed lines: the pipeline calls
        this before its layout step when a later step changed the text, so that a second run over
        the output finds nothing to drop."""
        return self._looks(doc, first_look=1)

    def _looks(self, doc: Document, first_look: int) -> Document:
        if not self.s.enabled:
            return doc
        lines = doc.text.split("\n")
        changed = False
        for look in range(first_look, first_look + MAX_LOOKS):
            decision = self._decide(lines, removed_lines_count=look == 0)
            dropped = decision is not None and self._drop(lines, doc.edits, decision, second_look=look > 0)
            if not dropped:
                if look == 0 and DELETED in lines:
                    # A second run will not see the lines earlier rules removed; the block model weighs
                    # a removed neighbour (removed_before), so look once more as that run will.
                    continue
                break
            changed = True
        if changed:
            doc.text = "\n".join(lines)
        return doc

    def _drop(self, lines: list[str], edits: list[Edit], decision: Decision, second_look: bool) -> int:
        """Drop every block whose final class is not good: one Edit per line, with a note on why, and
        its lines become DELETED. The number of blocks dropped."""
        if accel is not None and self.compiled:
            return accel.drop_blocks(
                lines,
                edits,
                Edit,
                self.name,
                self.s.id,
                DELETED,
                _CODE_NAMES,
                decision.units,
                decision.texts,
                decision.first,
                decision.final,
                decision.shares,
                decision.chances,
                second_look,
            )
        return self._drop_python(lines, edits, decision, second_look)

    def _drop_python(self, lines: list[str], edits: list[Edit], decision: Decision, second_look: bool) -> int:
        """_drop in Python (cleaner._accel.drop_blocks does the same)."""
        name, rule = self.name, self.s.id
        shares: list[float] = np.frombuffer(decision.shares, dtype=np.float64).tolist()
        chances = None if decision.chances is None else np.frombuffer(decision.chances, dtype=np.float64).tolist()
        dropped = 0
        for k, (unit, text) in enumerate(zip(decision.units, decision.texts, strict=True)):
            first, final = decision.first[k], decision.final[k]
            if final == _GOOD_CODE:
                continue
            note = f"{_CODE_NAMES[first]} -> {_CODE_NAMES[final]}: {len(text)} chars, stopwords {shares[k]:.2f}"
            if chances is not None:
                note += f", model {chances[k]:.2f}"
            if second_look:
                note += " (second look)"
            edits.extend([Edit(name, rule, "drop", i + 1, lines[i], "", note) for i in unit])
            for i in unit:
                lines[i] = DELETED
            dropped += 1
        return dropped

    def _blocks(
        self, lines: list[str], removed_lines_count: bool
    ) -> tuple[list[list[int]], list[bool], list[str], np.ndarray, np.ndarray] | None:
        """The page's blocks (units, removed_before, texts), their statistics rows and their stopword
        shares in the page's languages; None where the page has no text."""
        units, removed_before, texts = (
            accel.paragraph_units(lines, removed_lines_count)
            if accel is not None and self.compiled
            else paragraph_units(lines, removed_lines_count)
        )
        if not units:
            return None
        if self._stopwords is not None:
            stats, shares = self._gathered(texts)
            return units, removed_before, texts, stats, shares
        stats = self._text_stats(texts)
        word_counts = stats[:, 0]
        hits = stats[:, 1 : 1 + len(self.s.languages)]
        present, top = self.languages(hits.sum(axis=0))
        shares = hits[:, present].max(axis=1) / np.maximum(word_counts, 1)
        share = self.s.unknown_language_share
        total_words = int(word_counts.sum())
        if share and total_words >= 50 and top < share * total_words:
            shares = np.ones(len(texts))  # no stoplist for this language: judge by length, as jusText does
        return units, removed_before, texts, stats, shares

    def _compiled_pass(
        self,
        texts: list[str],
        units: list[list[int]],
        removed_before: list[bool],
        stats: np.ndarray,
        shares: np.ndarray,
        want_features: bool,
    ) -> tuple[bytes, bytes, bytes, np.ndarray | None]:
        """cleaner._accel.block_pass: (context-free classes, final classes, heading flags, the model's
        features or None), classes as bytes of indices into _CLASS_NAMES."""
        assert accel is not None
        s = self.s
        settings = (
            s.length_low,
            s.length_high,
            s.stopwords_low,
            s.stopwords_high,
            s.max_heading_distance,
            s.heading_min_words,
            s.neargood_run_chars,
        )
        base = 1 + len(s.languages)
        first, final, heading, raw, logged = accel.block_pass(
            texts,
            units,
            removed_before,
            stats,
            stats.shape[1],
            base,
            shares,
            settings,
            want_features,
            _LOG_COLUMN_BYTES,
            _LOG1P_TABLE,
            _PAGE_CHARS,
        )
        rows = None
        if raw is not None:
            rows = np.frombuffer(raw, dtype=np.float64).reshape(len(texts), len(FEATURES))
            if not logged:  # a count beyond the table: numpy's log1p, as unit_features takes it
                rows = rows.copy()
                rows[:, _LOG_COLUMNS] = np.log1p(rows[:, _LOG_COLUMNS])
                rows[:, _PAGE_CHARS] = math.log1p(rows[0, _PAGE_CHARS])  # as unit_features: math, not numpy
        return first, final, heading, rows

    def analyse(self, lines: list[str], removed_lines_count: bool) -> PageBlocks | None:
        """The page's blocks with their context-free and jusText classes (None: no text).

        `removed_lines_count`: a removed line (DELETED) between two units makes a bad neighbour;
        otherwise removed lines are skipped as if absent, as a second run over the output sees them."""
        found = self._blocks(lines, removed_lines_count)
        if found is None:
            return None
        units, removed_before, texts, stats, shares = found
        word_counts = stats[:, 0]
        densities: list[float] = shares.tolist()
        base = 1 + len(self.s.languages)
        signs = stats[:, base : base + len(TEXT_COLUMNS)]  # block_model.text_columns
        lexical = stats[:, -1] if self.lexicon is not None else None
        counts: list[int] = word_counts.astype(np.int64).tolist()
        if self._compiled_blocks:
            first_codes, final_codes, heading_flags, rows = self._compiled_pass(
                texts, units, removed_before, stats, shares, self.model is not None
            )
            names = _CLASS_NAMES
            return PageBlocks(
                units,
                texts,
                counts,
                signs,
                [names[c] for c in first_codes],
                [names[c] for c in final_codes],
                densities,
                removed_before,
                list(map(bool, heading_flags)),
                rows,
                lexical,
            )
        copyright = (signs[:, COLUMN["copyright_signs"]] > 0) | (signs[:, COLUMN["copyright_entity"]] > 0)
        chars = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        first = self._classify(chars, copyright, shares)
        heading = [first[k] == SHORT and self._heading_like(texts[k], counts[k]) for k in range(len(units))]
        order = list(range(len(units)))
        final = self._revise(order, texts, first, removed_before, heading)
        if self.s.region_gap:
            final = self._main_region(order, texts, final)
        return PageBlocks(units, texts, counts, signs, first, final, densities, removed_before, heading, None, lexical)

    def features(self, page: PageBlocks) -> np.ndarray:
        """The model's input: one row of `block_model.FEATURES` per block, then the lexical features
        where the model has a lexicon (BlockModel.inputs)."""
        rows = self.shallow_features(page)
        return self.model.with_lexical(rows, page.lexical) if self.model is not None else rows

    def shallow_features(self, page: PageBlocks) -> np.ndarray:
        """One row of `block_model.FEATURES` per block: the model's input without the lexical features
        (bench/train_classifier.py adds lexical scores of its own)."""
        if page.feature_rows is not None:
            return page.feature_rows
        return unit_features(
            np.fromiter(map(len, page.texts), dtype=np.float64, count=len(page.texts)),
            page.text_columns,
            page.word_counts,
            page.first,
            page.final,
            page.densities,
            page.removed_before,
            list(map(len, page.units)),
            page.heading,
        )

    def _decide(self, lines: list[str], removed_lines_count: bool) -> Decision | None:
        """Every block's classes, stopword share and the model's probability; None where the page has no text."""
        if self._compiled_blocks:
            return self._decide_compiled(lines, removed_lines_count)
        page = self.analyse(lines, removed_lines_count)
        if page is None:
            return None
        code = _CODE_NAMES.index
        first, final = bytes(map(code, page.first)), bytes(map(code, page.final))
        rows = self.features(page) if self._uses_model(len(first)) else None
        shares = np.asarray(page.densities, dtype=np.float64)
        return self._verdict(page.units, page.texts, first, final, shares, rows)

    def _decide_compiled(self, lines: list[str], removed_lines_count: bool) -> Decision | None:
        """_decide with the C pass, in arrays: no per-block Python work."""
        found = self._blocks(lines, removed_lines_count)
        if found is None:
            return None
        units, removed_before, texts, stats, shares = found
        use_model = self._uses_model(len(units))
        first, final, _, rows = self._compiled_pass(texts, units, removed_before, stats, shares, use_model)
        if rows is not None and self.model is not None:
            rows = self.model.with_lexical(rows, stats[:, -1] if self.lexicon is not None else None)
        return self._verdict(units, texts, first, final, shares, rows)

    def _uses_model(self, blocks: int) -> bool:
        return self.model is not None and blocks >= self.s.model_min_blocks

    def _verdict(
        self,
        units: list[list[int]],
        texts: list[str],
        first: bytes,
        final: bytes,
        shares: np.ndarray,
        rows: np.ndarray | None,
    ) -> Decision:
        """The look's Decision: the block model's call on `rows` (its features) where there are any,
        else jusText's classes with the fallback."""
        chances = None
        if rows is not None:
            assert self.model is not None
            final, chances = self._model_verdicts(*self._deciding_layer(rows), first, final)
        else:
            final = self._fallback(first, final)
        return Decision(units, texts, first, final, shares, chances)

    def _deciding_layer(self, rows: np.ndarray) -> tuple[np.ndarray, BlockModel]:
        """BlockModel.deciding_layer, with the context model's input made in one C pass where there is
        one (cleaner._accel.context_rows; about thirty numpy calls per look otherwise)."""
        assert self.model is not None
        compiled = accel is not None and self.compiled
        return self.model.deciding_layer(rows, _compiled_context_input if compiled else None)

    def _model_verdicts(
        self, hidden: np.ndarray, deciding: BlockModel, first: bytes, final: bytes
    ) -> tuple[bytes, bytes]:
        """The block model makes the final call: (final classes, probabilities as float64 bytes). A block
        jusText's rules keep stays at `model_threshold`; one they drop needs `model_rescue_threshold`.
        `hidden`, `deciding`: BlockModel.deciding_layer of the page's blocks. Logits are compared, not
        probabilities, so that no call hangs on the last digit of an exp (numpy's and libm's differ there)."""
        bias, out_weights, out_bias = deciding.output_layer()
        if accel is not None and self.compiled:
            return accel.model_verdicts(
                hidden, bias, out_weights, out_bias, first, final, self._keep_logit, self._rescue_logit, self.s.fallback
            )
        logits = logits_of(hidden, bias, out_weights, out_bias)
        needed = np.where(np.frombuffer(final, dtype=np.uint8) == _GOOD_CODE, self._keep_logit, self._rescue_logit)
        kept = np.where(logits >= needed, _GOOD_CODE, _BAD_CODE).astype(np.uint8).tobytes()
        return self._fallback(first, kept), probabilities_of(logits).tobytes()

    def _fallback(self, first: bytes, final: bytes) -> bytes:
        """Where no block is good in context (a short post among chrome, a page of headlines), keep what
        reads like text on its own rather than empty the page (`fallback`; jusText has no such fallback)."""
        if not self.s.fallback or _GOOD_CODE in final:
            return final
        own = np.frombuffer(first, dtype=np.uint8)
        kept = (own == _GOOD_CODE) | (own == _NEARGOOD_CODE)
        return np.where(kept, _GOOD_CODE, np.frombuffer(final, dtype=np.uint8)).astype(np.uint8).tobytes()

    def _classify(self, chars: np.ndarray, copyright: np.ndarray, density: np.ndarray) -> list[str]:
        """jusText's context-free classes, for all blocks at once: `chars` their lengths (stripped),
        `copyright` whether they hold a © sign."""
        s = self.s
        codes = np.where(
            density >= s.stopwords_high,
            np.where(chars > s.length_high, 0, 1),
            np.where(density >= s.stopwords_low, 1, 3),
        )
        codes = np.where(chars < s.length_low, 2, codes)
        codes = np.where(copyright, 3, codes)
        return [_CLASS_NAMES[c] for c in codes.tolist()]

    def _revise(
        self,
        blocks: list[int],
        lines: list[str],
        first: list[str],
        removed_before: list[bool],
        heading: list[bool],
    ) -> list[str]:
        """jusText's context-sensitive pass, step for step."""
        s = self.s
        n = len(blocks)
        classes = list(first)

        def nearest(cls: list[str], ignore_neargood: bool, edge: str) -> tuple[list[str], list[str]]:
            """For each block, the class of the nearest deciding block before it and after it (O(n))."""
            wanted = (GOOD, BAD) if ignore_neargood else (GOOD, BAD, NEARGOOD)
            before, after = [edge] * n, [edge] * n
            current = edge
            for k in range(n):
                if removed_before[k]:
                    current = BAD
                before[k] = current
                if cls[k] in wanted:
                    current = cls[k]
            current = edge
            for k in range(n - 1, -1, -1):
                after[k] = current
                if cls[k] in wanted:
                    current = cls[k]
                if removed_before[k]:
                    current = BAD
            return before, after

        lengths = [len(lines[b]) for b in blocks]

        def good_follows(cls: list[str]) -> list[bool]:
            """For each block: is a good block ahead, within `max_heading_distance` characters of blocks
            that are neither good nor a menu item (a short block that is no heading or byline)? One
            backward pass: `needed` is the length to cross from block j to the next good block."""
            out = [False] * n
            needed = float("inf")
            for j in range(n - 1, -1, -1):
                out[j] = needed <= s.max_heading_distance  # walking from j + 1
                c = cls[j]
                if c == GOOD:
                    needed = 0
                elif c == SHORT and not heading[j]:
                    needed = float("inf")
                else:
                    needed += lengths[j]
            return out

        def may_lead(k: int) -> bool:  # cheap test before the walk
            return k + 1 < n and (first[k + 1] in (GOOD, NEARGOOD) or heading[k + 1])

        headings = [k for k in range(n) if heading[k] and may_lead(k)]
        if headings:
            follows = good_follows(first)
            for k in headings:  # good headings
                if follows[k]:
                    classes[k] = NEARGOOD
        revised = list(classes)
        if SHORT in classes:
            prev_gb, next_gb = nearest(classes, True, BAD)
            prev_any, next_any = nearest(classes, False, BAD)
            for k in range(n):  # short blocks take their class from their neighbours
                if classes[k] != SHORT:
                    continue
                prev, nxt = prev_gb[k], next_gb[k]
                if prev == GOOD and nxt == GOOD:
                    revised[k] = GOOD
                elif prev == BAD and nxt == BAD:
                    revised[k] = BAD
                elif (prev == BAD and prev_any[k] == NEARGOOD) or (nxt == BAD and next_any[k] == NEARGOOD):
                    revised[k] = GOOD
                else:
                    revised[k] = BAD
        classes = revised
        revised = list(classes)
        if NEARGOOD in classes and s.neargood_run_chars:
            # Unlike jusText, a run of near-good blocks with as much text as a good block together is
            # good: news prose often comes in paragraphs of one or two sentences.
            k = 0
            while k < n:
                end = k
                while end < n and classes[end] == NEARGOOD and (end == k or not removed_before[end]):
                    end += 1
                if (
                    end - k >= 2
                    and sum(len(lines[blocks[j]]) for j in range(k, end)) >= s.neargood_run_chars
                    and sum(lines[blocks[j]].rstrip().endswith(SENTENCE_END) for j in range(k, end)) >= (end - k) / 2
                ):
                    classes[k:end] = [GOOD] * (end - k)
                k = max(end, k + 1)
            revised = list(classes)
        if NEARGOOD in classes:
            # Unlike jusText, the document's edges are neutral here: one medium paragraph alone is kept.
            prev_gb, next_gb = nearest(classes, True, "")
            for k in range(n):  # near-good blocks are good unless both neighbours are bad
                if classes[k] == NEARGOOD:
                    sides = {prev_gb[k], next_gb[k]}
                    revised[k] = BAD if BAD in sides and GOOD not in sides else GOOD
        follows = good_follows(revised) if headings else []
        for k in headings:  # headings before good text, even when their neighbours are bad
            if revised[k] == BAD and follows[k]:
                revised[k] = GOOD
        return revised

    def _main_region(self, blocks: list[int], lines: list[str], classes: list[str]) -> list[str]:
        """Keep the run of good blocks with the most text (and runs nearly as large); drop good blocks
        cut off from it by `region_gap` or more other blocks (comment threads, sidebars, footers)."""
        runs: list[list[int]] = []
        gap = self.s.region_gap
        last_good = -gap - 1
        for k, c in enumerate(classes):
            if c != GOOD:
                continue
            if runs and k - last_good <= gap:
                runs[-1].append(k)
            else:
                runs.append([k])
            last_good = k
        if len(runs) < 2:
            return classes
        size = [sum(len(lines[blocks[k]]) for k in run) for run in runs]
        biggest = max(size)
        out = list(classes)
        for run, chars in zip(runs, size, strict=True):
            if chars < self.s.region_ratio * biggest:
                for k in run:
                    out[k] = OFF_REGION
        return out

    def _heading_like(self, line: str, word_count: int) -> bool:
        return word_count >= self.s.heading_min_words and not line.rstrip().endswith((".", "!", "?", ":", ";", ","))
