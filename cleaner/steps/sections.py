"""Section rules: a comment section's heading or form ends the main text; it and all after it go.

On web pages the comments come after the article, then the comment form, then
the footer. Comments are prose, so a line classifier keeps them, while what a
reader (and every human-made gold standard) takes as the page's text stops
where they begin. A `[[section]]` rule names the marker lines ("12 Comments",
"Leave a Reply", "Kommentar schreiben"); the first marker that follows at least
`min_words_before` words of kept text cuts the document there. A rule with
`min_markers` > 1 acts only where its marker occurs that often (comment headers
such as "Maria says:": a thread has many, an article quoting one has one).

Markers are looked for in the lines as they were before any rule removed them
(boilerplate rules usually remove "Leave a Reply" itself), so `SectionMarks`
runs early and `SectionCut` after the classifier, when the kept text is known.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from cleaner.document import Document, Edit
from cleaner.literals import LiteralIndex
from cleaner.prefilter import required_literals_with_bounds
from cleaner.rule_schema import SectionRule
from cleaner.steps import DELETED, lines_at, remember, timeout_edit

MARKS = "section_marks"  # Document.meta key: [(line index, rule position)] in line order


class SectionMarks:
    """Finds the marker lines of every section rule and notes them for `SectionCut`.

    As in the boilerplate step, a rule's necessary literals (found in one Aho-Corasick pass over
    the lower-cased text) pick the lines its pattern is tried on."""

    name = "sections"

    def __init__(self, rules: Sequence[SectionRule], timeout: float) -> None:
        self.rules = list(rules)
        self.timeout = timeout
        needed = [(k, required_literals_with_bounds(rule.pattern)) for k, rule in enumerate(self.rules)]
        self.index: LiteralIndex[int] = LiteralIndex((lit, k) for k, lits in needed if lits for lit in lits)
        self.unfiltered = [k for k, lits in needed if not lits]
        # As in the boilerplate step: hits inside longer words, or on lines longer than every rule of
        # that literal accepts, are dropped in the scan itself.
        by_rule = {k: lits for k, lits in needed if lits}
        self.index.set_rule_filters(lambda k: self.rules[k].max_words, lambda lit, k: by_rule[k].get(lit, 0))
        self._verdicts: dict[tuple[str, int], bool] = {}

    def __call__(self, doc: Document) -> Document:
        text = doc.text
        candidates: dict[int, set[int]] = {}  # line index -> rules whose marker it may be
        if self.unfiltered:
            candidates = {i: set(self.unfiltered) for i in range(text.count("\n") + 1)}
        if self.index:
            # lower-cased as it is scanned; lower() keeps every newline, so line numbers agree
            for line_no, rule_ids in self.index.short_line_hits(text, fold=True):  # filters set above
                candidates.setdefault(line_no, set()).update(rule_ids)
        if not candidates:
            return doc
        found: list[tuple[int, int]] = []  # (line index, first rule in file order whose marker it is)
        verdicts = self._verdicts
        order = sorted(candidates)
        for i, line in zip(order, lines_at(text, order), strict=True):  # only the candidate lines
            for k in sorted(candidates[i]):
                marks = verdicts.get((line, k))
                if marks is None:
                    marks = self._marks(line, k, doc.edits)
                    if marks is None:  # timed out: not kept, so the next page records it too
                        continue
                    remember(verdicts, (line, k), marks)
                if marks:
                    found.append((i, k))
                    break
        if found:
            doc.meta[MARKS] = found
        return doc

    def _marks(self, line: str, k: int, edits: list[Edit]) -> bool | None:
        """Whether rule k's marker is the line; None where its search timed out (recorded in `edits`)."""
        rule = self.rules[k]
        if line == DELETED or (rule.max_words is not None and len(line.split()) > rule.max_words):
            return False
        try:
            return rule.compiled.search(line, timeout=self.timeout) is not None
        except TimeoutError:
            edits.append(timeout_edit(self.name, rule.id, self.timeout))
            return None


class SectionCut:
    """Removes everything from the first marker with enough kept words before it."""

    name = "sections"

    def __init__(self, rules: Sequence[SectionRule]) -> None:
        self.rules = list(rules)

    def __call__(self, doc: Document) -> Document:
        marks = doc.meta.pop(MARKS, None)
        if not marks:
            return doc
        count = Counter(k for _, k in marks)
        marks = [(i, k) for i, k in marks if count[k] >= self.rules[k].min_markers]
        if not marks:
            return doc
        lines = doc.text.split("\n")
        words_before = 0
        counted_to = 0
        for i, k in marks:
            rule = self.rules[k]
            between = lines[counted_to:i]
            words_before += len(" ".join(between).split()) - between.count(DELETED)  # a DELETED line is one "word"
            counted_to = i
            if words_before < rule.min_words_before:
                continue
            note = f"in the section that line {i + 1} starts ({words_before} words of kept text before it)"
            for j in range(i, len(lines)):
                if lines[j] != DELETED and lines[j].strip():
                    doc.edits.append(Edit(self.name, rule.id, "drop", j + 1, lines[j], "", note))
                    lines[j] = DELETED
            doc.text = "\n".join(lines)
            break
        return doc
