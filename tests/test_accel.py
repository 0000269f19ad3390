"""The C accelerator (cleaner/_accel.c) gives exactly what the pure-Python code gives.

The Python code in each step is the reference; these tests run both on the same text
and compare every output line and every Edit.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys

import pytest
from conftest import DATA, SAMPLES, corpus, read_jsonl, with_context, with_lexicon
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Document, Edit
from cleaner.literals import LiteralIndex
from cleaner.ruleset import load_rules
from cleaner.steps import repeats as repeats_module
from cleaner.steps.repeats import RepeatStep

needs_accel = pytest.mark.skipif(
    repeats_module._accel is None, reason="the C accelerator is not built here (no C compiler, or CLEANER_NO_ACCEL)"
)

SETTINGS = load_rules("default").repeats
assert SETTINGS is not None
VARIANTS = [
    SETTINGS,
    dataclasses.replace(SETTINGS, near_wrapped=True),
    dataclasses.replace(SETTINGS, threshold=0.5, min_words=2, min_chars=3),
]


def both(settings, text: str) -> tuple[Document, Document]:
    pure = RepeatStep(settings, compiled=False)(Document(text=text))
    fast = RepeatStep(settings, compiled=True)(Document(text=text))
    return pure, fast


def test_accelerator_is_built_where_a_compiler_is():
    """`pip install -e .` compiles it when a C compiler is on PATH; a silent fallback would hide a broken build."""
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler on PATH: the pure-Python code runs")

    if os.environ.get("CLEANER_NO_ACCEL"):
        pytest.skip("CLEANER_NO_ACCEL is set")
    assert repeats_module._accel is not None, "reinstall with `pip install -e .` to build cleaner/_accel.c"


@needs_accel
def test_forcing_the_accelerator_off_uses_python():
    step = RepeatStep(SETTINGS, compiled=False)
    assert step.compiled is False
    assert RepeatStep(SETTINGS).compiled is True


@needs_accel
@pytest.mark.parametrize("settings", VARIANTS, ids=["default", "near_wrapped", "loose"])
def test_same_result_on_the_seed_and_real_pages(settings):
    texts = [(SAMPLES / "cgtn_moon_dust.txt").read_text(encoding="utf-8")]
    texts += [record["text"] for record in read_jsonl(DATA / "trafilatura_pages.jsonl")]
    changed = 0
    for text in texts:
        pure, fast = both(settings, text)
        assert fast.text == pure.text
        assert fast.edits == pure.edits
        changed += bool(pure.edits)
    assert changed >= 3  # the comparison covers real removals, not only untouched pages


@needs_accel
def test_same_result_on_reuters():
    path = corpus("reuters21578.jsonl.gz")
    removed = 0
    for record in read_jsonl(path, limit=3000):
        pure, fast = both(SETTINGS, record["text"])
        assert (fast.text, fast.edits) == (pure.text, pure.edits), record["id"]
        removed += len(pure.edits)
    assert removed > 20


# Words that stress the folding: case, ASCII punctuation inside and around words, non-ASCII
# letters whose lower case differs in length (İ) or by position (final sigma), odd spaces.
WORDS = st.sampled_from(
    [
        "Photo",
        "photo",
        "PHOTO:",
        "AFP",
        "/AFP",
        "the",
        "The",
        "moon",
        "dust",
        "Macron.",
        "don't",
        "e-mail",
        "İstanbul",
        "istanbul",
        "ΟΔΟΣ",
        "οδος",
        "Zürich",
        "ZÜRICH",
        "café",
        "x",
        "1987",
        "—",
        "«",
        "»",
    ]
)
SPACE = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u2009", "\x1c", " \u3000"])
LINE = st.lists(st.tuples(WORDS, SPACE), min_size=0, max_size=12).map(
    lambda parts: "".join(word + space for word, space in parts)
)
TEXT = st.lists(LINE | st.sampled_from(["", "\x00", "Yes.", "  Photo dust moon AFP the  "]), max_size=14).map("\n".join)


@needs_accel
@settings(max_examples=400, deadline=None)
@given(TEXT, st.sampled_from(range(len(VARIANTS))))
def test_same_result_on_generated_lines(text, variant):
    pure, fast = both(VARIANTS[variant], text)
    assert fast.text == pure.text
    assert fast.edits == pure.edits


@needs_accel
@settings(max_examples=300, deadline=None)
@given(TEXT | st.text(max_size=200), st.sampled_from(range(len(VARIANTS))))
def test_lines_read_in_the_text_or_as_a_list_alike(text, variant):
    """repeat_scan and near_repeats read a text's lines in place (no split) as they read a list of them."""
    s = VARIANTS[variant]
    fast = repeats_module._accel
    lines = text.split("\n")
    args = (s.min_chars, s.min_words, s.near_max_words * 12, s.near, s.near_wrapped)
    assert fast.repeat_scan(text, *args) == fast.repeat_scan(lines, *args)
    near = fast.repeat_scan(text, *args)[2]
    chosen = [lines[i] for i in near]
    for raw in (True, False):
        assert fast.near_repeats(near, text, s.min_words, s.near_max_words, s.threshold, raw) == fast.near_repeats(
            near, chosen, s.min_words, s.near_max_words, s.threshold, raw
        )


