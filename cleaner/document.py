"""The data that flows through a pipeline: documents in, results and edits out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Edit(NamedTuple):
    """One change a step made, so every change can be explained and counted.

    A NamedTuple rather than a frozen dataclass: steps create many of them, and
    tuples are several times cheaper to build.

    `line` is the 1-based line number in the document as it was given to the
    pipeline (after line endings are normalised); None for document-level edits.
    """

    step: str
    rule: str
    action: str
    line: int | None
    before: str
    after: str
    note: str = ""

    def summary(self) -> str:
        """`step/rule action: 'before' -> 'after' (note)`, as --explain prints it."""
        change = f"{self.before!r} -> {self.after!r}" if self.after else repr(self.before)
        note = f" ({self.note})" if self.note else ""
        return f"{self.step}/{self.rule} {self.action}: {change}{note}"

    def describe(self) -> str:
        where = f"line {self.line}" if self.line is not None else "document"
        return f"{where}: {self.summary()}"

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


@dataclass
class Document:
    """A text being cleaned. Steps change `text`, append to `edits`, or set `drop_reason`."""

    text: str
    id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    drop_rule: str | None = None
    drop_reason: str | None = None


@dataclass(frozen=True)
class Result:
    """What cleaning one document produced: the text, every edit, and whether it was dropped."""

    text: str
    edits: tuple[Edit, ...]
    dropped: bool
    reason: str | None
    id: str | None = None
    rule: str | None = None
    original: str | None = None

    @property
    def changed(self) -> bool:
        return self.dropped or bool(self.edits)

    @property
    def status(self) -> str:
        """`kept`, `changed` or `dropped`: every document is exactly one of these."""
        if self.dropped:
            return "dropped"
        return "changed" if self.edits else "kept"
