"""Document rules: drop a whole document, recording which rule and why."""

from __future__ import annotations

from collections.abc import Sequence

import regex

from cleaner.document import Document, Edit
from cleaner.rule_schema import DocumentRule
from cleaner.steps import timeout_edit

SYMBOL = regex.compile(r"[^\w\s]")


def violation(rule: DocumentRule, text: str, timeout: float) -> str | None:
    """Why `rule` drops `text`, or None if it keeps it."""
    if rule.min_chars is not None and len(text) < rule.min_chars:
        return f"{len(text)} characters < min_chars {rule.min_chars}"
    if rule.min_words is not None or rule.max_words is not None:
        limit = max(rule.min_words or 0, (rule.max_words or 0) + 1)
        words = len(text.split(None, limit))  # stops counting once the answer is known
        if rule.min_words is not None and words < rule.min_words:
            return f"{words} words < min_words {rule.min_words}"
        if rule.max_words is not None and words > rule.max_words:
            return f"{words} words > max_words {rule.max_words}"
    if rule.max_symbol_ratio is not None and text:
        ratio = len(SYMBOL.findall(text)) / len(text)
        if ratio > rule.max_symbol_ratio:
            return f"symbol ratio {ratio:.2f} > max_symbol_ratio {rule.max_symbol_ratio}"
    if rule.compiled is not None:
        m = rule.compiled.search(text, timeout=timeout)
        if m is not None:
            return f"matches pattern at {m.group()[:60]!r}"
    return None


class QualityStep:
    """Applies [[document]] rules in order; the first that fires drops the document."""

    name = "quality"

    def __init__(self, rules: Sequence[DocumentRule], timeout: float = 1.0) -> None:
        self.rules = list(rules)
        self.timeout = timeout

    def __call__(self, doc: Document) -> Document | None:
        for rule in self.rules:
            try:
                why = violation(rule, doc.text, self.timeout)
            except TimeoutError:
                doc.edits.append(timeout_edit(self.name, rule.id, self.timeout))
                continue
            if why is not None:
                doc.drop_rule = rule.id
                doc.drop_reason = f"{rule.description} ({why})"
                doc.edits.append(Edit(self.name, rule.id, "drop", None, "", "", why))
                return None
        return doc