@needs_accel
def test_same_result_on_near_repeats_in_other_scripts():
    """Near-repeat words are lower-cased in C for any script; İ and final sigma stay with Python's lower()."""
    lines = [
        "ΟΔΟΣ ΠΑΝΕΠΙΣΤΗΜΙΟΥ ΣΤΗΝ ΑΘΗΝΑ ΤΟ ΠΡΩΙ",
        "οδος πανεπιστημιου στην αθηνα το πρωι",
        "Πρόεδρος Μακρόν στο Παρίσι σήμερα",
        "ΠΡΌΕΔΡΟΣ ΜΑΚΡΌΝ ΣΤΟ ΠΑΡΊΣΙ ΣΉΜΕΡΑ",
        "İSTANBUL'DA BÜYÜK KONSER BU AKŞAM",
        "istanbul'da büyük konser bu akşam",
        "Президент Макрон в Париже сегодня утром",
        "ПРЕЗИДЕНТ МАКРОН В ПАРИЖЕ СЕГОДНЯ УТРОМ",
        "Die Straße nach München ist GESPERRT worden",
        "DIE STRASSE NACH MÜNCHEN IST GESPERRT WORDEN",
    ]
    for settings_ in VARIANTS:
        for text in ("\n".join(lines), "\n".join(lines[2:4] + lines[6:])):
            pure, fast = both(settings_, text)
            assert (fast.text, fast.edits) == (pure.text, pure.edits)
    pure, _ = both(VARIANTS[0], "\n".join(lines[6:8]))
    assert pure.edits  # Cyrillic capitals fold to the same words: a real near repeat


@needs_accel
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=10).map("\n".join))
def test_same_result_on_arbitrary_text(text):
    pure, fast = both(VARIANTS[2], text)
    assert (fast.text, fast.edits) == (pure.text, pure.edits)


# ---- the literal automaton -----------------------------------------------------------------

LITERAL_CHARS = st.sampled_from([*"abcé ©\n:-_x", "ü", "ı", "€", "中", "\U0001f600", "\u2009", "\x1c"])
LITERALS = st.lists(st.text(LITERAL_CHARS, min_size=1, max_size=5), min_size=1, max_size=12)
HAYSTACK = st.text(LITERAL_CHARS, max_size=200)


def all_hits(index: LiteralIndex[int], text: str, limits: list[int] | None = None) -> tuple[list, list, list, list]:
    count = len(index.literals())
    limits = limits if limits is not None else [k % 4 - 1 for k in range(count)]
    bounds = [k % 4 for k in range(count)]
    return (
        sorted(index.hits(text)),
        [(line, sorted(payloads)) for line, payloads in index.line_hits(text)],
        sorted(index.word_spans(text)),
        sorted((line, sorted(payloads)) for line, payloads in index.short_line_hits(text, limits))
        + sorted((line, sorted(payloads)) for line, payloads in index.short_line_hits(text, limits, bounds=bounds)),
    )


@needs_accel
@settings(max_examples=400, deadline=None)
@given(LITERALS, HAYSTACK)
def test_literal_automaton_finds_what_pyahocorasick_finds(literals, text):
    items = [(literal, k) for k, literal in enumerate(literals)]
    fast = LiteralIndex(items, compiled=True)
    pure = LiteralIndex(items, compiled=False)
    fast_hits, fast_lines, fast_words, fast_short = all_hits(fast, text)
    pure_hits, pure_lines, pure_words, pure_short = all_hits(pure, text)
    assert fast_hits == pure_hits
    assert sorted(fast_lines) == sorted(pure_lines)
    assert fast_words == pure_words
    assert fast_short == pure_short
    for start, end, literal, _ in fast_hits:  # and every hit is a real occurrence
        assert text[start:end] == literal


@needs_accel
def test_literal_automaton_on_real_text():
    pages = [record["text"].lower() for record in read_jsonl(DATA / "trafilatura_pages.jsonl")]
    items = [(w, w) for w in ("cookie", "share", "newsletter", "©", "datenschutz", "à", "politique ", "mehr")]
    fast, pure = LiteralIndex(items, compiled=True), LiteralIndex(items, compiled=False)
    found = 0
    for page in pages:
        assert all_hits(fast, page) == all_hits(pure, page)
        found += len(list(fast.hits(page)))
    assert found > 50


