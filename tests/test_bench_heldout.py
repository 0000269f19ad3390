"""The held-out tooling (bench/train_classifier.py's site folds, bench/heldout_errors.py) on the 20 real test
pages: the figures and error lists in BENCHMARKS.md rest on it, so a fold must never split a site, and a
snippet the pipeline gets wrong must be traced to the edit that removed its line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_quality import norm  # noqa: E402
from heldout_errors import cause, fates, snippet_lines  # noqa: E402
from train_classifier import site_folds, site_of  # noqa: E402

from cleaner import Pipeline  # noqa: E402
from cleaner.document import Document  # noqa: E402
from cleaner.textin import normalize_newlines  # noqa: E402

PAGES = [json.loads(line) for line in (ROOT / "tests" / "data" / "trafilatura_pages.jsonl").read_text().splitlines()]


def test_site_folds_keep_each_site_whole_and_are_repeatable():
    # the same site twice, under two page ids, as a corpus with several pages per site has it
    records = [*PAGES, {**PAGES[0], "id": "another page of the first site"}]
    folds = site_folds(records, 3)
    assert folds == site_folds(records, 3)
    by_site: dict[str, set[int]] = {}
    for record, fold in zip(records, folds, strict=True):
        by_site.setdefault(site_of(record), set()).add(fold)
    assert all(len(seen) == 1 for seen in by_site.values())
    assert len(set(folds)) > 1  # 20 sites do not all land in one fold


def test_site_of_falls_back_to_the_id_without_a_url():
    assert site_of({"id": "page-7", "url": None}) == "page-7"
    assert site_of({"id": "x", "url": "https://www.example.org/a/b"}) == "www.example.org"


@pytest.fixture(scope="module")
def cleaned() -> list[tuple[dict, list[str], list[str], str, dict]]:
    """Per page: the record, its lines as heldout_errors numbers them, the same lines after the unicode step
    (what an edit's `before` holds), the output and the edit that removed each line."""
    pipe = Pipeline.from_rules("web")
    unicode_step = pipe.steps[0]
    assert unicode_step.name == "unicode"
    out = []
    for page in PAGES:
        result = pipe.clean(page["text"])
        lines = normalize_newlines(page["text"]).split("\n")
        fixed = unicode_step(Document(text="\n".join(lines))).text.split("\n")
        assert len(fixed) == len(lines)
        out.append((page, lines, fixed, result.text, fates(result.edits)))
    return out


def test_every_removed_line_is_traced_to_its_edit(cleaned):
    checked = 0
    for _page, lines, fixed, output, removed in cleaned:
        for i, edit in removed.items():
            assert edit.before == fixed[i]  # the edit names the very line it removed
            assert edit.after == ""
            checked += 1
        # the output holds at most the lines no edit removed
        assert len(output.split("\n")) <= len(lines) - len(removed) or output == ""
    assert checked > 500


def test_a_removed_snippet_is_traced_to_the_step_that_removed_it(cleaned):
    traced = 0
    for page, lines, _fixed, output, removed in cleaned:
        for snippet in map(norm, page.get("must_remove") or []):
            if snippet not in norm(page["text"]) or snippet in norm(output):
                continue
            at = snippet_lines(lines, snippet)
            assert at, snippet
            found = cause(at, removed)
            assert found in {"classifier, first look", "classifier, later look"} or found in {
                e.step for e in removed.values()
            }
            traced += 1
    assert traced >= 30  # most of the 51 must-remove snippets go
