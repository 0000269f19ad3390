"""Final layout: remove the DELETED markers, collapse blank lines, trim the ends.

Runs after every step that removes lines, so removed lines vanish without
leaving holes: "A / menu / B" becomes "A / B", and a paragraph break that
surrounded a removed line stays a single blank line.
"""

from __future__ import annotations

import regex

from cleaner.accel import accel
from cleaner.document import Document
from cleaner.steps import DELETED

LEADING_BLANK = regex.compile(r"\A(?:[ \t]*\n)+")
MAYBE_BLANK_RUN = regex.compile(r"\n[ \t]*\n")  # what every blank run starts with


class LayoutStep:
    """Makes the text's shape canonical; records no edits (it only tidies what other steps did)."""

    name = "layout"

    def __init__(self, max_blank_lines: int = 1, *, compiled: bool | None = None) -> None:
        """`compiled`: one C pass (cleaner._accel.layout; default: where it is built); False: Python."""
        self.max_blank_lines = max_blank_lines
        self.blank_runs = regex.compile(rf"\n(?:[ \t]*\n){{{max_blank_lines + 1},}}")
        self.replacement = "\n" * (max_blank_lines + 1)
        if compiled and accel is None:
            raise RuntimeError("the C accelerator cleaner._accel is not installed")
        self._compiled = accel.layout if accel is not None and compiled is not False else None

    def __call__(self, doc: Document) -> Document:
        if self._compiled is not None:
            doc.text = self._compiled(doc.text, self.max_blank_lines)
            return doc
        text = doc.text
        if DELETED in text:
            text = "\n".join(filter(DELETED.__ne__, text.split("\n")))  # no Python frame per line
        if MAYBE_BLANK_RUN.search(text):
            text = self.blank_runs.sub(self.replacement, text)
        if text[:1].isspace():
            text = LEADING_BLANK.sub("", text)
        text = text.rstrip()
        doc.text = text
        return doc