def test_whole_pipelines_agree_with_the_accelerator_off():
    """`cleaner clean --jsonl` with CLEANER_NO_ACCEL=1 (pure Python) and without give the same bytes."""
    if repeats_module._accel is None:
        pytest.skip("the C accelerator is not built here: only the pure-Python path exists")
    source = DATA / "trafilatura_pages.jsonl"
    for rules in ("default", "web"):
        outputs = []
        for env_extra in ({"CLEANER_NO_ACCEL": "1"}, {}):
            env = {k: v for k, v in os.environ.items() if k != "CLEANER_NO_ACCEL"} | env_extra
            done = subprocess.run(
                [sys.executable, "-m", "cleaner.cli", "clean", "--jsonl", "--rules", rules, str(source)],
                capture_output=True,
                check=True,
                env=env,
            )
            outputs.append(done.stdout)
        assert outputs[0] == outputs[1], rules
        assert outputs[0] != source.read_bytes()


# ---- the unicode gate ----------------------------------------------------------------------

GATE_CHARS = st.sampled_from(
    [*"aé&#;x \t\nÃ©ö߀â€™Â", "\u00a0", "\u200b", "\ufb01", "\uff21", "\x1b", "\x85", "\ufffd", "\u2019", "\U0001f600"]
)
GATE_TEXT = st.text(GATE_CHARS, max_size=120) | st.text(max_size=80)


@needs_accel
@settings(max_examples=500, deadline=None)
@given(GATE_TEXT)
def test_unicode_gate_in_c_flags_every_line_python_flags_and_output_is_the_same(text):
    from cleaner.rule_schema import UnicodeSettings
    from cleaner.steps.unicode import UnicodeStep

    for unicode_settings in (UnicodeSettings(), UnicodeSettings(uncurl_quotes=True, odd_spaces=False)):
        pure = UnicodeStep(unicode_settings, compiled=False)
        fast = UnicodeStep(unicode_settings, compiled=True)
        lines = text.split("\n")
        assert set(pure._lines_to_fix(text, lines)) <= set(fast._lines_to_fix(text, lines))
        a, b = pure(Document(text=text)), fast(Document(text=text))
        assert (a.text, a.edits) == (b.text, b.edits)


@needs_accel
def test_unicode_gate_on_real_mojibake():
    from cleaner.rule_schema import UnicodeSettings
    from cleaner.steps.unicode import UnicodeStep

    pure = UnicodeStep(UnicodeSettings(), compiled=False)
    fast = UnicodeStep(UnicodeSettings(), compiled=True)
    fixed = 0
    for record in read_jsonl(corpus("ftfy_testcases.jsonl.gz")):
        a, b = pure(Document(text=record["text"])), fast(Document(text=record["text"]))
        assert (a.text, a.edits) == (b.text, b.edits), record["text"]
        fixed += a.text != record["text"]
    assert fixed > 50


# ---- whole-line literals -------------------------------------------------------------------

MENU_LINE = st.lists(
    st.sampled_from(["Home", "HOME", "Read", "more", "Straße", "STRASSE", "»", "|", "  ", "\t", "\u00a0", "\x0b", " "]),
    max_size=6,
).map("".join)


@needs_accel
@settings(max_examples=300, deadline=None)
@given(st.lists(MENU_LINE | st.text(max_size=20), max_size=12).map("\n".join))
def test_whole_line_literals_found_alike_in_c_and_python(text):
    from cleaner.steps import boilerplate

    rules = load_rules("default").lines
    scanner = boilerplate._Scanner(rules, 1.0, "boilerplate")
    lines = text.split("\n")
    fast = scanner.literal_lines(text)
    saved, boilerplate.accel = boilerplate.accel, None
    try:
        pure = scanner.literal_lines(text)
    finally:
        boilerplate.accel = saved
    assert fast == pure
    # The C lookup itself: ASCII keys are folded and found in C, the others handed back unfolded.
    wanted = ["home", "read more", ""]
    table = repeats_module._accel.WordTable({key: k + 1 for k, key in enumerate(wanted) if key})
    hits, numbers, joined = repeats_module._accel.literal_line_hits(text, 12, boilerplate.LINE_TRIM, table, 2)
    keys = {i: " ".join(line.strip(boilerplate.LINE_TRIM).split()) for i, line in enumerate(lines) if len(line) <= 12}
    rest = dict(zip(numbers, joined.split("\n") if numbers else [], strict=True))
    longest = max(map(len, wanted))  # longer keys cannot be one (casefold never shortens a text)
    assert set(rest) == {i for i, key in keys.items() if not key.isascii() and len(key) <= longest}
    assert all(rest[i] == keys[i] for i in rest)
    assert sorted(hits) == sorted((i, wanted.index(key.lower())) for i, key in keys.items() if key.lower() in wanted)


