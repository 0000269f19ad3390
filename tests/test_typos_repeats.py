"""Typo maps and repeat collapsing, on real text, plus MinHash compatibility with datasketch."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from cleaner.dedup import minhash
from cleaner.document import Document
from cleaner.rule_schema import RepeatSettings, TypoMap
from cleaner.steps.layout import LayoutStep
from cleaner.steps.repeats import RepeatStep
from cleaner.steps.typos import TypoStep, match_case

TYPOS = TypoStep([TypoMap("t", "d", (), (), "x", mapping=(("uears", "years"), ("teh", "the")))])


def test_typo_map_preserves_case_and_whole_words():
    doc = TYPOS(Document(text="60 uears. Uears ago, UEARS.\nteh tehran uearsx"))
    assert doc.text == "60 years. Years ago, YEARS.\nthe tehran uearsx"
    assert [(e.line, e.before, e.after) for e in doc.edits] == [
        (1, "uears", "years"),
        (1, "Uears", "Years"),
        (1, "UEARS", "YEARS"),
        (2, "teh", "the"),
    ]


def test_match_case():
    assert match_case("Teh", "teh", "the") == "The"
    assert match_case("teh", "teh", "the") == "the"


def repeats(**kw):
    settings = RepeatSettings("repeats", "d", (), (), "x", **kw)
    step, layout = RepeatStep(settings), LayoutStep()
    return lambda text: layout(step(Document(text=text)))


def test_exact_and_near_repeat_captions_keep_first_place():
    run = repeats()
    text = (
        "Moon dust was gifted to French President Emmanuel Macron. /CGTN\n"
        "Moon dust was gifted to French President Emmanuel Macron. /CGTN\n\n"
        "Dust from the Moon can help us understand our own planet's history.\n\n"
        "Moon dust was gifted to French President Emmanuel Macron. Photo: CGTN"
    )
    doc = run(text)
    assert doc.text == (
        "Moon dust was gifted to French President Emmanuel Macron. /CGTN\n\n"
        "Dust from the Moon can help us understand our own planet's history."
    )
    notes = [e.note for e in doc.edits]
    assert notes[0] == "repeat of line 1"
    assert notes[1].startswith("near repeat of line 1")


def test_lines_of_a_hard_wrapped_paragraph_are_never_near_repeats():
    """Two fragments of wrapped prose can share most of their words; dropping one would cut a sentence
    in half (the first version did this to about 60 Reuters stories). A line starting in lower case
    continues such prose; captions still go (above)."""
    paragraph = (
        "The analysts said that the\n"
        "company would cut costs by ten pct in the\n"
        "first year, and that the\n"
        "company would cut costs by ten pct in each\n"
        "year after, the report said."
    )
    assert repeats()(paragraph).text == paragraph
    assert repeats(near_wrapped=True)(paragraph).text != paragraph  # the old behaviour, still available


def test_a_short_copy_goes_with_its_first_line_so_cleaning_twice_changes_nothing():
    """A line of few words is never an exact repeat ("Yes." twice stays), but it counts for near repeats
    by its words; when its first copy went as a near repeat, the second copy used to stay and a second
    run, with the first gone, removed it (table headers in Reuters, comment titles on web pages)."""
    run = repeats()
    title = "Re:BEHOLD! (Score:5, Insightful)"
    text = f"BEHOLD! (Score:5, Insightful)\n{title}\nmore text\n{title}"
    once = run(text)
    assert once.text == "BEHOLD! (Score:5, Insightful)\nmore text"
    assert run(once.text).text == once.text


def test_table_rows_of_few_distinct_words_are_not_near_repeats():
    """A real Reuters table (Argentine grain shipments): the word sets of these two rows are both
    {soybean, nil}, so their Jaccard is 1.0, yet the second row is other data. A line needs
    `min_words` distinct words to be a near repeat; before, the second row was dropped."""
    text = (
        "    Soybean                nil        nil        nil\n"
        "    Sunflowerseed        1,800     18,800        nil\n"
        "    Cumulative figures for April 1 and this calendar year, with\n"
        "    Soybean             nil    (nil),        nil       (nil)"
    )
    assert repeats()(text).text == text


def test_short_lines_and_distinct_sentences_are_kept():
    run = repeats()
    text = "Yes.\nYes.\nReuter\nReuter\nShares rose 5 pct on Monday.\nShares fell 3 pct on Tuesday."
    assert run(text).text == text


def test_signatures_equal_datasketch_minhash():
    tokens = [["moon", "dust", "gift"], ["france", "china", "space", "ties", "moon"]]
    lengths = np.array([len(t) for t in tokens])
    flat = [w for t in tokens for w in t]
    hashes = minhash.hash_tokens(flat)
    sigs = minhash.signatures(hashes, lengths, 128, seed=7)
    import xxhash

    for row, words in zip(sigs, tokens, strict=False):
        m = MinHash(num_perm=128, seed=7, hashfunc=lambda b: xxhash.xxh32_intdigest(b))
        m.update_batch([w.encode() for w in words])
        assert np.array_equal(row, m.hashvalues)


def test_lsh_bands_match_datasketch():
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=0.8, num_perm=64)
    assert minhash.lsh_bands(0.8, 64) == (lsh.b, lsh.r)
