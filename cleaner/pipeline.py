"""The Pipeline: ordered steps built from a RuleSet; clean one text or stream many.

    unicode → corpus-lines → boilerplate → classifier → sections → typos → repeats → spelling → layout → quality

Every step records Edits; a document ends kept, changed, or dropped with the
rule and reason. Timings per step accumulate in `Pipeline.seconds_by_step`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from cleaner.accel import accel
from cleaner.corpus_lines import LearnedLines, from_rules
from cleaner.document import Document, Edit, Result
from cleaner.ruleset import RuleSet, RuleSpec, load_rules
from cleaner.steps import DELETED, Step
from cleaner.steps.boilerplate import BoilerplateStep
from cleaner.steps.corpus_lines import CorpusLineStep
from cleaner.steps.layout import LayoutStep
from cleaner.steps.quality import QualityStep
from cleaner.steps.repeats import RepeatStep
from cleaner.steps.sections import SectionCut, SectionMarks
from cleaner.steps.spelling import SpellingStep
from cleaner.steps.typos import TypoStep
from cleaner.steps.unicode import UnicodeStep
from cleaner.textin import normalize_newlines

# Characters a document must be checked for before the steps: line breaks normalize_newlines
# rewrites (bits 0-3 of accel.found_chars), then the removed-line marker (NUL).
_RARE_CHARACTERS = "\r\u2028\u2029\x85" + DELETED
_LINE_BREAKS = 0b1111


def build_steps(rules: RuleSet, learned: LearnedLines | None = None) -> list[Step]:
    """The steps a RuleSet asks for, in pipeline order; empty rule kinds add no step.

    `learned`: corpus-level boilerplate counted over a corpus (see `cleaner.corpus_lines`),
    removed together with the `[[learned]]` lines of the rule files.
    """
    steps: list[Step] = [UnicodeStep(rules.unicode)]
    if rules.sections:
        steps.append(SectionMarks(rules.sections, rules.regex_timeout))
    lines = from_rules(rules.learned).merged(learned or LearnedLines())
    if lines:
        steps.append(CorpusLineStep(lines, rules.corpus_lines.max_words))
    if rules.lines or rules.paragraphs:
        steps.append(BoilerplateStep(rules.lines, rules.paragraphs, rules.regex_timeout))
    if rules.classifier is not None and rules.classifier.enabled:
        from cleaner.steps.blocks import BlockClassifierStep  # numpy (and its BLAS threads) only where used

        steps.append(BlockClassifierStep(rules.classifier))
    if rules.sections:
        steps.append(SectionCut(rules.sections))
    if rules.typos:
        steps.append(TypoStep(rules.typos, rules.regex_timeout))
    if rules.repeats is not None and rules.repeats.enabled:
        steps.append(RepeatStep(rules.repeats))
    if rules.spelling is not None and rules.spelling.enabled:
        # after repeats: its "used twice in the document" guard must see the lines that will be kept
        steps.append(SpellingStep(rules.spelling))
    steps.append(LayoutStep(rules.unicode.max_blank_lines))
    if rules.documents:
        steps.append(QualityStep(rules.documents, rules.regex_timeout))
    return steps


def _classifier_in(steps: list[Step]) -> Any:
    """The block classifier among the steps, or None: the step that can look again (`settle`) after
    later steps changed the text. Found by that method, so building a pipeline without one never
    imports the classifier's module and numpy."""
    return next((step for step in steps if callable(getattr(step, "settle", None))), None)