@needs_accel
@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(st.sampled_from([*"abé ©:xi", "ü", "σ", "ς", "ß", "\u0307", "\u2170"]), min_size=1, max_size=4),
        min_size=1,
    ),
    st.text(st.sampled_from([*"aAbBéÉ ©\n:-_xX", "Ü", "ü", "İ", "Σ", "σ", "ς", "ẞ", "ß", "\u2160"]), max_size=80),
)
def test_folding_automaton_matches_what_lowered_text_matches(literals, text):
    """Scanning with fold=True (C lower-cases as it reads) finds what scanning text.lower() finds."""
    items = [(literal, k) for k, literal in enumerate(literals)]
    fast, pure = LiteralIndex(items, compiled=True), LiteralIndex(items, compiled=False)
    lowered = text.lower()
    limits = [k % 4 - 1 for k in range(len(fast.literals()))]
    assert sorted(fast.line_hits(text, fold=True)) == sorted(pure.line_hits(lowered))
    assert sorted(fast.short_line_hits(text, limits, fold=True)) == sorted(pure.short_line_hits(lowered, limits))
    bounds = [k % 128 for k in range(len(limits))]
    assert sorted(fast.short_line_hits(text, limits, fold=True, bounds=bounds)) == sorted(
        pure.short_line_hits(lowered, limits, bounds=bounds)
    )
    if len(lowered) == len(text):
        assert sorted(fast.hits(text, fold=True)) == sorted(pure.hits(lowered))
        assert sorted(fast.word_spans_in(text) or []) == sorted(pure.word_spans(lowered))
    else:
        assert fast.word_spans_in(text) is None


# ---- literal bounds (cleaner.prefilter) ----------------------------------------------------

PACK_RULES = [
    rule
    for pack in ("default", "web")
    for rule in (*load_rules(pack).lines, *load_rules(pack).sections)
    if getattr(rule, "pattern", None)
]


def bounded_hit(rule, line: str) -> bool:
    """Whether the rule's bounded literals make `line` a candidate (what the boilerplate scanner asks)."""
    from cleaner.prefilter import required_literals_with_bounds

    needed = required_literals_with_bounds(rule.pattern)
    if not needed:
        return True  # no prefilter: the pattern always runs
    index = LiteralIndex(list(needed.items()), compiled=False)
    bounds = [needed[literal] for literal, _ in index.literals()]
    return any(True for _ in index.short_line_hits(line, [-1] * len(bounds), fold=True, bounds=bounds))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_bounded_literals_never_hide_a_line_a_rule_matches(data):
    """Soundness of the word bounds: wherever a shipped rule's pattern matches a line, one of its
    literals occurs there with its bounds. Lines are built from the rule's own literals and examples,
    glued to letters, digits, spaces and punctuation on either side."""
    from cleaner.prefilter import required_literals_with_bounds

    rule = data.draw(st.sampled_from(PACK_RULES))
    pieces = list(required_literals_with_bounds(rule.pattern) or {"x": 0})
    pieces += [example.text for example in (*rule.examples, *rule.keeps)]
    glue = st.sampled_from(["", " ", "s", "ed", "un", "1", "_", ":", "-", "»", "é", "\u00a0", "(", ")"])
    parts = data.draw(st.lists(st.tuples(glue, st.sampled_from(pieces), glue), min_size=1, max_size=3))
    line = " ".join(a + (p.upper() if len(p) % 2 else p) + b for a, p, b in parts)
    for candidate in [line, *line.split("\n")]:
        if rule.compiled.search(candidate):
            assert bounded_hit(rule, candidate), (rule.id, candidate)


def test_digit_prefilter_reads_the_pattern():
    from cleaner.prefilter import requires_digit

    page_numbers = next(rule for rule in PACK_RULES if rule.id == "web-page-numbers")
    assert requires_digit(page_numbers.pattern)
    assert requires_digit(r"[0-5]{2}:") and requires_digit(r"(\d|[0-9])x") and requires_digit(r"x(1|2)")
    assert not requires_digit(r"(a|\d)") and not requires_digit(r"\d?x") and not requires_digit(r"(?=\d)x")
    assert not requires_digit(r"^\W*(page|seite)\W*$") and not requires_digit(r"(?<name")  # unreadable: no filter


@given(
    st.text(st.sampled_from([*"ab 1", "\n", "٣", "²", "é", "\u00a0", "\U0001fbf0", "\U00011f50", "中"]), max_size=40),
    st.sampled_from([r"\d", r"\d+\s+\d+", r"(?i)^\W*\d+(\s+\d+)+\W*$"]),
)
def test_lines_the_digit_prefilter_skips_hold_no_match(text, pattern):
    """Soundness: wherever a pattern that needs a digit matches a line, may_hold_digit lets the line through
    (regex's \\d knows digits of newer Unicode than Python's tables: U+11F50 Kawi, U+1FBF0)."""
    import regex

    from cleaner.steps.boilerplate import may_hold_digit

    for line in text.split("\n"):
        if regex.search(pattern, line):
            assert may_hold_digit(line), line


