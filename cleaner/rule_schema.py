"""Validation and compilation of single rules, one function per rule kind.

Each function takes the raw TOML table and the file it came from and
returns an immutable, compiled rule, or raises RuleFileError naming the
file, the rule id and what is wrong. Nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex

from cleaner.errors import RuleFileError
from cleaner.patterns import compile_pattern, literal_core, literal_pattern

ID_RE = regex.compile(r"^[a-z0-9][a-z0-9_.-]*$")
COMMON_KEYS = {"id", "description", "examples", "keeps"}


@dataclass(frozen=True)
class Example:
    """Text a rule must act on (`expect` None: must change it) or must leave alone."""

    text: str
    expect: str | None = None


@dataclass(frozen=True)
class RuleBase:
    id: str
    description: str
    examples: tuple[Example, ...]
    keeps: tuple[Example, ...]
    origin: str


@dataclass(frozen=True)
class LineRule(RuleBase):
    """Drops (or strips the match from) a line that matches and passes the guards."""

    pattern: str
    compiled: Any = field(repr=False, compare=False)
    action: str = "drop"
    max_words: int | None = None
    min_words: int | None = None
    max_chars: int | None = None
    literals: tuple[str, ...] = ()

    def guards_pass(self, line: str) -> bool:
        if self.max_chars is not None and len(line) > self.max_chars:
            return False
        if self.max_words is None and self.min_words is None:
            return True
        n = len(line.split())
        if self.max_words is not None and n > self.max_words:
            return False
        return self.min_words is None or n >= self.min_words


@dataclass(frozen=True)
class ParagraphRule(RuleBase):
    """Drops a whole paragraph (a block between blank lines) that matches."""

    pattern: str
    compiled: Any = field(repr=False, compare=False)
    max_words: int | None = None
    min_words: int | None = None

    def guards_pass(self, words: int) -> bool:
        if self.max_words is not None and words > self.max_words:
            return False
        return self.min_words is None or words >= self.min_words


@dataclass(frozen=True)
class DocumentRule(RuleBase):
    """Drops a whole document, with this rule's id and description as the reason."""

    pattern: str | None
    compiled: Any = field(repr=False, compare=False)
    min_words: int | None = None
    max_words: int | None = None
    min_chars: int | None = None
    max_symbol_ratio: float | None = None


@dataclass(frozen=True)
class TypoMap(RuleBase):
    """Whole-word replacements, case-preserving: `uears` → `years`, `Uears` → `Years`."""

    mapping: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RepeatSettings(RuleBase):
    """Repeated and near-repeated lines inside one document are kept once."""

    enabled: bool = True
    min_words: int = 4
    min_chars: int = 20
    near: bool = True
    threshold: float = 0.8
    near_max_words: int = 25
    near_wrapped: bool = False  # also look for near repeats among lines starting in lower case (wrapped prose)


@dataclass(frozen=True)
class SpellingSettings(RuleBase):
    """The guarded dictionary corrector (symspellpy); off unless a rule file enables it."""

    enabled: bool = False
    dictionary: str = "symspellpy:en"
    max_edit_distance: int = 1
    min_length: int = 5
    min_count: int = 100_000
    dominance: float = 20.0
    ignore: tuple[str, ...] = ()
    bigrams: str = ""  # "symspellpy:en" or a 'word word count' file: context decides between candidates
    context_min_count: int = 10_000
    context_dominance: float = 10.0
    known_words: str = ""  # "wordfreq:en": a word this common next to its correction is a real word
    min_frequency_gap: float = 1.5  # zipf units (log10): the correction must be this much more frequent
    min_known_share: float = 0.0  # documents with fewer dictionary words than this share are left alone


@dataclass(frozen=True)
class ClassifierSettings(RuleBase):
    """jusText-style block classifier for web text: keeps prose blocks and the short lines that belong to them."""

    enabled: bool = True
    length_low: int = 70
    length_high: int = 200
    stopwords_low: float = 0.30
    stopwords_high: float = 0.32
    max_heading_distance: int = 200
    heading_min_words: int = 2
    neargood_run_chars: int = 0
    fallback: bool = False
    unknown_language_share: float = 0.0
    region_gap: int = 0
    region_ratio: float = 0.0
    languages: tuple[str, ...] = ()
    stopwords: tuple[tuple[str, frozenset[str]], ...] = field(default=(), compare=False, repr=False)
    model: str | None = None  # path of a block model (JSON) that makes the final call; None: jusText's classes
    model_threshold: float = 0.5  # a block jusText's rules keep stays at this probability of content or more
    model_rescue_threshold: float = 0.5  # a block they drop stays only at this probability or more
    model_min_blocks: int = 0  # pages with fewer blocks are left to jusText's rules (the model learned on real pages)


