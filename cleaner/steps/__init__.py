"""Cleaning steps: each takes a Document and returns it (changed or not) or None (dropped).

Lines removed by a step are replaced by the DELETED marker instead of being cut
out, so line numbers stay those of the input until the pipeline's final layout
pass removes the markers. That keeps every Edit's line number meaningful to
the user without tracking offsets between steps.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Protocol

from cleaner.accel import accel
from cleaner.document import Document, Edit

DELETED = "\x00"
# Verdicts a step keeps for lines it has judged (a site repeats its menus and footers on every page):
# at most this many, each about 100 bytes plus its line.
VERDICT_CACHE_SIZE = 50_000


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


def remember(verdicts: dict[Any, Any], key: Hashable, verdict: object) -> None:
    """Keep a line's verdict for the next page; a full cache starts again from empty."""
    if len(verdicts) >= VERDICT_CACHE_SIZE:
        verdicts.clear()
    verdicts[key] = verdict


def lines_at(text: str, numbers: list[int], lines: list[str] | None = None) -> list[str]:
    """The text's lines with these (ascending) numbers: in C without splitting the whole text, or from
    `lines` where it is split already."""
    if lines is None and accel is not None:
        return accel.lines_at(text, numbers)
    lines = text.split("\n") if lines is None else lines
    return [lines[i] for i in numbers]


def replace_lines(text: str, changes: dict[int, str], lines: list[str] | None = None) -> str:
    """The text with line i replaced by changes[i]: in C without splitting the whole text, or in
    `lines` (changed in place) where it is split already."""
    if lines is None and accel is not None:
        return accel.replace_lines(text, changes)
    lines = text.split("\n") if lines is None else lines
    for i, new in changes.items():
        lines[i] = new
    return "\n".join(lines)