@needs_accel
@given(
    st.lists(st.text(st.sampled_from([*"ab 12", "٣", "²", "é", "\u00a0", "\U00011f50", "中"]), max_size=8), max_size=8)
)
def test_digit_lines_in_c_are_pythons(lines):
    from cleaner.steps.boilerplate import _Scanner

    text = "\n".join(lines)
    numbers, joined = repeats_module._accel.short_lines(text, 6, True)
    assert (joined, numbers) == _Scanner._short_lines(text, lines or [""], 6, True)
    assert repeats_module._accel.short_lines(text, len(text) + 1, True) == tuple(
        reversed(_Scanner._short_lines(text, lines or [""], 0, True))
    )


def test_bounds_skip_literals_inside_longer_words():
    from cleaner.prefilter import (
        DIGIT_LEFT,
        DIGIT_RIGHT,
        LEFT,
        LINE_END,
        LINE_START,
        RIGHT,
        TWICE,
        required_literals_with_bounds,
    )

    assert required_literals_with_bounds(r"(?i)\bcookies\b") == {"cookies": LEFT | RIGHT}
    assert required_literals_with_bounds(r"(?i)^\W*share\W*$") == {"share": LEFT | RIGHT | LINE_START | LINE_END}
    assert required_literals_with_bounds(r"^(\W|x)*share$") == {"share": RIGHT | LINE_END}
    assert required_literals_with_bounds(r"\d{1,2}:\d\d") == {":": DIGIT_LEFT | DIGIT_RIGHT}
    assert required_literals_with_bounds(r"(\d|a):") == {":": 0}
    assert required_literals_with_bounds(r"^\W*((facebook|email)\W*){2,}$") == {"facebook": TWICE, "email": TWICE}
    assert required_literals_with_bounds(r"shares?") == {"share": 0}
    assert required_literals_with_bounds(r"\b(?:share)+\b") == {"share": 0}  # "shareshare"
    assert required_literals_with_bounds(r"share on \w+") == {"share on ": 0}
    share_follow = next(rule for rule in PACK_RULES if rule.id == "share-follow")
    assert not bounded_hit(share_follow, "The company sold its shares in the unit.")
    assert not bounded_hit(share_follow, "Net profit per share 1.20 dlrs")  # the whole line must be the button
    assert bounded_hit(share_follow, "Share")
    assert bounded_hit(share_follow, "» Share «")
    assert not bounded_hit(share_follow, "Email")  # one network name: share-button-single's line, not this rule's
    assert bounded_hit(share_follow, "Facebook | Email")


# ---- the pipeline's edges: line breaks, NUL, layout --------------------------------------------

EDGE_TEXT = st.lists(
    st.sampled_from(["a", "Bé", "  ", "\t", " \t ", "", "\x00", "x\x00", "\u3000", "\r", "\u2028", "中 "]), max_size=12
).map("\n".join) | st.text(st.sampled_from([*"a \t\n\x00\r", "\u2029", "\x85", "\u3000", "é"]), max_size=30)


@needs_accel
@settings(max_examples=500, deadline=None)
@given(EDGE_TEXT, st.integers(0, 3))
def test_layout_in_c_is_pythons(text, max_blank_lines):
    from cleaner.steps.layout import LayoutStep

    fast = LayoutStep(max_blank_lines, compiled=True)(Document(text=text)).text
    assert fast == LayoutStep(max_blank_lines, compiled=False)(Document(text=text)).text


@needs_accel
@given(EDGE_TEXT | st.text(max_size=40), st.data())
def test_lines_picked_and_replaced_in_place_as_split_and_join_do(text, data):
    fast = repeats_module._accel
    lines = text.split("\n")
    numbers = sorted(data.draw(st.sets(st.integers(0, len(lines) - 1), max_size=4)))
    assert fast.lines_at(text, numbers) == [lines[i] for i in numbers]
    new = {i: data.draw(st.sampled_from(["", "\x00", "x", "é中"])) for i in numbers}
    for i, value in new.items():
        lines[i] = value
    assert fast.replace_lines(text, new) == "\n".join(lines)


@needs_accel
@given(EDGE_TEXT, st.text(st.sampled_from([*"\r\x00\n a", "\u2028", "\u3000", "\U0001f600"]), max_size=6))
def test_found_chars_sees_what_in_sees(text, chars):
    found = repeats_module._accel.found_chars(text, chars)
    assert found == sum(1 << k for k, c in enumerate(chars) if c in text)


# ---- the web classifier's blocks -----------------------------------------------------------

BLOCK_LINES = st.sampled_from(
    ["Home", "  about us ", "and then it went on.", "continued here", "\x00", "", "  ", "Title:", "said “x”", "é"]
)


@needs_accel
@settings(max_examples=400, deadline=None)
@given(st.lists(BLOCK_LINES | st.text(max_size=12), max_size=15), st.booleans())
def test_paragraph_units_in_c_are_pythons(lines, removed_lines_count):
    from cleaner.steps.blocks import paragraph_units

    assert repeats_module._accel.paragraph_units(lines, removed_lines_count) == paragraph_units(
        lines, removed_lines_count
    )


