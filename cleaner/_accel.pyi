"""Type stubs for the optional C accelerator (cleaner/_accel.c)."""

from typing import Any

import numpy as np

def repeat_scan(
    lines: list[str] | str, min_chars: int, min_words: int, near_chars: int, near: bool, near_wrapped: bool, /
) -> tuple[dict[int, int], dict[int, list[int]], list[int]]:
    """Exact repeats, short copies and near candidates among the lines (a list, or a text's lines)."""

def near_repeats(
    indices: list[int], lines: list[str] | str, min_words: int, max_words: int, threshold: float, raw: bool, /
) -> dict[int, tuple[int, float]] | None:
    """Near repeats among the lines (lines[k] is line indices[k]; a str: the text whose lines they
    are); raw: fold them here (None where a line has U+0130 or a capital sigma, whose lower case needs
    Python's str.lower())."""

class Automaton:
    """Aho-Corasick over the given literals (non-empty str)."""

    def __init__(self, literals: list[str]) -> None: ...
    def hits(self, text: str, fold: bool = False, /) -> list[tuple[int, int]] | None:
        """(end offset, literal index) of every occurrence, in text order; with fold, in text.lower()
        (None where that needs Python's lower(): U+0130 or a capital sigma)."""

    def line_hits(self, text: str, fold: bool = False, /) -> list[tuple[int, int]] | None:
        """(line number from 0 of the occurrence's start, literal index), in text order."""

    def set_filters(self, max_words: list[int], bounds: list[int] | None = None, /) -> None:
        """The filters short_line_hits(text, None) applies, converted once."""

    def short_line_hits(
        self, text: str, max_words: list[int] | None, fold: bool = False, bounds: list[int] | None = None, /
    ) -> list[tuple[int, int]] | None:
        """(line, literal index) once per line and literal, on lines of at most max_words[literal]
        words (negative: no limit), and, where bounds[literal] has bit 1 (2), no ASCII letter, digit or
        "_" right before (after) the occurrence."""

API: int

class CharGate:
    """The lines a character gate flags: a single character, a lead+continuation pair, a spaced lead,
    an HTML entity (as ftfy decodes them), a trailing space or tab."""

    def __init__(
        self,
        singles: str,
        leads: str,
        conts: str,
        spaced: str,
        entity: bool,
        trailing: bool,
        nfc: str = ...,
        nfc_safe: tuple[int, int] = ...,
    ) -> None: ...
    def lines(self, text: str, /) -> list[int]:
        """Sorted numbers (from 0) of the flagged lines."""

    def scan(self, text: str, /) -> tuple[list[int], bool]:
        """(lines(text), whether a character of `nfc`, or an astral one outside `nfc_safe`, occurs;
        always True without `nfc`)."""

def short_lines(text: str, max_chars: int, digits: bool = False, /) -> tuple[list[int], str]:
    """(numbers of the lines of at most max_chars characters, those lines joined by newlines)."""

def paragraph_units(lines: list[str], removed_lines_count: bool, /) -> tuple[list[list[int]], list[bool], list[str]]:
    """The web classifier's blocks, as cleaner.steps.blocks.paragraph_units finds them."""

BLOCK_TEXT_COLUMNS: tuple[str, ...]
BLOCK_FEATURES: tuple[str, ...]

class WordTable:
    """str -> int in a C hash table that C code looks up by a word's characters (no str per word)."""

    def __init__(self, values: dict[str, int]) -> None: ...
    def get(self, word: str, /) -> int: ...

def block_text_stats(texts: list[str], stopwords: WordTable, languages: int, table: bytes, /) -> bytes | None:
    """Per text, float64 words, stopword hits per language and BLOCK_TEXT_COLUMNS (as bytes); None
    where lower-casing needs Python (U+0130 or a capital sigma)."""

def block_pass(
    texts: list[str],
    units: list[list[int]],
    removed_before: list[bool],
    stats: object,
    ncols: int,
    base: int,
    shares: object,
    settings: tuple[int, int, float, float, int, int, int],
    want_features: bool,
    log_columns: bytes,
    log_table: np.ndarray,
    page_column: int,
    /,
) -> tuple[bytes, bytes, bytes, bytes | None, bool]:
    """One look of the classifier: context-free and final classes (0..3), heading flags, and the
    model's BLOCK_FEATURES rows (float64) where wanted, with whether their log columns are taken
    (numpy's log1p looked up in log_table) or left raw."""

def model_verdicts(
    hidden: np.ndarray,
    bias: np.ndarray,
    out_weights: np.ndarray,
    out_bias: float,
    first: bytes,
    final: bytes,
    keep_logit: float,
    rescue_logit: float,
    fallback: bool,
    /,
) -> tuple[bytes, bytes]:
    """BlockClassifierStep._model_verdicts: (final classes, probabilities as float64 bytes)."""

def context_rows(
    hidden: np.ndarray, bias: np.ndarray, out_weights: np.ndarray, out_bias: float, features: np.ndarray, width: int, /
) -> bytes:
    """The context model's input (BlockModel.deciding_layer): each row of `features` (float64, `width`
    columns) and the context_features of the first model's logits from `hidden`, float64 bytes."""

def gather_rows(
    texts: list[str], index: dict[str, int], matrix: np.ndarray, ncols: int, languages: int, unknown_share: float, /
) -> tuple[bytes, bytes] | tuple[None, list[str]]:
    """Each text's row of `matrix` (as `index` says) and its stopword share in the page's languages, as
    float64 bytes; (None, the texts `index` lacks) where some are missing."""

def drop_blocks(
    lines: list[str],
    edits: list[Any],
    edit_type: type,
    step: str,
    rule: str,
    deleted: str,
    names: tuple[str, ...],
    units: list[list[int]],
    texts: list[str],
    first: bytes,
    final: bytes,
    shares: bytes | np.ndarray,
    chances: bytes | np.ndarray | None,
    second_look: bool,
    /,
) -> int:
    """BlockClassifierStep._drop_python: an Edit per line of each block not classed good; its lines become `deleted`."""

def found_chars(text: str, chars: str, /) -> int:
    """Bit k set where chars[k] (at most 63) occurs in text: one pass instead of one `in` per character."""

def layout(text: str, max_blank_lines: int, /) -> str:
    """LayoutStep's transformation in one pass (the text itself where nothing changes)."""

def literal_line_hits(
    text: str, max_chars: int, trim: str, table: WordTable, empty: int, /
) -> tuple[list[tuple[int, int]], list[int], str]:
    """Whole-line literal keys of the short lines: (line, key number) for ASCII keys found in `table`
    (number + 1 as value; `empty`: the empty key's number, -1 for none), then the lines whose keys need
    Python's casefold() and those keys (not yet folded) joined by newlines."""

def lines_at(text: str, numbers: list[int], /) -> list[str]:
    """text.split("\\n")[k] for each k of `numbers` (ascending), without splitting the rest."""

def replace_lines(text: str, replacements: dict[int, str], /) -> str:
    """The text with line k replaced by replacements[k]: "\\n".join(lines) after lines[k] = new."""
