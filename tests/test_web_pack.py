"""The web pack on real pages: must-keep snippets survive, most must-remove snippets go; default stays safe."""

from __future__ import annotations

import json

import pytest
from conftest import DATA

from cleaner import Pipeline

PAGES = [json.loads(line) for line in (DATA / "trafilatura_pages.jsonl").read_text(encoding="utf-8").splitlines()]


def norm(text: str) -> str:
    return " ".join(text.split())


def shares(pipe: Pipeline) -> tuple[float, float]:
    kept = keep_total = removed = remove_total = 0
    for page in PAGES:
        src, out = norm(page["text"]), norm(pipe.clean(page["text"]).text)
        for snip in page["must_keep"]:
            if norm(snip) in src:
                keep_total += 1
                kept += norm(snip) in out
        for snip in page["must_remove"]:
            if norm(snip) in src:
                remove_total += 1
                removed += norm(snip) not in out
    return kept / keep_total, removed / remove_total


@pytest.fixture(scope="module")
def web():
    return Pipeline.from_rules("web")


def test_web_pack_keeps_content_and_removes_boilerplate_on_real_pages(web):
    keep, remove = shares(web)
    # A regression guard at today's level: measured 0.833 kept and 0.686 removed on these 20 pages
    # (full dev set: 0.865 / 0.718, BENCHMARKS.md). The targets (0.95 / 0.85) are not met yet.
    assert keep >= 0.80
    assert remove >= 0.65


def test_default_pack_is_conservative_on_real_pages():
    keep, remove = shares(Pipeline.from_rules("default"))
    assert keep >= 0.99
    assert remove > 0


def test_web_pack_keeps_german_and_french_prose(web):
    german = (
        "Die Gemeinde hat am Dienstag beschlossen, dass die Arbeiten an der neuen Brücke im Frühjahr beginnen "
        "sollen, obwohl die Kosten in den letzten Monaten deutlich gestiegen sind und viele Bürger dagegen "
        "protestiert haben."
    )
    french = (
        "Le conseil municipal a décidé mardi que les travaux du nouveau pont commenceraient au printemps, même si "
        "les coûts ont fortement augmenté ces derniers mois et que de nombreux habitants s'y sont opposés."
    )
    page = "\n".join(
        ["Startseite", "Impressum", "Suche", german, "Teilen", "Kommentare", "Accueil", french, "Partager"]
    )
    assert web.clean(page).text == f"{german}\n{french}"


def test_heading_and_byline_before_an_article_are_kept(web):
    article = (
        "Students of history will almost certainly be familiar with the seven deadly sins, the list of human "
        "vices that are, purportedly, the source for much of humanity's evil, and with the long debates about "
        "which of them does the most harm."
    )
    page = "\n".join(
        [
            "Blog",
            "About",
            "Books",
            "The Dangerous Hubris of the Startup World",
            "by randfish on January 31, 2011",
            article,
            "Categories: Startups",
            "Next post »",
        ]
    )
    assert web.clean(page).text.split("\n") == [
        "The Dangerous Hubris of the Startup World",
        "by randfish on January 31, 2011",
        article,
    ]


def test_classifier_records_why_a_line_went(web):
    result = web.clean("Home\nAbout\nContact\n" + "This is a plain sentence of prose that is long enough. " * 5)
    dropped = [e for e in result.edits if e.step == "classifier"]
    assert dropped and dropped[0].note.startswith("short -> bad")