def web_classifiers(**changes):
    """The `web` pack's classifier step with the C pass and without it (`changes`: settings to vary)."""
    from cleaner.steps.blocks import BlockClassifierStep

    base = load_rules("web").classifier
    assert base is not None
    settings = dataclasses.replace(base, **changes)
    return BlockClassifierStep(settings, compiled=True), BlockClassifierStep(settings, compiled=False)


def same_looks(fast, pure, lines: list[str]) -> int:
    """Assert that both see the page alike (classes, statistics, model features); its block count."""
    import numpy as np

    blocks = 0
    for removed_lines_count in (True, False):
        a, b = fast.analyse(lines, removed_lines_count), pure.analyse(lines, removed_lines_count)
        if b is None:
            assert a is None
            continue
        assert (a.first, a.final, a.heading, a.word_counts, a.densities) == (
            b.first,
            b.final,
            b.heading,
            b.word_counts,
            b.densities,
        )
        assert np.array_equal(a.text_columns, b.text_columns)
        assert np.array_equal(fast.features(a), pure.features(b))  # bit for bit: the same model verdicts
        blocks += len(a.first)
    return blocks


@needs_accel
def test_classifier_pass_in_c_is_pythons_on_real_pages():
    fast, pure = web_classifiers()
    assert fast._compiled_blocks and not pure._compiled_blocks
    pages = [record["text"] for record in read_jsonl(DATA / "trafilatura_pages.jsonl")]
    assert sum(same_looks(fast, pure, page.split("\n")) for page in pages) > 1000
    for page in pages:
        edits = fast(Document(text=page)).edits
        assert edits == pure(Document(text=page)).edits
        assert all(type(edit) is Edit for edit in edits)  # drop_blocks builds the NamedTuple, not bare tuples


@needs_accel
@given(
    st.integers(1, 3),
    st.sampled_from([1, 5, 8, 13, 16, 160]),
    st.integers(0, 2**32 - 1),
    st.sampled_from([(0.2, 0.4), (0.0, 1.0), (0.5, 0.5)]),
    st.booleans(),
)
def test_model_output_layer_in_c_is_pythons(rows, width, seed, thresholds, fallback):
    """model_verdicts sums the output layer in the order block_model.logits_of does, for any width
    (whole chunks of eight, a partial one, or less than one), with the same calls and probabilities."""
    import numpy as np

    from cleaner.steps.block_model import logit_of, logits_of, probabilities_of

    rng = np.random.default_rng(seed)
    hidden = (rng.normal(size=(rows, width)) * 3).astype(np.float32)
    bias, weights = (rng.normal(size=width).astype(np.float32) for _ in range(2))
    first, final = (bytes(rng.integers(0, 4, size=rows).tolist()) for _ in range(2))
    keep, rescue = (logit_of(t) for t in thresholds)
    classes, chances = repeats_module._accel.model_verdicts(
        hidden, bias, weights, 0.25, first, final, keep, rescue, fallback
    )
    logits = logits_of(hidden, bias, weights, 0.25)
    assert np.frombuffer(chances, dtype=np.float64).tolist() == probabilities_of(logits).tolist()
    expected = [
        0 if logit >= (keep if f == 0 else rescue) else 3 for logit, f in zip(logits.tolist(), final, strict=True)
    ]
    if fallback and 0 not in expected:
        expected = [0 if first[k] in (0, 1) else c for k, c in enumerate(expected)]
    assert list(classes) == expected


@needs_accel
@given(
    st.integers(0, 40),
    st.sampled_from([1, 5, 8, 13, 160]),
    st.integers(1, 70),
    st.integers(0, 2**32 - 1),
    st.floats(0.5, 20),
)
def test_context_model_input_in_c_is_pythons(rows, units, width, seed, spread):
    """context_rows computes the first model's logits as logits_of does and their context features as
    block_model.context_features does, digit for digit, for pages of any length (none, one block,
    fewer blocks than the neighbours it reads, more than its windows)."""
    import numpy as np

    from cleaner.steps.block_model import context_features, logits_of

    rng = np.random.default_rng(seed)
    hidden = (rng.normal(size=(rows, units)) * spread).astype(np.float32)
    bias, weights = (rng.normal(size=units).astype(np.float32) for _ in range(2))
    features = rng.normal(size=(rows, width))
    raw = repeats_module._accel.context_rows(hidden, bias, weights, -0.5, features, width)
    expected = np.hstack([features, context_features(logits_of(hidden, bias, weights, -0.5))])
    assert np.frombuffer(raw, dtype=np.float64).reshape(expected.shape).tolist() == expected.tolist()


