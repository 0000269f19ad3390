"""Unicode step: ftfy where needed, and a gate that never skips a line ftfy would change."""

from __future__ import annotations

import unicodedata

import ftfy
from conftest import corpus, read_jsonl
from ftfy.fixes import uncurl_quotes
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Document
from cleaner.rule_schema import UnicodeSettings
from cleaner.steps.unicode import UnicodeStep

STEP = UnicodeStep(UnicodeSettings())


def gate_skips(line: str) -> bool:
    return not STEP.ftfy_may_change(line)


def comparable(text: str) -> str:
    """Our defaults keep curly quotes and turn NBSP into a space; ftfy's gold uncurls and keeps NBSP."""
    return uncurl_quotes(text).replace("\u00a0", " ").rstrip()


def test_real_mojibake_cases_are_fixed_and_negatives_untouched():
    fixed = total = 0
    for rec in read_jsonl(corpus("ftfy_testcases.jsonl.gz")):
        if rec["expect"] != "pass":
            continue
        got = STEP(Document(text=rec["text"])).text
        if rec["category"] == "negative":
            assert got == rec["text"].rstrip(" \t").replace("\u00a0", " ") or got == rec["gold"], rec["label"]
        else:
            total += 1
            fixed += comparable(got) == comparable(rec["gold"])
    assert total > 50 and fixed / total > 0.9


def test_gate_never_skips_a_line_ftfy_would_change_on_real_web_text():
    checked = 0
    for rec in read_jsonl(corpus("web_pages.jsonl.gz"), limit=300):
        for line in rec["text"].split("\n"):
            if gate_skips(line):
                checked += 1
                assert ftfy.fix_text(line, STEP._ftfy_config) == line, line
    assert checked > 1000


MOJIBAKE_ALPHABET = st.sampled_from(
    [*list("aé ÃÂâ€™œ\xa0\u200bﬁＡÐ\x1b&<;\x85é̀"), "Ã©", "â€™", "&amp;", "&#39;", "&#x27;", "&AMP;", "AT&T", "&nbsp"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MOJIBAKE_ALPHABET, max_size=30).map("".join) | st.text(max_size=60))
def test_gate_is_exact_against_ftfy(line):
    line = line.replace("\n", " ").replace("\r", " ")
    if gate_skips(line):
        assert ftfy.fix_text(line, STEP._ftfy_config) == line


def test_odd_spaces_zero_width_and_trailing_spaces_are_recorded():
    doc = STEP(Document(text="France and China\u00a0have\u200b ties.   \nok"))
    assert doc.text == "France and China have ties.\nok"
    assert [e.rule for e in doc.edits] == ["odd-spaces", "zero-width", "trailing-space"]
    assert all(e.line == 1 for e in doc.edits)


def test_mojibake_line_is_fixed_with_its_line_number():
    doc = STEP(Document(text="fine\nThe cafÃ© is open.\n"))
    assert doc.text == "fine\nThe café is open.\n"
    assert doc.edits[0].rule == "ftfy" and doc.edits[0].line == 2


def test_curly_quotes_are_kept_by_default():
    text = "“Quoted,” she said — it’s fine."
    assert STEP(Document(text=text)).text == text


# ---- cleaner.badness: ftfy's is_bad, searched in windows --------------------------------------

BADNESS_CHARS = sorted(
    set(ftfy.badness.BADNESS_RE.pattern) - set("[]{}|\\ \n()?^.")
    | set("aZz.,?! \t\u00a0\u00ad°²³ÂÃÎÐØÙàâäöüßéÉÀÖ€œŠšŸž®©·»«–—´‚Ä√≈±∂†вЂВГРСΒΓΞΟβ€™ā")
)


@settings(max_examples=600, deadline=None)
@given(st.text(st.sampled_from(BADNESS_CHARS), max_size=40) | st.text(max_size=40))
def test_windowed_badness_answers_as_ftfy(text):
    from cleaner import badness

    assert badness.is_bad(text) == ftfy.badness.is_bad(text)


