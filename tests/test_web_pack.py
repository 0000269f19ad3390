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
    # A regression guard at today's level on these 20 pages, which the block model never trained on:
    # measured 0.933 kept and 0.765 removed with the context model, 0.784 removed with the ninth session's
    # rules (the lexicon model before it:
    # 0.967 / 0.706; the single model: 0.900 / 0.706; jusText's rules alone: 0.883 / 0.647). One
    # must-keep snippet is 0.017 here; BENCHMARKS.md has the held-out-site figures over 1,510 pages,
    # where the context model moved both up. The targets (0.95 / 0.85) are not met there yet.
    assert keep >= 0.93
    assert remove >= 0.75


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
    article = [
        "Students of history will almost certainly be familiar with the seven deadly sins, the list of human "
        "vices that are, purportedly, the source for much of humanity's evil, and with the long debates about "
        "which of them does the most harm.",
        "Of all of them, pride is the one that founders know best, because every company begins with the "
        "belief that a small team can do what a whole industry has failed to do for years.",
        "That belief is useful for a while, but it becomes dangerous when it stops the team from listening to "
        "the customers who tell them, again and again, what is wrong with the product.",
    ]
    page = "\n".join(
        [
            "Blog",
            "About",
            "Books",
            "The Dangerous Hubris of the Startup World",
            "by randfish on January 31, 2011",
            *article,
            "Categories: Startups",
            "Next post »",
        ]
    )
    # (Before a single paragraph, the block model drops the title and byline: it scores them 0.21.)
    assert web.clean(page).text.split("\n") == [
        "The Dangerous Hubris of the Startup World",
        "by randfish on January 31, 2011",
        *article,
    ]


def test_classifier_records_why_a_line_went(web):
    result = web.clean("Home\nAbout\nContact\n" + "This is a plain sentence of prose that is long enough. " * 5)
    dropped = [e for e in result.edits if e.step == "classifier"]
    assert dropped and dropped[0].note.startswith("short -> bad")


def _page(fragment: str) -> dict:
    for line in (DATA / "trafilatura_pages.jsonl").read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        if fragment in page["id"]:
            return page
    raise LookupError(fragment)


def test_a_comment_section_ends_the_page_on_a_real_german_page(web):
    page = _page("nnz-online.de")
    result = web.clean(page["text"])
    cut = [e for e in result.edits if e.step == "sections"]
    assert cut and cut[0].rule == "web-comment-section"
    start = int(cut[0].note.split("line ")[1].split()[0])  # "in the section that line N starts (...)"
    assert page["text"].split("\n")[start - 1] == "Kommentare"
    assert "Kritiker2010" not in result.text  # the first commenter's name
    assert all(norm(s) in norm(result.text) for s in page["must_keep"])


def test_a_comments_link_above_the_article_cuts_nothing(web):
    article = _page("nnz-online.de")["must_keep"][0]
    text = "Home\nComments\nContact\n" + "\n".join(
        "The council met for three hours on Tuesday and agreed, after a long debate about the costs of the "
        f"new bridge over the river, that the work should begin in the spring of next year ({n})."
        for n in range(8)
    )
    result = web.clean(text + "\n" + article)
    assert not [e for e in result.edits if e.step == "sections"]
    assert "(7)" in result.text


def test_section_rules_are_validated_at_load(tmp_path):
    from cleaner.errors import RuleFileError
    from cleaner.ruleset import load_rules

    bad = tmp_path / "s.toml"
    bad.write_text(
        '[[section]]\nid = "cut"\ndescription = "d"\nmin_words_before = 10\nexamples = ["x"]\nkeeps = ["y"]\n'
    )
    with pytest.raises(RuleFileError, match=r"s\.toml.*'cut'.*missing required field 'pattern'"):
        load_rules(bad)


def test_a_page_with_no_prose_in_context_keeps_what_reads_as_text_on_its_own(web):
    """A short post among chrome: the only sentence is near-good and both its neighbours are bad, so
    jusText's rules alone would empty the page; the fallback keeps the sentence and drops the menu.
    (The fallback belongs to jusText's rules, so it is tested with the block model off. With the
    model, the sentence stays too, but on a page this small it also keeps some menu lines.)"""
    import dataclasses

    page = (
        "Home\nArchive\nContact\n"
        "Repurposing food as art is creative, and these sculptures show what a cook can make of it.\n"
        "Privacy\nTerms\nSitemap"
    )
    sentence = page.split("\n")[3]
    assert sentence in web.clean(page).text.split("\n")
    rules = web.rules
    rules = dataclasses.replace(rules, classifier=dataclasses.replace(rules.classifier, model=None))
    assert Pipeline(rules).clean(page).text == sentence
    strict = Pipeline(dataclasses.replace(rules, classifier=dataclasses.replace(rules.classifier, fallback=False)))
    assert strict.clean(page).text == ""


def test_cleaning_real_pages_twice_changes_nothing(web):
    """The classifier judges lines by their neighbours, and a second run no longer sees the lines the
    first one removed; it looks again until the kept lines are stable, so the output is a fixpoint.
    (Before that, 11 % of the dev pages lost more lines on a second run.)"""
    from conftest import corpus, read_jsonl

    # every dev page: with the block model, one (a calendar) lost its list one block per look for 88
    # looks, past the cap on looks there was; the looks now run until nothing changes
    pages = list(read_jsonl(corpus("web_pages.jsonl.gz"))) + PAGES
    for page in pages:
        once = web.clean(page["text"])
        if once.dropped:
            continue
        twice = web.clean(once.text)
        assert twice.text == once.text, (page["id"], [e.summary() for e in twice.edits][:5])


def test_line_rules_remove_no_must_keep_snippet_on_the_dev_pages(web):
    """The web pack's line rules judge a line without its context, so each must be right on its own:
    on the 506 dev pages with snippets they drop about 7,500 lines, and of the human must-keep snippets
    they drop only a copyright line that one page's annotators kept ('© 2020 Bundesministerium für ...'). A rule
    that reaches into content shows up here, with the line it removed."""
    from conftest import corpus, read_jsonl

    touched = []
    removed = 0
    for page in read_jsonl(corpus("web_pages.jsonl.gz")):
        keep = [norm(s) for s in page.get("must_keep") or [] if norm(s)]
        if not keep:
            continue
        for edit in web.clean(page["text"]).edits:
            if edit.step != "boilerplate" or edit.action != "drop":  # "strip" keeps the line, less a credit
                continue
            removed += 1
            line = norm(edit.before)
            if line and any(snippet in line for snippet in keep):
                touched.append((edit.rule, edit.before[:80]))
    assert removed > 5000  # the rules did act on these pages
    assert [rule for rule, _ in touched] == ["copyright"], touched