@needs_accel
def test_context_rows_refuses_arguments_that_do_not_fit():
    import numpy as np

    context_rows = repeats_module._accel.context_rows
    hidden, vector = np.zeros((3, 8), dtype=np.float32), np.zeros(8, dtype=np.float32)
    with pytest.raises(ValueError, match="different sizes"):
        context_rows(hidden, vector, vector, 0.0, np.zeros((2, 4)), 4)  # 3 hidden rows, 2 feature rows
    with pytest.raises(ValueError, match="different sizes"):
        context_rows(hidden, vector, vector[:4], 0.0, np.zeros((3, 4)), 4)
    with pytest.raises(ValueError, match="different sizes"):
        context_rows(hidden, vector, vector, 0.0, np.zeros((3, 4)), 0)


@needs_accel
def test_classifier_in_c_takes_numpys_log_beyond_its_table():
    """block_pass looks numpy's log1p up for counts under 65,536; a longer block (or more good text
    nearby) sends the whole look to numpy, with the same verdicts and notes."""
    fast, pure = web_classifiers()
    prose = "The council said on Tuesday that the bridge would be finished by the end of the year, as planned. "
    page = "\n".join(["Home", "News", prose * 700, "Contact", prose * 3, "Privacy"])
    assert len(prose * 700) > 1 << 16
    same_looks(fast, pure, page.split("\n"))
    assert fast(Document(text=page)).edits == pure(Document(text=page)).edits


@needs_accel
def test_classifier_statistics_kept_in_c_survive_a_full_store(monkeypatch):
    """gather_rows reads the rows kept per block text; when the store is full it starts again, and a page
    with more new blocks than the store holds still gets every row right."""
    import cleaner.steps.blocks as blocks

    pages = [record["text"] for record in read_jsonl(DATA / "trafilatura_pages.jsonl")][:6]
    fast, pure = web_classifiers()
    expected = [pure(Document(text=page)).edits for page in pages]
    monkeypatch.setattr(blocks, "STATS_CACHE_SIZE", 40)
    fast, _ = web_classifiers()
    assert [fast(Document(text=page)).edits for page in pages] == expected
    assert 0 < len(fast._stats_cache) <= max(40, max(len(page.split("\n")) for page in pages))


@needs_accel
@given(
    st.lists(st.text(st.sampled_from([*"ab 1\t", "é", "中", "\U0001f600"]), max_size=8), max_size=8), st.integers(1, 6)
)
def test_short_lines_in_c_are_pythons(lines, limit):
    """The lines a boilerplate rule without literals is scanned over (its max_chars; 0: every line)."""
    from cleaner.steps.boilerplate import _Scanner

    text = "\n".join(lines)
    kept = [i for i, line in enumerate(lines or [""]) if len(line) <= limit]
    joined = "\n".join((lines or [""])[i] for i in kept)
    assert repeats_module._accel.short_lines(text, limit) == (kept, joined)
    assert _Scanner._short_lines(text, None, limit) == (joined, kept)
    assert _Scanner._short_lines(text, None, 0) == (text, list(range(len(lines or [""]))))


@needs_accel
@given(
    st.dictionaries(st.text(min_size=0, max_size=6), st.integers(0, (1 << 62) - 1), max_size=40),
    st.lists(st.text(max_size=6), max_size=20),
)
def test_stopword_table_answers_as_the_dict(masks, probes):
    table = repeats_module._accel.WordTable(masks)
    for word in [*masks, *probes]:
        assert table.get(word) == (masks.get(word, 0) if word else 0)


PAGE_LINES = st.sampled_from(
    [
        "Home",
        "Contact us",
        "Share on Facebook | Twitter",
        "© 2024 Example Media. All rights reserved.",
        "Copyright (c) the authors &copy;",
        "Posted by Anna Smith",
        "The council said on Tuesday that the bridge would be finished by the end of the year, and that the "
        "costs, which had risen by a third, would be met from the city's own budget.",
        "Die Arbeiten an der neuen Brücke sollen im Frühjahr beginnen, obwohl die Kosten gestiegen sind und viele "
        "Bürger dagegen protestiert haben.",
        "and it was the best of them all.",
        "Read more: http://example.com/x",
        "Ergebnisse der Wahl",
        "İstanbul ΣΟΦΙΑ news",
        "1",
        "\x00",
        "",
    ]
)


@needs_accel
@settings(max_examples=300, deadline=None)
@given(
    st.lists(PAGE_LINES | st.text(max_size=40).map(lambda line: line.replace("\n", " ")), max_size=30),
    st.sampled_from(
        [
            {},
            {"neargood_run_chars": 0},
            {"model": None},
            {"length_low": 10, "max_heading_distance": 0},
            {"region_gap": 2, "region_ratio": 0.5},
        ]
    ),
)
def test_classifier_pass_in_c_is_pythons_on_generated_pages(lines, changes):
    fast, pure = web_classifiers(**changes)
    same_looks(fast, pure, lines)
    page = "\n".join(lines)
    assert fast(Document(text=page)).edits == pure(Document(text=page)).edits