@dataclass(frozen=True)
class SectionRule(RuleBase):
    """A marker line (a comment section's heading or form) that ends the main text: it and every
    line after it go, once at least `min_words_before` words of kept text precede it."""

    pattern: str
    compiled: Any = field(repr=False, compare=False)
    max_words: int | None = 15
    min_words_before: int = 150
    min_markers: int = 1  # the marker must occur this many times (comment headers: a thread, not a quote)


@dataclass(frozen=True)
class LearnedRule(RuleBase):
    """Lines known to be boilerplate on one site (`host`; "" for any document), as `learn-boilerplate` writes them."""

    host: str = ""
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorpusLineSettings:
    """Corpus-level boilerplate: lines seen in at least `min_documents` documents of a site are removed (0: off)."""

    min_documents: int = 0
    max_words: int = 0  # only lines up to this many words are counted and removed (0: any length)
    url_field: str = "url"  # the record field holding the page URL; its host scopes the counting


@dataclass(frozen=True)
class UnicodeSettings:
    """How the unicode step fixes text (ftfy options plus whitespace handling)."""

    ftfy: bool = True
    unescape_html: str | bool = "auto"
    fix_latin_ligatures: bool = True
    fix_character_width: bool = False
    uncurl_quotes: bool = False
    normalization: str | None = "NFC"
    odd_spaces: bool = True
    zero_width: bool = True
    strip_trailing: bool = True
    max_blank_lines: int = 1