class Pipeline:
    """Cleans documents with the steps a rule set describes."""

    def __init__(self, rules: RuleSet, steps: list[Step] | None = None, learned: LearnedLines | None = None) -> None:
        self.rules = rules
        self.learned = learned
        self.steps = steps if steps is not None else build_steps(rules, learned)
        self.seconds_by_step: dict[str, float] = defaultdict(float)
        self._classifier = _classifier_in(self.steps)
        self._plan_steps: list[Step] = []
        self._plan_cache: list[tuple[Step, str, bool]] = []

    def with_learned(self, learned: LearnedLines) -> Pipeline:
        """The same pipeline that also removes `learned` corpus-level boilerplate (see `learn_lines`)."""
        return Pipeline(self.rules, learned=learned)

    def learn_lines(self, documents: Iterable[str | Document], min_documents: int | None = None) -> LearnedLines:
        """First pass of corpus-level boilerplate: count lines over `documents` (their
        `meta["url"]` scopes the counting per site) and return those seen in at least
        `min_documents` distinct documents (default: the rules' `[corpus_lines] min_documents`,
        or 3 where the rules leave it off); pass the result to `with_learned`."""
        from cleaner.corpus_lines import LineCounter, host_of

        settings = self.rules.corpus_lines
        counter = LineCounter()
        for item in documents:
            doc = item if isinstance(item, Document) else Document(text=item)
            host = doc.meta.get("host") or host_of(doc.meta.get("url"))
            counter.add_text(normalize_newlines(doc.text), host, settings.max_words)
        return counter.frequent(min_documents or settings.min_documents or 3)

    @classmethod
    def from_rules(cls, *specs: RuleSpec) -> Pipeline:
        """`Pipeline.from_rules()` uses the shipped `default` pack; pass names or paths to choose."""
        return cls(load_rules(*specs))

    def clean(self, item: str | Document) -> Result:
        """Clean one text or Document."""
        doc = item if isinstance(item, Document) else Document(text=item)
        original = doc.text
        doc.text = self._prepare(doc.text, doc.edits)
        clock = time.perf_counter
        seconds = self.seconds_by_step
        classifier = self._classifier
        current: Document | None = doc
        left_by_classifier: str | None = None  # the text as the classifier left it
        for step, name, settle_first in self._plan():
            if settle_first and doc.text != left_by_classifier:
                started = clock()
                classifier.settle(doc)  # after cuts and repeats: cleaning twice changes nothing
                seconds[classifier.name] += clock() - started
            started = clock()
            current = step(doc)
            seconds[name] += clock() - started
            if step is classifier:
                left_by_classifier = doc.text
            if current is None:
                break
        if current is None:
            return Result("", tuple(doc.edits), True, doc.drop_reason, doc.id, doc.drop_rule, original)
        return Result(doc.text, tuple(doc.edits), False, None, doc.id, None, original)

    def _plan(self) -> list[tuple[Step, str, bool]]:
        """(step, its name, whether the classifier looks again just before it), worked out once per
        list of steps (the per-document loop used to test each step's type for every document)."""
        if self._plan_steps != self.steps:
            classifier = self._classifier = _classifier_in(self.steps)
            self._plan_cache = [
                (step, step.name, classifier is not None and isinstance(step, LayoutStep)) for step in self.steps
            ]
            self._plan_steps = list(self.steps)
        return self._plan_cache

    @staticmethod
    def _prepare(text: str, edits: list[Edit]) -> str:
        if accel is not None:  # one pass for what the tests below look for, one character at a time
            found = accel.found_chars(text, _RARE_CHARACTERS)
            if not found:
                return text
            if found & _LINE_BREAKS:
                text = normalize_newlines(text)
        else:
            text = normalize_newlines(text)
        if DELETED in text:
            edits.append(Edit("unicode", "nul", "remove", None, "", "", f"{text.count(DELETED)} NUL character(s)"))
            text = text.replace(DELETED, "")
        return text

    def clean_many(self, items: Iterable[str | Document]) -> Iterator[Result]:
        """Stream results in input order, holding one document at a time."""
        for item in items:
            yield self.clean(item)

    def as_map_fn(self, field: str = "text", *, add_fields: bool = False) -> Callable[[Any], Any]:
        """A function for `datasets.Dataset.map`, pandas `Series.map`/`DataFrame.apply`, or plain dicts.

        Given a str it returns the cleaned str; given a record (dict) it returns
        the record with `field` cleaned ("" when dropped). With
        `add_fields=True` it also sets `cleaner_status` (kept/changed/dropped)
        and `cleaner_reason`. Batched `datasets.map(batched=True)` input (a dict
        of lists) is handled too.
        """

        def record(value: Any) -> tuple[str, str, str]:
            result = self.clean("" if value is None else str(value))
            return result.text, result.status, result.reason or ""

        def fn(item: Any) -> Any:
            if isinstance(item, str):
                return record(item)[0]
            row = dict(item)
            value = row.get(field)
            if isinstance(value, list):  # batched
                outs = [record(v) for v in value]
                row[field] = [o[0] for o in outs]
                if add_fields:
                    row["cleaner_status"] = [o[1] for o in outs]
                    row["cleaner_reason"] = [o[2] for o in outs]
                return row
            if field not in row:
                raise KeyError(f"record has no field {field!r} (fields: {', '.join(map(str, row))})")
            text, status, reason = record(value)
            row[field] = text
            if add_fields:
                row["cleaner_status"] = status
                row["cleaner_reason"] = reason
            return row

        return fn
