"""Cleaning steps: each takes a Document and returns it (changed or not) or None (dropped).

Lines removed by a step are replaced by the DELETED marker instead of being cut
out, so line numbers stay those of the input until the pipeline's final layout
pass removes the markers. That keeps every Edit's line number meaningful to
the user without tracking offsets between steps.
"""

from __future__ import annotations

from typing import Protocol

from cleaner.document import Document, Edit

DELETED = "\x00"


class Step(Protocol):
    name: str

    def __call__(self, doc: Document) -> Document | None: ...


def timeout_edit(step: str, rule_id: str, seconds: float) -> Edit:
    """The record of a pattern that ran over its time limit and was skipped for this document."""
    return Edit(step, rule_id, "timeout", None, "", "", f"pattern ran over {seconds}s; rule skipped for this document")


def line_span(text: str, pos: int) -> tuple[int, int]:
    """Start and end offsets of the line containing `pos` (end excludes the newline)."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end