class _Table:
    """Typed access to one raw rule table, raising RuleFileError with context."""

    def __init__(self, raw: dict[str, Any], path: str, kind: str, allowed: set[str]) -> None:
        self.raw = raw
        self.path = path
        self.kind = kind
        rid = raw.get("id")
        self.rule_id = rid if isinstance(rid, str) else None
        for key in raw:
            if key not in allowed:
                self.fail(f"unknown key '{key}' in [[{kind}]] (allowed: {', '.join(sorted(allowed))})")

    def fail(self, message: str) -> None:
        raise RuleFileError(self.path, message, self.rule_id)

    def get(self, key: str, types: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        if key not in self.raw:
            if required:
                self.fail(f"missing required field '{key}'")
            return default
        value = self.raw[key]
        if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.fail(f"field '{key}' must be {_type_name(types)}, not a boolean")
        if not isinstance(value, types):
            self.fail(f"field '{key}' must be {_type_name(types)}, got {type(value).__name__}")
        return value

    def positive_int(self, key: str, default: int | None = None) -> int | None:
        value = self.get(key, int, default)
        if value is not None and value < 0:
            self.fail(f"field '{key}' must be >= 0, got {value}")
        return value

    def regex(self, key: str, required: bool = False) -> tuple[str | None, Any]:
        source = self.get(key, str, required=required)
        if source is None:
            return None, None
        if not source:
            self.fail(f"field '{key}' is empty")
        try:
            return source, compile_pattern(source)
        except regex.error as exc:
            self.fail(f"bad regex in '{key}': {exc}")
        raise AssertionError("unreachable")

    def common(self) -> dict[str, Any]:
        rid = self.get("id", str, required=True)
        if not ID_RE.match(rid):
            self.fail("id must be lower-case letters, digits, '-', '_' or '.', starting with a letter or digit")
        description = self.get("description", str, required=True)
        if not description.strip():
            self.fail("field 'description' is empty")
        return {
            "id": rid,
            "description": description,
            "examples": self.examples("examples"),
            "keeps": self.examples("keeps"),
            "origin": self.path,
        }

    def examples(self, key: str) -> tuple[Example, ...]:
        items = self.get(key, list, required=True)
        if not items:
            self.fail(f"field '{key}' is empty: every rule carries at least one")
        out = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                out.append(Example(item))
            elif isinstance(item, dict) and set(item) <= {"text", "expect"} and isinstance(item.get("text"), str):
                expect = item.get("expect")
                if expect is not None and not isinstance(expect, str):
                    self.fail(f"{key}[{i}].expect must be a string")
                out.append(Example(item["text"], expect))
            else:
                self.fail(f"{key}[{i}] must be a string or a table {{text = ..., expect = ...}}")
        return tuple(out)


def _type_name(types: type | tuple[type, ...]) -> str:
    names = {
        "str": "a string",
        "int": "an integer",
        "float": "a number",
        "bool": "true or false",
        "list": "a list",
        "dict": "a table",
    }
    seq = types if isinstance(types, tuple) else (types,)
    return " or ".join(names.get(t.__name__, t.__name__) for t in seq)


LINE_KEYS = COMMON_KEYS | {"pattern", "literal", "action", "max_words", "min_words", "max_chars"}
PARAGRAPH_KEYS = COMMON_KEYS | {"pattern", "max_words", "min_words"}
DOCUMENT_KEYS = COMMON_KEYS | {"pattern", "min_words", "max_words", "min_chars", "max_symbol_ratio"}
TYPO_KEYS = COMMON_KEYS | {"map"}
REPEAT_KEYS = COMMON_KEYS | {"enabled", "min_words", "min_chars", "near", "threshold", "near_max_words", "near_wrapped"}
SPELLING_KEYS = COMMON_KEYS | {
    "enabled",
    "dictionary",
    "max_edit_distance",
    "min_length",
    "min_count",
    "dominance",
    "ignore",
    "bigrams",
    "known_words",
    "min_frequency_gap",
    "min_known_share",
    "context_min_count",
    "context_dominance",
}
CLASSIFIER_KEYS = COMMON_KEYS | {
    "enabled",
    "length_low",
    "length_high",
    "stopwords_low",
    "stopwords_high",
    "max_heading_distance",
    "heading_min_words",
    "languages",
    "region_gap",
    "region_ratio",
    "neargood_run_chars",
    "fallback",
    "unknown_language_share",
    "model",
    "model_threshold",
    "model_rescue_threshold",
    "model_min_blocks",
}
LEARNED_KEYS = COMMON_KEYS | {"host", "lines"}
SECTION_KEYS = COMMON_KEYS | {"pattern", "max_words", "min_words_before", "min_markers"}
CORPUS_LINE_KEYS = {"min_documents", "max_words", "url_field"}
UNICODE_KEYS = {
    "ftfy",
    "unescape_html",
    "fix_latin_ligatures",
    "fix_character_width",
    "uncurl_quotes",
    "normalization",
    "odd_spaces",
    "zero_width",
    "strip_trailing",
    "max_blank_lines",
}


def line_rule(raw: dict[str, Any], path: str) -> LineRule:
    t = _Table(raw, path, "line", LINE_KEYS)
    common = t.common()
    pattern, compiled = t.regex("pattern")
    literal = t.get("literal", (str, list))
    if (pattern is None) == (literal is None):
        t.fail("give exactly one of 'pattern' or 'literal'")
    literals: list[str] = []
    if literal is not None:
        literals = [literal] if isinstance(literal, str) else literal
        if not literals or not all(isinstance(x, str) and literal_core(x) for x in literals):
            t.fail("'literal' must be a non-empty string or list of strings with at least one letter or digit")
        pattern = literal_pattern(literal_core(x) for x in literals)
        compiled = compile_pattern(pattern)
    action = t.get("action", str, "drop")
    if action not in ("drop", "strip"):
        t.fail(f"field 'action' must be 'drop' or 'strip', got '{action}'")
    assert pattern is not None
    return LineRule(
        **common,
        pattern=pattern,
        compiled=compiled,
        action=action,
        max_words=t.positive_int("max_words"),
        min_words=t.positive_int("min_words"),
        max_chars=t.positive_int("max_chars"),
        literals=tuple(literals),
    )


def paragraph_rule(raw: dict[str, Any], path: str) -> ParagraphRule:
    t = _Table(raw, path, "paragraph", PARAGRAPH_KEYS)
    common = t.common()
    pattern, compiled = t.regex("pattern", required=True)
    assert pattern is not None
    return ParagraphRule(
        **common,
        pattern=pattern,
        compiled=compiled,
        max_words=t.positive_int("max_words"),
        min_words=t.positive_int("min_words"),
    )


def document_rule(raw: dict[str, Any], path: str) -> DocumentRule:
    t = _Table(raw, path, "document", DOCUMENT_KEYS)
    common = t.common()
    pattern, compiled = t.regex("pattern")
    ratio = t.get("max_symbol_ratio", (int, float))
    if ratio is not None and not 0 <= ratio <= 1:
        t.fail("field 'max_symbol_ratio' must be between 0 and 1")
    rule = DocumentRule(
        **common,
        pattern=pattern,
        compiled=compiled,
        min_words=t.positive_int("min_words"),
        max_words=t.positive_int("max_words"),
        min_chars=t.positive_int("min_chars"),
        max_symbol_ratio=float(ratio) if ratio is not None else None,
    )
    if all(v is None for v in (pattern, rule.min_words, rule.max_words, rule.min_chars, ratio)):
        t.fail("a document rule needs a condition: pattern, min_words, max_words, min_chars or max_symbol_ratio")
    return rule


def typo_map(raw: dict[str, Any], path: str) -> TypoMap:
    t = _Table(raw, path, "typos", TYPO_KEYS)
    common = t.common()
    mapping = t.get("map", dict, required=True)
    if not mapping:
        t.fail("field 'map' is empty")
    pairs = []
    seen: set[str] = set()
    for wrong, right in mapping.items():
        if not isinstance(right, str) or not right:
            t.fail(f"map entry '{wrong}' must map to a non-empty string")
        if not wrong.strip() or wrong != wrong.strip():
            t.fail(f"map key '{wrong}' must be a word without surrounding spaces")
        if wrong.casefold() in seen:
            t.fail(f"map key '{wrong}' appears twice (keys are case-insensitive)")
        if wrong.casefold() == right.casefold():
            t.fail(f"map entry '{wrong}' maps a word to itself")
        seen.add(wrong.casefold())
        pairs.append((wrong, right))
    return TypoMap(**common, mapping=tuple(pairs))


def repeat_settings(raw: dict[str, Any], path: str) -> RepeatSettings:
    t = _Table(raw, path, "repeats", REPEAT_KEYS)
    common = t.common()
    threshold = t.get("threshold", (int, float), 0.8)
    if not 0 < threshold <= 1:
        t.fail("field 'threshold' must be in (0, 1]")
    return RepeatSettings(
        **common,
        enabled=t.get("enabled", bool, True),
        min_words=t.positive_int("min_words", 4) or 0,
        min_chars=t.positive_int("min_chars", 20) or 0,
        near=t.get("near", bool, True),
        threshold=float(threshold),
        near_max_words=t.positive_int("near_max_words", 25) or 0,
        near_wrapped=t.get("near_wrapped", bool, False),
    )


def spelling_settings(raw: dict[str, Any], path: str) -> SpellingSettings:
    t = _Table(raw, path, "spelling", SPELLING_KEYS)
    common = t.common()
    distance = t.get("max_edit_distance", int, 1)
    if distance not in (1, 2):
        t.fail("field 'max_edit_distance' must be 1 or 2")
    ignore = t.get("ignore", list, [])
    if not all(isinstance(w, str) for w in ignore):
        t.fail("field 'ignore' must be a list of words")
    dominance = t.get("dominance", (int, float), 20.0)
    return SpellingSettings(
        **common,
        enabled=t.get("enabled", bool, False),
        dictionary=t.get("dictionary", str, "symspellpy:en"),
        max_edit_distance=distance,
        min_length=t.positive_int("min_length", 5) or 0,
        min_count=t.positive_int("min_count", 100_000) or 0,
        dominance=float(dominance),
        ignore=tuple(w.casefold() for w in ignore),
        bigrams=t.get("bigrams", str, ""),
        context_min_count=t.positive_int("context_min_count", 10_000) or 0,
        context_dominance=float(t.get("context_dominance", (int, float), 10.0)),
        known_words=_known_words(t),
        min_frequency_gap=float(t.get("min_frequency_gap", (int, float), 1.5)),
        min_known_share=float(t.get("min_known_share", (int, float), 0.0)),
    )


def _known_words(t: _Table) -> str:
    spec = t.get("known_words", str, "")
    if spec and not spec.startswith("wordfreq:"):
        t.fail(f"field 'known_words' must be 'wordfreq:LANG' (e.g. 'wordfreq:en'), not {spec!r}")
    return spec


def section_rule(raw: dict[str, Any], path: str) -> SectionRule:
    t = _Table(raw, path, "section", SECTION_KEYS)
    common = t.common()
    pattern, compiled = t.regex("pattern", required=True)
    assert pattern is not None
    return SectionRule(
        **common,
        pattern=pattern,
        compiled=compiled,
        max_words=t.positive_int("max_words", 15),
        min_words_before=t.positive_int("min_words_before", 150) or 0,
        min_markers=t.positive_int("min_markers", 1) or 1,
    )


def learned_rule(raw: dict[str, Any], path: str) -> LearnedRule:
    from cleaner.corpus_lines import line_key

    t = _Table(raw, path, "learned", LEARNED_KEYS)
    common = t.common()
    host = t.get("host", str, "")
    if host != host.strip().lower() or "/" in host:
        t.fail(f"field 'host' must be a lower-case host name such as 'example.com', got {host!r}")
    lines = t.get("lines", list, required=True)
    if not lines or not all(isinstance(line, str) and line_key(line) for line in lines):
        t.fail("field 'lines' must be a non-empty list of non-blank strings")
    return LearnedRule(**common, host=host.removeprefix("www."), lines=tuple(lines))


def corpus_line_settings(raw: dict[str, Any], path: str) -> CorpusLineSettings:
    t = _Table(raw, path, "corpus_lines", CORPUS_LINE_KEYS)
    t.rule_id = "corpus_lines"
    url_field = t.get("url_field", str, "url")
    if not url_field:
        t.fail("field 'url_field' is empty")
    return CorpusLineSettings(
        min_documents=t.positive_int("min_documents", 0) or 0,
        max_words=t.positive_int("max_words", 0) or 0,
        url_field=url_field,
    )


def unicode_settings(raw: dict[str, Any], path: str) -> UnicodeSettings:
    t = _Table(raw, path, "unicode", UNICODE_KEYS)
    t.rule_id = "unicode"
    html = t.get("unescape_html", (str, bool), "auto")
    if isinstance(html, str) and html != "auto":
        t.fail("field 'unescape_html' must be true, false or 'auto'")
    norm = t.get("normalization", str, "NFC")
    if norm not in ("NFC", "NFKC", "NFD", "NFKD", "none"):
        t.fail("field 'normalization' must be NFC, NFKC, NFD, NFKD or 'none'")
    return UnicodeSettings(
        ftfy=t.get("ftfy", bool, True),
        unescape_html=html,
        fix_latin_ligatures=t.get("fix_latin_ligatures", bool, True),
        fix_character_width=t.get("fix_character_width", bool, False),
        uncurl_quotes=t.get("uncurl_quotes", bool, False),
        normalization=None if norm == "none" else norm,
        odd_spaces=t.get("odd_spaces", bool, True),
        zero_width=t.get("zero_width", bool, True),
        strip_trailing=t.get("strip_trailing", bool, True),
        max_blank_lines=t.positive_int("max_blank_lines", 1) or 0,
    )


def classifier_settings(
    raw: dict[str, Any], path: str, stopwords: dict[str, list[str]] | None = None
) -> ClassifierSettings:
    t = _Table(raw, path, "classifier", CLASSIFIER_KEYS)
    common = t.common()
    low = t.get("stopwords_low", (int, float), 0.30)
    high = t.get("stopwords_high", (int, float), 0.32)
    if not 0 <= low <= high <= 1:
        t.fail("need 0 <= stopwords_low <= stopwords_high <= 1")
    length_low = t.positive_int("length_low", 70) or 0
    length_high = t.positive_int("length_high", 200) or 0
    if length_low > length_high:
        t.fail("need length_low <= length_high")
    stopwords = stopwords or {}
    languages = t.get("languages", list, sorted(stopwords))
    for lang in languages:
        if lang not in stopwords:
            t.fail(f"language '{lang}' has no [stopwords] list (have: {', '.join(sorted(stopwords)) or 'none'})")
    if not languages:
        t.fail("the classifier needs at least one [stopwords] list")
    model = t.get("model", str) or None  # "" switches an inherited model off
    if model is not None:
        from cleaner.steps.block_model import ModelFileError, load_model

        try:
            load_model(model)  # the path is absolute: the merger resolved it against the file that names it
        except ModelFileError as exc:
            t.fail(str(exc))
    threshold = t.get("model_threshold", (int, float), 0.5)
    rescue = t.get("model_rescue_threshold", (int, float), threshold)
    for key, value in (("model_threshold", threshold), ("model_rescue_threshold", rescue)):
        if not 0 <= value <= 1:
            t.fail(f"field '{key}' must be between 0 and 1")
    return ClassifierSettings(
        **common,
        enabled=t.get("enabled", bool, True),
        length_low=length_low,
        length_high=length_high,
        stopwords_low=float(low),
        stopwords_high=float(high),
        max_heading_distance=t.positive_int("max_heading_distance", 200) or 0,
        heading_min_words=t.positive_int("heading_min_words", 2) or 0,
        neargood_run_chars=t.positive_int("neargood_run_chars", 0) or 0,
        fallback=t.get("fallback", bool, False),
        unknown_language_share=float(t.get("unknown_language_share", (int, float), 0.0)),
        region_gap=t.positive_int("region_gap", 0) or 0,
        region_ratio=float(t.get("region_ratio", (int, float), 0.0)),
        languages=tuple(languages),
        stopwords=tuple((lang, frozenset(w.lower() for w in stopwords[lang])) for lang in languages),
        model=model,
        model_threshold=float(threshold),
        model_rescue_threshold=float(rescue),
        model_min_blocks=t.positive_int("model_min_blocks", 0) or 0,
    )
