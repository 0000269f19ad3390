"""Every shipped rule passes its own examples and keeps, and keeps real prose."""

from __future__ import annotations

import pytest
import regex

from cleaner.ruleset import load_rules, shipped_rule_names
from cleaner.ruletest import check_rule

ALL = load_rules(*shipped_rule_names())
CASES = [(kind, rule) for kind, rule in ALL.rules()]
PROSE = regex.compile(r"^\w[^\n]*[.!?]$")


@pytest.mark.parametrize(("kind", "rule"), CASES, ids=[r.id for _, r in CASES])
def test_rule_examples_and_keeps(kind, rule):
    failures = check_rule(kind, rule, ALL.regex_timeout)
    assert not failures, "\n".join(f.describe() for f in failures)


@pytest.mark.parametrize(("kind", "rule"), CASES, ids=[r.id for _, r in CASES])
def test_rule_keeps_include_a_real_sentence(kind, rule):
    sentences = [k.text for k in rule.keeps if len(k.text.split()) >= 6 and PROSE.match(k.text.strip())]
    assert sentences, f"rule {rule.id} has no keep that is a sentence of prose"


def test_default_does_not_enable_spelling():
    assert load_rules("default").spelling is None


@pytest.mark.parametrize("name", shipped_rule_names())
def test_every_shipped_pack_loads(name):
    assert load_rules(name).files