def test_windowed_badness_on_real_lines_and_mojibake():
    from cleaner import badness

    assert badness.is_bad is not ftfy.badness.is_bad  # the windowed test is in use with this ftfy
    # BADNESS_RE's longest branches (7 and 4 characters), in ASCII context
    for text in ["abcГўВЂВ.a", "ГўВЂВ.a", "x ØŸØŸ y", "ØŸ ØŸ", "it ‚Äî is", "ok Ã\xa0 la"]:
        assert badness.is_bad(text) == ftfy.badness.is_bad(text), text
    lines = [case["text"] for case in read_jsonl(corpus("ftfy_testcases.jsonl.gz"))]
    for rec in read_jsonl(corpus("web_pages.jsonl.gz"), limit=400):
        lines += rec["text"].split("\n")
    bad = 0
    for line in lines:
        expected = ftfy.badness.is_bad(line)
        assert badness.is_bad(line) == expected, line
        bad += expected
    assert bad > 50


def test_windows_are_refused_where_a_pattern_could_match_differently_in_a_window():
    import re

    from cleaner.badness import window_test

    assert window_test(re.compile("[é][a-z]$")) is None  # the end of a window is not the end of the text
    assert window_test(re.compile("(?=é)é")) is None
    assert window_test(re.compile("é+[a-z]")) is None  # no bound on a match's length
    assert window_test(re.compile("[é]|[a-z]")) is None  # a branch with no non-ASCII key
    test = window_test(re.compile("x[é]y|^[ü] "))
    assert test is not None
    assert test("ax" + "b" * 50 + "xéy") and not test("xé y") and test("ü z") and not test("a ü z")


NFC_ALPHABET = st.sampled_from(
    [
        *"aeAEoOnNkK ",
        "é",
        "e\u0301",
        "\u0301",
        "\u0327",
        "\u0305",
        "\u0316",
        "\u1100",
        "\u1161",
        "\u11a8",
        "\uac00",
        "\u2126",
        "\u212b",
        "\u212a",
        "\uf900",
        "\u0b47",
        "\u0b3e",
        "\u0958",
        "\u0344",
        "\u00c5",
        "\u1e9b\u0323",
        "\U0001f600",
        "\U0001d165",
        "\U0001d15e",
        "\u3099",
        "\u304b",
        "\u0626",
        "\u0654",
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(NFC_ALPHABET, max_size=12).map("".join))
def test_text_the_gate_finds_no_nfc_character_in_is_nfc(text):
    """The C gate skips unicodedata.is_normalized only for text that is in NFC."""
    if STEP._gate is None:
        return
    # Each of these is not in NFC; each has a different reason (pair seconds, jamo, singletons, marks).
    for tricky in ["\u0b47\u0b3e", "\u1100\u1161", "\uac00\u11a8", "\u2126", "e\u0301", "a\u0316\u0301", "\uf900"]:
        assert STEP._gate.scan(tricky)[1], ascii(tricky)
    _, nfc = STEP._gate.scan(text)
    if not nfc:
        assert unicodedata.is_normalized("NFC", text), ascii(text)
    fixed = STEP(Document(text=text)).text
    assert unicodedata.is_normalized("NFC", fixed.rstrip())


def test_fullwidth_punctuation_of_chinese_text_is_kept_unless_nfkc_is_asked_for():
    """Fullwidth forms are Chinese and Japanese text's own punctuation: ftfy's width fix would turn
    "，" into "," mid-sentence, so it is off; normalization = "NFKC" folds them where that is wanted."""
    line = "一个约定，信守１５年（保定市）。ＡＢＣ"
    kept = UnicodeStep(UnicodeSettings())(Document(text=line))
    assert kept.text == line and not kept.edits
    folded = UnicodeStep(UnicodeSettings(normalization="NFKC"))(Document(text=line))
    assert folded.text == "一个约定,信守15年(保定市)。ABC"
    widened = UnicodeStep(UnicodeSettings(fix_character_width=True))(Document(text=line))
    assert widened.text == "一个约定,信守15年(保定市)。ABC"
