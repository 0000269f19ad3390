"""Run every rule's `examples` and `keeps`, so rule packs are tested like code.

Each rule runs on its own (its step, then the layout pass): an example must
be changed (or give exactly its `expect`), a keep must come out as the
layout pass alone leaves it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleaner.document import Document
from cleaner.rule_schema import (
    ClassifierSettings,
    DocumentRule,
    Example,
    LearnedRule,
    LineRule,
    ParagraphRule,
    RepeatSettings,
    SectionRule,
    SpellingSettings,
    TypoMap,
)
from cleaner.ruleset import Rule, RuleSet
from cleaner.steps import Step
from cleaner.steps.blocks import BlockClassifierStep
from cleaner.steps.boilerplate import BoilerplateStep
from cleaner.steps.layout import LayoutStep
from cleaner.steps.quality import QualityStep
from cleaner.steps.repeats import RepeatStep
from cleaner.steps.spelling import SpellingStep
from cleaner.steps.typos import TypoStep


@dataclass(frozen=True)
class Failure:
    rule_id: str
    origin: str
    case: str  # "example" or "keep"
    text: str
    got: str | None  # None: dropped
    expected: str | None

    def describe(self) -> str:
        got = "<dropped>" if self.got is None else repr(self.got)
        if self.case == "example" and self.expected is None:
            want = "a change"
        elif self.case == "keep" and self.expected is None:
            want = "no change"
        else:
            want = repr(self.expected)
        return f"{self.origin}: rule '{self.rule_id}': {self.case} {self.text!r}: expected {want}, got {got}"


def step_for(kind: str, rule: Rule, timeout: float) -> Step:
    """The step that applies `rule` alone (settings rules are switched on for the test)."""
    from dataclasses import replace

    if isinstance(rule, LineRule):
        return BoilerplateStep([rule], [], timeout)
    if isinstance(rule, ParagraphRule):
        return BoilerplateStep([], [rule], timeout)
    if isinstance(rule, TypoMap):
        return TypoStep([rule], timeout)
    if isinstance(rule, SpellingSettings):
        return SpellingStep(replace(rule, enabled=True))
    if isinstance(rule, RepeatSettings):
        return RepeatStep(replace(rule, enabled=True))
    if isinstance(rule, DocumentRule):
        return QualityStep([rule], timeout)
    if isinstance(rule, ClassifierSettings):
        return BlockClassifierStep(replace(rule, enabled=True))
    if isinstance(rule, SectionRule):
        from cleaner.steps.sections import SectionCut, SectionMarks

        marks, cut = SectionMarks([rule], timeout), SectionCut([rule])
        return _Chain(marks.name, [marks, cut])
    if isinstance(rule, LearnedRule):
        from cleaner.corpus_lines import from_rules
        from cleaner.steps.corpus_lines import CorpusLineStep

        return CorpusLineStep(from_rules([rule]))
    raise ValueError(f"no step for rule kind {kind!r}")


class _Chain:
    """Steps that act as one (a section rule's marking and cutting)."""

    def __init__(self, name: str, steps: list[Step]) -> None:
        self.name = name
        self.steps = steps

    def __call__(self, doc: Document) -> Document | None:
        current: Document | None = doc
        for step in self.steps:
            if current is None:
                return None
            current = step(current)
        return current


def _run(steps: list[Step], text: str, host: str = "") -> str | None:
    doc: Document | None = Document(text=text, meta={"host": host})
    for step in steps:
        assert doc is not None
        doc = step(doc)
        if doc is None:
            return None
    assert doc is not None
    return doc.text


def check_rule(kind: str, rule: Rule, timeout: float = 1.0) -> list[Failure]:
    layout = LayoutStep()
    steps = [step_for(kind, rule, timeout), layout]
    failures = []
    cases: list[tuple[str, Example]] = [("example", e) for e in rule.examples] + [("keep", k) for k in rule.keeps]
    for case, ex in cases:
        got = _run(steps, ex.text, rule.host if isinstance(rule, LearnedRule) else "")
        baseline = _run([layout], ex.text)
        if ex.expect is not None:
            ok = (got or "") == ex.expect if got is not None or ex.expect == "" else False
        elif case == "example":
            ok = got != baseline
        else:
            ok = got == baseline
        if not ok:
            failures.append(Failure(rule.id, rule.origin, case, ex.text, got, ex.expect))
    return failures


def check_ruleset(rules: RuleSet) -> tuple[int, list[Failure]]:
    """(number of cases run, failures) over every rule in the set."""
    total = 0
    failures: list[Failure] = []
    for kind, rule in rules.rules():
        total += len(rule.examples) + len(rule.keeps)
        failures.extend(check_rule(kind, rule, rules.regex_timeout))
    return total, failures
