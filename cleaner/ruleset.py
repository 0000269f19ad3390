"""Load, validate and merge TOML rule files into one immutable, compiled RuleSet.

A rule file may `extends` others (shipped names or paths); later files
override earlier ones by rule id, and `disable` removes inherited rules.
Everything is checked here, at load time, so a bad rule never surfaces in
the middle of a corpus run.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cleaner import rule_schema as schema
from cleaner.errors import RuleFileError
from cleaner.patterns import DEFAULT_TIMEOUT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RuleSpec = str | Path
Rule = (
    schema.LineRule
    | schema.ParagraphRule
    | schema.DocumentRule
    | schema.TypoMap
    | schema.RepeatSettings
    | schema.SpellingSettings
    | schema.ClassifierSettings
    | schema.LearnedRule
    | schema.SectionRule
)

LIST_KINDS = {
    "line": schema.line_rule,
    "paragraph": schema.paragraph_rule,
    "document": schema.document_rule,
    "typos": schema.typo_map,
    "learned": schema.learned_rule,
    "section": schema.section_rule,
}
TABLE_KINDS = {"repeats": schema.repeat_settings, "spelling": schema.spelling_settings}
TOP_KEYS = {"meta", "unicode", "corpus_lines", "stopwords", "classifier", *LIST_KINDS, *TABLE_KINDS}
META_KEYS = {"name", "description", "extends", "disable", "regex_timeout"}


def shipped_rules_dir() -> Path:
    """Where the shipped rule files are: inside the wheel, or `rules/` in a checkout."""
    packaged = Path(__file__).resolve().parent / "_rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"


def shipped_rule_names() -> list[str]:
    return sorted(p.stem for p in shipped_rules_dir().glob("*.toml"))


def resolve(spec: RuleSpec, relative_to: Path | None = None) -> Path:
    """A shipped name (`default`, `web`) or a path to a .toml file."""
    text = str(spec)
    looks_like_path = isinstance(spec, Path) or text.endswith(".toml") or "/" in text or "\\" in text
    if looks_like_path:
        path = Path(text)
        if not path.is_absolute() and relative_to is not None and not path.exists():
            path = relative_to / path
        if not path.is_file():
            raise RuleFileError(text, "rule file not found")
        return path.resolve()
    shipped = shipped_rules_dir() / f"{text}.toml"
    if shipped.is_file():
        return shipped
    raise RuleFileError(text, f"no shipped rule file of that name (shipped: {', '.join(shipped_rule_names())})")


@dataclass(frozen=True)
class RuleSet:
    """Every rule a pipeline uses, compiled and in order. Immutable."""

    name: str
    files: tuple[str, ...]
    lines: tuple[schema.LineRule, ...]
    paragraphs: tuple[schema.ParagraphRule, ...]
    documents: tuple[schema.DocumentRule, ...]
    typos: tuple[schema.TypoMap, ...]
    repeats: schema.RepeatSettings | None
    spelling: schema.SpellingSettings | None
    unicode: schema.UnicodeSettings
    regex_timeout: float = DEFAULT_TIMEOUT
    classifier: schema.ClassifierSettings | None = None
    learned: tuple[schema.LearnedRule, ...] = ()
    sections: tuple[schema.SectionRule, ...] = ()
    corpus_lines: schema.CorpusLineSettings = field(default_factory=schema.CorpusLineSettings)

    def rules(self) -> Iterator[tuple[str, Rule]]:
        """Every rule with its kind, in pipeline order."""
        for learned in self.learned:
            yield "learned", learned
        for p in self.paragraphs:
            yield "paragraph", p
        for line in self.lines:
            yield "line", line
        if self.classifier is not None:
            yield "classifier", self.classifier
        for section in self.sections:
            yield "section", section
        for t in self.typos:
            yield "typos", t
        if self.spelling is not None:
            yield "spelling", self.spelling
        if self.repeats is not None:
            yield "repeats", self.repeats
        for d in self.documents:
            yield "document", d

    def get(self, rule_id: str) -> tuple[str, Rule] | None:
        for kind, rule in self.rules():
            if rule.id == rule_id:
                return kind, rule
        return None


class _Merger:
    """Accumulates files in order; later definitions of an id replace earlier ones."""

    def __init__(self) -> None:
        self.rules: dict[str, tuple[str, Any]] = {}  # id -> (kind, compiled rule), in order
        self.tables: dict[str, tuple[dict[str, Any], str]] = {}  # kind -> (merged raw, last path)
        self.unicode: dict[str, Any] = {}
        self.stopwords: dict[str, list[str]] = {}
        self.classifier: tuple[dict[str, Any], str] | None = None
        self.unicode_path = "<defaults>"
        self.corpus_lines: dict[str, Any] = {}
        self.corpus_lines_path = "<defaults>"
        self.files: list[str] = []
        self.name = ""
        self.regex_timeout = DEFAULT_TIMEOUT
        self._loading: list[Path] = []

    def load(self, spec: RuleSpec, relative_to: Path | None = None) -> None:
        path = resolve(spec, relative_to)
        if path in self._loading:
            chain = " -> ".join(p.name for p in [*self._loading, path])
            raise RuleFileError(path, f"'extends' forms a cycle: {chain}")
        if str(path) in self.files:
            return  # already merged through another branch
        self._loading.append(path)
        try:
            data = self._read(path)
            meta = self._meta(data, path)
            for parent in meta.get("extends", []):
                self.load(parent, path.parent)
            self._merge(data, meta, path)
        finally:
            self._loading.pop()
        self.files.append(str(path))

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise RuleFileError(path, f"invalid TOML: {exc}") from None
        except UnicodeDecodeError as exc:
            raise RuleFileError(path, f"not UTF-8: {exc}") from None
        for key in data:
            if key not in TOP_KEYS:
                raise RuleFileError(path, f"unknown section '{key}' (allowed: {', '.join(sorted(TOP_KEYS))})")
        return data

    @staticmethod
    def _meta(data: dict[str, Any], path: Path) -> dict[str, Any]:
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise RuleFileError(path, "[meta] must be a table")
        for key in meta:
            if key not in META_KEYS:
                raise RuleFileError(path, f"unknown key '{key}' in [meta] (allowed: {', '.join(sorted(META_KEYS))})")
        for key in ("extends", "disable"):
            value = meta.get(key, [])
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise RuleFileError(path, f"[meta] {key} must be a list of strings")
            meta[key] = value
        timeout = meta.get("regex_timeout")
        if timeout is not None and (not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0):
            raise RuleFileError(path, "[meta] regex_timeout must be a positive number of seconds")
        return meta

    def _merge(self, data: dict[str, Any], meta: dict[str, Any], path: Path) -> None:
        where = str(path)
        self.name = meta.get("name", path.stem)
        if "regex_timeout" in meta:
            self.regex_timeout = float(meta["regex_timeout"])
        seen_here: set[str] = set()
        for kind, build in LIST_KINDS.items():
            tables = data.get(kind, [])
            if not isinstance(tables, list):
                raise RuleFileError(path, f"'{kind}' rules must be written as [[{kind}]] tables")
            for raw in tables:
                rule = build(raw, where)
                if rule.id in seen_here:
                    raise RuleFileError(path, "duplicate id in this file", rule.id)
                seen_here.add(rule.id)
                previous = self.rules.get(rule.id)
                if previous is not None and previous[0] != kind:
                    raise RuleFileError(
                        path, f"id already used by a [[{previous[0]}]] rule in {previous[1].origin}", rule.id
                    )
                self.rules[rule.id] = (kind, rule)
        for kind in TABLE_KINDS:
            raw = data.get(kind)
            if raw is None:
                continue
            if not isinstance(raw, dict):
                raise RuleFileError(path, f"[{kind}] must be a single table")
            merged = dict(self.tables.get(kind, ({}, where))[0])
            merged.update(raw)
            self.tables[kind] = (merged, where)
        stopwords = data.get("stopwords", {})
        if not isinstance(stopwords, dict) or not all(
            isinstance(v, list) and all(isinstance(w, str) for w in v) for v in stopwords.values()
        ):
            raise RuleFileError(path, "[stopwords] must map language codes to lists of words")
        self.stopwords.update(stopwords)
        if "classifier" in data:
            if not isinstance(data["classifier"], dict):
                raise RuleFileError(path, "[classifier] must be a single table")
            merged = dict(self.classifier[0]) if self.classifier else {}
            merged.update(data["classifier"])
            model = data["classifier"].get("model")
            if isinstance(model, str) and model:  # relative to the file that names it, not the last one merged
                merged["model"] = str(Path(path).parent / model)
            self.classifier = (merged, where)
        if "unicode" in data:
            if not isinstance(data["unicode"], dict):
                raise RuleFileError(path, "[unicode] must be a table")
            self.unicode.update(data["unicode"])
            self.unicode_path = where
        if "corpus_lines" in data:
            if not isinstance(data["corpus_lines"], dict):
                raise RuleFileError(path, "[corpus_lines] must be a table")
            self.corpus_lines.update(data["corpus_lines"])
            self.corpus_lines_path = where
        for rule_id in meta.get("disable", []):
            if rule_id in self.rules:
                del self.rules[rule_id]
            elif rule_id in self.tables:
                del self.tables[rule_id]
            elif self.classifier is not None and self.classifier[0].get("id") == rule_id:
                self.classifier = None
            else:
                raise RuleFileError(path, f"[meta] disable names '{rule_id}', which no rule loaded so far has")

    def build(self) -> RuleSet:
        def of(kind: str) -> tuple[Any, ...]:
            return tuple(rule for k, rule in self.rules.values() if k == kind)

        repeats = schema.repeat_settings(*self.tables["repeats"]) if "repeats" in self.tables else None
        spelling = schema.spelling_settings(*self.tables["spelling"]) if "spelling" in self.tables else None
        return RuleSet(
            name=self.name,
            files=tuple(self.files),
            lines=of("line"),
            paragraphs=of("paragraph"),
            documents=of("document"),
            typos=of("typos"),
            repeats=repeats,
            spelling=spelling,
            unicode=schema.unicode_settings(self.unicode, self.unicode_path),
            regex_timeout=self.regex_timeout,
            classifier=schema.classifier_settings(*self.classifier, self.stopwords) if self.classifier else None,
            learned=of("learned"),
            sections=of("section"),
            corpus_lines=schema.corpus_line_settings(self.corpus_lines, self.corpus_lines_path),
        )


def load_rules(*specs: RuleSpec | Sequence[RuleSpec]) -> RuleSet:
    """Load and merge rule files in order: `load_rules("default", "my_rules.toml")`.

    With no argument, loads the shipped `default` pack.
    """
    flat: list[RuleSpec] = []
    for spec in specs:
        if isinstance(spec, (str, Path)):
            flat.append(spec)
        else:
            flat.extend(spec)
    merger = _Merger()
    for spec in flat or ["default"]:
        merger.load(spec)
    return merger.build()