def test_huge_literal_sets_use_the_sparse_automaton(monkeypatch):
    """A literal list whose dense C table would pass DENSE_TABLE_LIMIT uses pyahocorasick, with the same hits."""
    import cleaner.literals as literals

    items = [(word, k) for k, word in enumerate(["uears", "recieve", "teh", "adress", "wich"])]
    monkeypatch.setattr(literals, "DENSE_TABLE_LIMIT", 100)
    sparse = LiteralIndex(items)
    assert sparse._compiled is None and sparse._automaton is not None
    monkeypatch.setattr(literals, "DENSE_TABLE_LIMIT", 64 << 20)
    dense = LiteralIndex(items)
    text = "we recieve teh letter at this adress, wich took uears"
    assert sorted(sparse.hits(text)) == sorted(dense.hits(text)) and len(list(dense.hits(text))) == 5


def lexicon_of(words: list[str], seed: int, first_words: int):
    """A Lexicon over `words` with random weights (what the trainer writes, without the training)."""
    import numpy as np

    from cleaner.steps.block_model import Lexicon

    rng = np.random.default_rng(seed)
    return Lexicon(tuple(words), rng.normal(size=(len(words), 3)).round(4), first_words, float(rng.normal()))


LEXICON_WORDS = st.text(st.sampled_from([*"abcé", "中", "ß"]), min_size=1, max_size=3)


@needs_accel
@settings(max_examples=200)
@given(
    st.lists(LEXICON_WORDS, unique=True, max_size=12),
    st.lists(st.text(st.sampled_from([*"abcAB é中ß.,-_1", "İ", "Σ", "\U0001f600"]), max_size=30), max_size=8),
    st.integers(0, 5),
    st.integers(0, 2**32 - 1),
)
def test_lexical_scores_in_c_are_pythons(words, texts, first_words, seed):
    """block_text_stats' lexical column is Lexicon.scores digit for digit: the same words (\\w+ runs of the
    lower-cased text), the same weights added in the same order, the same division."""
    import re

    import numpy as np

    from cleaner.steps.block_model import TEXT_COLUMNS, char_table_bytes

    lexicon = lexicon_of(words, seed, first_words)
    accel = repeats_module._accel
    table = accel.WordTable(lexicon.entries)
    raw = accel.block_text_stats(
        texts, accel.WordTable({}), 0, char_table_bytes(), table, lexicon.weight_bytes, first_words, lexicon.bias
    )
    expected = lexicon.scores([re.findall(r"\w+", text.lower()) for text in texts])
    if raw is None:  # İ or Σ: lower-casing left to Python
        assert any(c in text for text in texts for c in "İΣ")
        return
    width = 1 + 0 + len(TEXT_COLUMNS) + 1
    assert np.frombuffer(raw, dtype=np.float64).reshape(len(texts), width)[:, -1].tolist() == expected.tolist()


@needs_accel
def test_a_lexicon_the_weights_do_not_cover_is_refused():
    from cleaner.steps.block_model import char_table_bytes

    accel = repeats_module._accel
    stop, table = accel.WordTable({}), char_table_bytes()
    with pytest.raises(ValueError, match="3 float64 weights per entry"):
        accel.block_text_stats(["a b"], stop, 0, table, accel.WordTable({"a": 1, "b": 2}), bytes(8 * 3), 4, 0.0)
    with pytest.raises(ValueError, match="entries >= 0"):
        accel.block_text_stats(["a"], stop, 0, table, accel.WordTable({"a": -1}), bytes(8 * 3), 4, 0.0)


@needs_accel
def test_classifier_with_a_lexicon_in_c_is_pythons_on_real_pages():
    """A model with a lexicon: the C pass scores the blocks' words as Python does, so both classifiers
    see the same features and drop the same lines."""
    fast, pure = web_classifiers()
    assert fast.model is not None
    pages = [record["text"] for record in read_jsonl(DATA / "trafilatura_pages.jsonl")]
    words = sorted({w for page in pages[:5] for w in page.lower().split() if w.isalpha()})[:3000]
    model = with_lexicon(fast.model, lexicon_of(words, 7, 12), weight=0.5)
    fast.model = pure.model = model
    assert sum(same_looks(fast, pure, page.split("\n")) for page in pages) > 1000
    assert all(fast(Document(text=page)).edits == pure(Document(text=page)).edits for page in pages)


@needs_accel
def test_classifier_with_a_context_model_in_c_is_pythons_on_real_pages():
    """A model with a context model: both classifiers feed it the first model's logits and make the same calls."""
    fast, pure = web_classifiers()
    assert fast.model is not None
    pages = [record["text"] for record in read_jsonl(DATA / "trafilatura_pages.jsonl")]
    fast.model = pure.model = with_context(fast.model, weight=1.0, seed=3)
    assert all(fast(Document(text=page)).edits == pure(Document(text=page)).edits for page in pages)
