"""Rule files: extends, override by id, disable, and a clear error for every kind of mistake."""

from __future__ import annotations

import textwrap

import pytest

from cleaner import Pipeline, RuleFileError, load_rules

GOOD_LINE = """
[[line]]
id = "promo"
description = "promo lines"
pattern = '(?i)^buy now'
examples = ["Buy now and save!"]
keeps = ["People buy now what they cannot afford later, the economist said."]
"""


def write(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def error_of(path) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        load_rules(path)
    return info.value


def test_user_file_extends_default_and_adds_a_rule(tmp_path):
    path = write(tmp_path, "mine.toml", '[meta]\nextends = ["default"]\n' + GOOD_LINE)
    pipe = Pipeline(load_rules(path))
    result = pipe.clean("A real sentence stays here.\nBuy now and save!\nI agree")
    assert result.text == "A real sentence stays here."
    assert [e.rule for e in result.edits] == ["consent-button", "promo"] or sorted(e.rule for e in result.edits) == [
        "consent-button",
        "promo",
    ]


def test_later_file_overrides_rule_by_id(tmp_path):
    override = write(
        tmp_path,
        "o.toml",
        """
        [[line]]
        id = "consent-button"
        description = "only 'Got it' counts here"
        literal = "Got it"
        examples = ["Got it"]
        keeps = ["I agree"]
    """,
    )
    rules = load_rules("default", override)
    _kind, rule = rules.get("consent-button")
    assert rule.description == "only 'Got it' counts here"
    assert Pipeline(rules).clean("Real text here, a full sentence.\nI agree").text.endswith("I agree")


def test_disable_removes_an_inherited_rule(tmp_path):
    path = write(tmp_path, "d.toml", '[meta]\nextends = ["default"]\ndisable = ["lone-timestamp"]\n')
    assert Pipeline(load_rules(path)).clean("Some words in a sentence.\n02:37").text.endswith("02:37")


@pytest.mark.parametrize(
    ("body", "rule_id", "message"),
    [
        (GOOD_LINE.replace("'(?i)^buy now'", "'(?i)^buy (now'"), "promo", "bad regex"),
        (GOOD_LINE.replace("max", "") + 'colour = "red"\n', "promo", "unknown key 'colour'"),
        (GOOD_LINE + GOOD_LINE, "promo", "duplicate id"),
        (GOOD_LINE.replace('description = "promo lines"\n', ""), "promo", "missing required field 'description'"),
        (GOOD_LINE.replace('examples = ["Buy now and save!"]\n', ""), "promo", "missing required field 'examples'"),
        (
            GOOD_LINE.replace(
                'keeps = ["People buy now what they cannot afford later, the economist said."]', "keeps = []"
            ),
            "promo",
            "'keeps' is empty",
        ),
        (GOOD_LINE.replace("pattern = '(?i)^buy now'", 'literal = "x"\npattern = "y"'), "promo", "exactly one of"),
        (GOOD_LINE.replace('id = "promo"', 'id = "Promo Rule"'), "Promo Rule", "id must be"),
        (GOOD_LINE.replace("examples = [", "max_words = -3\nexamples = ["), "promo", "must be >= 0"),
        (GOOD_LINE.replace("examples = [", 'max_words = "ten"\nexamples = ['), "promo", "must be an integer"),
        (
            '[spelling]\nid = "sp"\ndescription = "d"\nknown_words = "english"\nexamples = ["a"]\nkeeps = ["b"]\n',
            "sp",
            "'known_words' must be 'wordfreq:LANG'",
        ),
    ],
)
def test_invalid_rule_fails_at_load_with_path_id_and_problem(tmp_path, body, rule_id, message):
    path = write(tmp_path, "bad.toml", body)
    err = error_of(path)
    assert err.path == str(path.resolve())
    assert err.rule_id == rule_id
    assert message in str(err)
    assert str(path.resolve()) in str(err) and f"rule '{rule_id}'" in str(err)


def test_invalid_toml_names_file_and_position(tmp_path):
    err = error_of(write(tmp_path, "broken.toml", "[[line]\nid = 'x'\n"))
    assert "broken.toml" in str(err) and "invalid TOML" in str(err) and "line 1" in str(err)


def test_unknown_section_and_meta_key(tmp_path):
    assert "unknown section 'lines'" in str(error_of(write(tmp_path, "a.toml", "[[lines]]\nid='x'\n")))
    assert "unknown key 'extend'" in str(error_of(write(tmp_path, "b.toml", '[meta]\nextend = ["base"]\n')))


def test_extends_cycle_and_missing_parent(tmp_path):
    write(tmp_path, "a.toml", '[meta]\nextends = ["b.toml"]\n')
    write(tmp_path, "b.toml", '[meta]\nextends = ["a.toml"]\n')
    assert "cycle" in str(error_of(tmp_path / "a.toml"))
    write(tmp_path, "c.toml", '[meta]\nextends = ["no-such-pack"]\n')
    assert "no shipped rule file" in str(error_of(tmp_path / "c.toml"))


def test_disable_of_unknown_id_is_an_error(tmp_path):
    err = error_of(write(tmp_path, "d.toml", '[meta]\nextends = ["base"]\ndisable = ["no-such-rule"]\n'))
    assert "no-such-rule" in str(err)


def test_same_id_in_two_kinds_is_an_error(tmp_path):
    body = GOOD_LINE.replace("[[line]]", "[[paragraph]]")
    path = write(tmp_path, "p.toml", '[meta]\nextends = ["k.toml"]\n' + body)
    write(tmp_path, "k.toml", GOOD_LINE)
    err = error_of(path)
    assert err.rule_id == "promo" and "already used" in str(err)


def test_typo_map_errors(tmp_path):
    body = """
        [[typos]]
        id = "t"
        description = "d"
        examples = ["teh"]
        keeps = ["A sentence that has no typo in it at all."]
        [typos.map]
        Teh = "TEH"
    """
    assert "maps a word to itself" in str(error_of(write(tmp_path, "t.toml", body)))


def test_document_rule_needs_a_condition(tmp_path):
    body = """
        [[document]]
        id = "doc"
        description = "d"
        examples = ["x"]
        keeps = ["A sentence that stays because nothing is wrong with it."]
    """
    assert "needs a condition" in str(error_of(write(tmp_path, "doc.toml", body)))


def test_regex_timeout_stops_a_pathological_pattern(tmp_path):
    body = """
        [meta]
        regex_timeout = 0.05
        [[line]]
        id = "slow"
        description = "catastrophic backtracking"
        pattern = '^(\\w+\\s?)*$'
        examples = ["abc"]
        keeps = ["A sentence that is kept whatever happens to the slow rule."]
    """
    pipe = Pipeline(load_rules(write(tmp_path, "slow.toml", body)))
    evil = "a" * 5000 + "!" + "\n" + " ".join(["word"] * 3000) + "!"
    result = pipe.clean(evil)
    assert any(e.action == "timeout" and e.rule == "slow" for e in result.edits)
    assert "word word" in result.text


def test_a_timeout_is_recorded_on_every_page_and_a_later_rule_still_acts(tmp_path):
    """Line verdicts are kept for lines seen again (a site's menus), but never one where a search
    timed out: the next page with that line records its timeout too. A strip rule that times out
    counts as not matching, like a drop rule."""
    body = """
        [meta]
        regex_timeout = 0.05
        [[line]]
        id = "slow-strip"
        description = "catastrophic backtracking in a strip rule (tried only on lines with 'zz')"
        pattern = '^zz(\\w+\\s?)*$'
        action = "strip"
        examples = [{ text = "zz abc", expect = "" }]
        keeps = ["A sentence that is kept whatever happens to the slow rule."]
        [[line]]
        id = "bang"
        description = "a line of a's ending in a bang"
        pattern = 'a!$'
        examples = ["aaa!"]
        keeps = ["A sentence that is kept whatever happens to the slow rule."]
    """
    pipe = Pipeline(load_rules(write(tmp_path, "slow.toml", body)))
    page = "Title line\nzz" + "a" * 5000 + "!\nThe end of the page, which stays."
    for _ in range(2):
        result = pipe.clean(page)
        assert [(e.rule, e.action) for e in result.edits] == [("slow-strip", "timeout"), ("bang", "drop")]
        assert result.text == "Title line\nThe end of the page, which stays."


def test_a_pattern_that_can_cross_a_newline_is_tried_line_by_line(tmp_path):
    """A line rule without a literal is tried on every line. Its `\\s` crosses newlines, so over the
    whole page each search from a line of a day-number column matched to the page's end, once per
    line (quadratic). After the first match that crosses a newline (its first line is a candidate,
    checked on its own like any), the page is tried line by line, and only the row of numbers goes."""
    from cleaner.steps.boilerplate import BoilerplateStep

    body = """
        [[line]]
        id = "number-row"
        description = "a row of two or more numbers"
        pattern = '^\\d+(\\s+\\d+)+$'
        examples = ["1 2 3"]
        keeps = ["In 2021 the town had 3 500 inhabitants."]
    """
    pipe = Pipeline(load_rules(write(tmp_path, "numbers.toml", body)))
    column = [str(day % 31 + 1) for day in range(2000)]
    page = "\n".join(["Calendar", *column[:1000], "4 5 6", *column[1000:]])
    step = next(s for s in pipe.steps if isinstance(s, BoilerplateStep))
    assert step._lines.line_candidates(page, None, []) == {1: {0}, 1001: {0}}
    result = pipe.clean(page)
    assert [(e.rule, e.line, e.before) for e in result.edits] == [("number-row", 1002, "4 5 6")]
    assert result.text.split("\n") == ["Calendar", *column]


def test_paragraph_rules_judge_each_paragraph_once_in_text_order(tmp_path, monkeypatch):
    """Each rule's matches came one rule after another, and a paragraph dropped late in the text hid
    an earlier one that only the second rule matches (a second run then dropped it). And a paragraph
    with a match on each of its lines was judged again for every line."""
    from cleaner.steps import boilerplate

    body = """
        [[paragraph]]
        id = "apples"
        description = "a block about the apple stall"
        pattern = 'apples are sold here'
        examples = ["apples are sold here"]
        keeps = ["In 2021 the town had 3 500 inhabitants."]
        [[paragraph]]
        id = "numbers"
        description = "a block of number rows"
        pattern = '(?m)^\\d+(\\s+\\d+)+$'
        examples = ["1 2 3"]
        keeps = ["In 2021 the town had 3 500 inhabitants."]
    """
    pipe = Pipeline(load_rules(write(tmp_path, "paragraphs.toml", body)))
    text = "Intro prose of the page.\n\n1 2\n3 4\n\nMiddle prose of the page.\n\napples are sold here\n\nThe end."
    result = pipe.clean(text)
    assert [(e.rule, e.line) for e in result.edits] == [("numbers", 3), ("apples", 8)]
    assert result.text == "Intro prose of the page.\n\nMiddle prose of the page.\n\nThe end."
    assert not pipe.clean(result.text).edits

    searched = []
    real_search = boilerplate._search

    def counted(rule, *rest):
        searched.append(rule.id)
        return real_search(rule, *rest)

    monkeypatch.setattr(boilerplate, "_search", counted)
    rows = "\n".join(f"{day} {day + 1}" for day in range(300))  # each row matches; the block, with its heading, not
    assert pipe.clean("A heading\n" + rows).text.startswith("A heading\n0 1\n")
    assert searched == ["apples", "numbers"]  # one paragraph, each rule once, not once per matching row
    step = next(s for s in pipe.steps if isinstance(s, boilerplate.BoilerplateStep))
    column = "\n".join(str(day) for day in range(300))  # `\s+` runs from each row to the page's end
    assert step._paragraphs.positions(f"A heading\n{column}\n\n{column}", []) == [10, 10 + len(column) + 2]
