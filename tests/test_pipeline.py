"""The library API: Result, clean_many streaming, as_map_fn, cheap import, drops with reasons."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, SAMPLES

from cleaner import Document, Pipeline


def test_result_statuses(default_pipeline):
    kept = default_pipeline.clean("A plain sentence with nothing to clean.")
    changed = default_pipeline.clean("A plain sentence.\nAdvertisement")
    dropped = default_pipeline.clean("Advertisement\nI agree\n02:37")
    assert (kept.status, changed.status, dropped.status) == ("kept", "changed", "dropped")
    assert dropped.dropped and dropped.rule == "empty" and "nothing readable" in dropped.reason
    assert dropped.text == ""


def test_clean_many_streams_lazily_in_order(default_pipeline):
    consumed = []

    def source():
        for i in range(3):
            consumed.append(i)
            yield Document(text=f"Sentence number {i} is here.\nShare", id=str(i))

    stream = default_pipeline.clean_many(source())
    first = next(stream)
    assert consumed == [0] and first.id == "0" and first.text == "Sentence number 0 is here."
    assert [r.id for r in stream] == ["1", "2"]


def test_as_map_fn_for_records_strings_and_batches(default_pipeline):
    fn = default_pipeline.as_map_fn("text")
    assert fn({"text": "Hi there, friend.\nRead more", "n": 1}) == {"text": "Hi there, friend.", "n": 1}
    assert fn("Hi there, friend.\nRead more") == "Hi there, friend."
    batch = fn({"text": ["One line here.\nShare", "Advertisement"], "n": [1, 2]})
    assert batch == {"text": ["One line here.", ""], "n": [1, 2]}
    flagged = default_pipeline.as_map_fn("text", add_fields=True)({"text": "Advertisement"})
    assert flagged["cleaner_status"] == "dropped" and flagged["cleaner_reason"]


def test_pandas_style_series_map(default_pipeline):
    fn = default_pipeline.as_map_fn()
    texts = ["Real text stays.\nSkip to content", "Another real sentence."]
    assert list(map(fn, texts)) == ["Real text stays.", "Another real sentence."]


def test_timings_are_collected_per_step():
    pipe = Pipeline.from_rules("default")
    pipe.clean((SAMPLES / "cgtn_moon_dust.txt").read_text())
    assert {"unicode", "boilerplate", "typos", "repeats", "layout"} <= set(pipe.seconds_by_step)


def test_importing_cleaner_is_cheap():
    code = (
        "import sys, cleaner; heavy = [m for m in ('ftfy', 'numpy', 'datasketch', 'regex', 'typer') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_crlf_and_cr_line_endings_are_normalised(default_pipeline):
    assert (
        default_pipeline.clean("First line here.\r\nAdvertisement\r\nLast line here.").text
        == "First line here.\nLast line here."
    )


def test_removed_lines_leave_no_holes(default_pipeline):
    text = "Heading of the page\nMenu\nBody text goes here.\n\n\n\nAdvertisement\n\nMore body text here."
    assert default_pipeline.clean(text).text == "Heading of the page\nBody text goes here.\n\nMore body text here."


def test_line_rules_leave_the_wrapped_end_of_a_sentence_alone():
    """Hard-wrapped newswire puts the last word of a sentence on a line of its own: 'share.' is not a
    share button, 'comment.' no comment prompt. A real button ('Share') still goes."""
    pipe = Pipeline.from_rules("default")
    text = "Last year the company earned 5.28 dlrs a\nshare.\nAnalysts declined to\ncomment.\nShare"
    assert pipe.clean(text).text == "Last year the company earned 5.28 dlrs a\nshare.\nAnalysts declined to\ncomment."
