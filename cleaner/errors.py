"""Errors a user can act on: each names the file, the place and the problem in one line."""

from __future__ import annotations


class CleanerError(Exception):
    """Base class; the CLI prints `str(error)` as one line and exits non-zero."""


class RuleFileError(CleanerError):
    """A rule file is invalid. Raised at load time, never in the middle of a run."""

    def __init__(self, path: object, message: str, rule_id: str | None = None) -> None:
        self.path = str(path)
        self.rule_id = rule_id
        self.message = message
        where = f"{self.path}: rule '{rule_id}'" if rule_id else self.path
        super().__init__(f"{where}: {message}")


class InputError(CleanerError):
    """An input cannot be read as text (file, line and problem in the message)."""

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.message = message
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {message}")
