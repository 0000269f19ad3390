"""cleaner: clean and deduplicate text for NLP corpora.

The public API. Importing this module is cheap: the heavy modules (ftfy,
numpy, datasketch) load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "CleanerError",
    "Document",
    "Edit",
    "InputError",
    "Pipeline",
    "Result",
    "RuleFileError",
    "RuleSet",
    "load_rules",
    "run",
]

_LAZY = {
    "Pipeline": ("cleaner.pipeline", "Pipeline"),
    "RuleSet": ("cleaner.ruleset", "RuleSet"),
    "load_rules": ("cleaner.ruleset", "load_rules"),
    "run": ("cleaner.runner", "run"),
    "Document": ("cleaner.document", "Document"),
    "Edit": ("cleaner.document", "Edit"),
    "Result": ("cleaner.document", "Result"),
    "CleanerError": ("cleaner.errors", "CleanerError"),
    "InputError": ("cleaner.errors", "InputError"),
    "RuleFileError": ("cleaner.errors", "RuleFileError"),
}

if TYPE_CHECKING:
    from cleaner.document import Document, Edit, Result
    from cleaner.errors import CleanerError, InputError, RuleFileError
    from cleaner.pipeline import Pipeline
    from cleaner.ruleset import RuleSet, load_rules
    from cleaner.runner import run


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module_name, attr = _LAZY[name]
        value = getattr(importlib.import_module(module_name), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
