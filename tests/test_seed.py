"""The seed example: a real CGTN article must come out exactly as the user wants it."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, SAMPLES


def test_library_cleans_seed_to_expected_text(default_pipeline):
    raw = (SAMPLES / "cgtn_moon_dust.txt").read_text(encoding="utf-8")
    expected = (SAMPLES / "cgtn_moon_dust.expected.txt").read_text(encoding="utf-8")
    result = default_pipeline.clean(raw)
    assert result.text + "\n" == expected
    assert not result.dropped
    rules = {e.rule for e in result.edits}
    assert {
        "cookie-consent",
        "consent-button",
        "lone-timestamp",
        "newsletter-prompt",
        "related-links-heading",
        "typos-en-common",
        "repeats",
        "odd-spaces",
    } <= rules


def test_cli_prints_seed_expected_bytes():
    out = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "clean", "samples/cgtn_moon_dust.txt"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    assert out.stdout == (SAMPLES / "cgtn_moon_dust.expected.txt").read_bytes()
    assert out.stderr == b""


def test_seed_edits_name_original_line_numbers(default_pipeline):
    raw = (SAMPLES / "cgtn_moon_dust.txt").read_text(encoding="utf-8")
    lines = raw.split("\n")
    for edit in default_pipeline.clean(raw).edits:
        assert edit.line is not None
        if edit.step in ("boilerplate", "repeats"):
            assert lines[edit.line - 1].replace("uears", "years") == edit.before
