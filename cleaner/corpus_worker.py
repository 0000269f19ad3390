"""The work done in a worker process: raw records in, cleaned records and outcomes out.

Parsing happens here too (JSON, UTF-8), so the parent only moves bytes.
Each outcome says exactly one of: unchanged, changed, dropped, quarantined,
so every input document is accounted for.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from cleaner.corpus_lines import LearnedLines, document_hashes, host_of
from cleaner.document import Document
from cleaner.errors import CleanerError
from cleaner.pipeline import Pipeline
from cleaner.report import Stats
from cleaner.ruleset import load_rules
from cleaner.textin import decode, normalize_newlines

_PIPELINE: Pipeline | None = None


@dataclass
class Outcome:
    status: str  # unchanged | changed | dropped | quarantined
    out: bytes | None = None  # the cleaned record, ready to write
    side: bytes | None = None  # the _dropped or _quarantine record
    rule: str | None = None  # dropping rule, or the quarantine problem kind
    chars_in: int = 0
    chars_out: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    edits: Counter[str] = field(default_factory=Counter)
    warning: str | None = None


@dataclass
class ChunkResult:
    """One chunk's results, compact for the trip back to the parent: three byte blobs and the stats."""

    out: bytes
    dropped: bytes
    quarantined: bytes
    stats: Stats
    first_problem: tuple[int | None, str] | None = None  # for --strict
    outcomes: list[Outcome] = field(default_factory=list)  # only for table (Parquet) values


def summarize(outcomes: list[Outcome], seconds: dict[str, float], keep_outcomes: bool) -> ChunkResult:
    stats = Stats()
    out: list[bytes] = []
    dropped: list[bytes] = []
    quarantined: list[bytes] = []
    first_problem = None
    for o in outcomes:
        stats.add(o)
        if o.out:
            out.append(o.out)
        if o.side is not None:
            (dropped if o.status == "dropped" else quarantined).append(o.side)
            if o.status == "quarantined" and first_problem is None:
                record = json.loads(o.side)
                first_problem = (record.get("line"), record.get("problem", "unreadable input"))
    stats.seconds_by_step.update(seconds)
    return ChunkResult(
        b"".join(out), b"".join(dropped), b"".join(quarantined), stats, first_problem, outcomes if keep_outcomes else []
    )


def init_worker(rule_specs: list[str], learned: LearnedLines | None = None) -> None:
    global _PIPELINE
    _PIPELINE = Pipeline(load_rules(*rule_specs), learned=learned)


def count_chunk(
    kind: str, source: str, items: list[tuple[int | None, bytes]], field_name: str, policy: str
) -> list[tuple[int, list[int]]]:
    """First pass of corpus-level boilerplate: (document hash, distinct line hashes) per readable document.

    Unreadable records are skipped here; the cleaning pass quarantines them with the reason."""
    settings = _pipeline().rules.corpus_lines
    out = []
    for _line, raw in items:
        text, url = text_and_url(kind, raw, field_name, settings.url_field, policy)
        if text is not None:
            out.append(document_hashes(normalize_newlines(text), host_of(url), settings.max_words))
    return out


def text_and_url(kind: str, raw: bytes, field_name: str, url_field: str, policy: str) -> tuple[str | None, Any]:
    """The text and URL of one raw item, or (None, None) where the cleaning pass would quarantine it."""
    try:
        text = decode(raw, "", policy).text
    except CleanerError:
        return None, None
    if kind == "text":
        return (None if "\x00" in text[:8192] else text), None
    if kind == "value":
        return (None if raw == b"\x00" else text), None
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return None, None
    if not isinstance(record, dict) or not isinstance(record.get(field_name), str):
        return None, None
    return record[field_name], record.get(url_field)


def _pipeline() -> Pipeline:
    assert _PIPELINE is not None, "init_worker was not called"
    return _PIPELINE


def quarantine(source: str, line: int | None, problem: str, kind: str, raw: bytes) -> Outcome:
    record = {
        "source": source,
        "line": line,
        "problem": problem,
        "raw": raw[:100_000].decode("utf-8", errors="replace"),
    }
    return Outcome("quarantined", side=_json(record), rule=kind, bytes_in=len(raw))


def _json(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def clean_chunk(
    kind: str, source: str, items: list[tuple[int | None, bytes]], field_name: str, policy: str, strict: bool
) -> ChunkResult:
    """Clean raw items of one file: JSONL lines (line number, bytes) or one text file (None, bytes)."""
    pipe = _pipeline()
    before = dict(pipe.seconds_by_step)
    cleaner_for = {"jsonl": _clean_jsonl, "text": _clean_text, "value": _clean_value}[kind]
    outcomes = [cleaner_for(pipe, source, line, raw, field_name, policy, strict) for line, raw in items]
    seconds = {k: v - before.get(k, 0.0) for k, v in pipe.seconds_by_step.items()}
    return summarize(outcomes, seconds, keep_outcomes=kind == "value")


def _decoded(source: str, line: int | None, raw: bytes, policy: str, strict: bool) -> tuple[str | None, str | None]:
    """(text, warning), or (None, problem) when the bytes cannot be text under the policy."""
    from cleaner.errors import InputError

    try:
        decoded = decode(raw, source, "strict" if strict else policy)
    except InputError as exc:
        return None, exc.message
    warning = decoded.warning(f"{source}" if line is None else f"{source}:{line}", policy)
    return decoded.text, warning


def _clean_text(
    pipe: Pipeline, source: str, line: int | None, raw: bytes, field_name: str, policy: str, strict: bool
) -> Outcome:
    if b"\x00" in raw[:8192]:
        return quarantine(source, None, "binary file (NUL bytes), not text", "binary", raw)
    text, note = _decoded(source, None, raw, policy, strict)
    if text is None:
        return quarantine(source, None, note or "undecodable", "encoding", raw)
    result = pipe.clean(Document(text=text, id=source))
    return _outcome(source, None, source, text, result, raw, None, field_name, note)


def _clean_value(
    pipe: Pipeline, source: str, line: int | None, raw: bytes, field_name: str, policy: str, strict: bool
) -> Outcome:
    """A text value from a table (Parquet); b"\\x00" stands for a missing or non-string value."""
    if raw == b"\x00":
        return quarantine(source, line, f"column {field_name!r} is not a string", "missing-field", raw)
    text = raw.decode("utf-8")
    result = pipe.clean(Document(text=text, id=f"{source}:{line}"))
    outcome = _outcome(source, line, f"{source}:{line}", text, result, raw, None, field_name, None)
    if outcome.out is not None:
        outcome.out = result.text.encode("utf-8")
    return outcome


def _clean_jsonl(
    pipe: Pipeline, source: str, line: int | None, raw: bytes, field_name: str, policy: str, strict: bool
) -> Outcome:
    text, note = _decoded(source, line, raw, policy, strict)
    if text is None:
        return quarantine(source, line, note or "undecodable", "encoding", raw)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return quarantine(source, line, f"invalid JSON: {exc.msg} at column {exc.colno}", "invalid-json", raw)
    if not isinstance(record, dict):
        return quarantine(source, line, "record is not a JSON object", "not-an-object", raw)
    value = record.get(field_name)
    if not isinstance(value, str):
        problem = (
            f"record has no field {field_name!r}"
            if field_name not in record
            else (f"field {field_name!r} is not a string")
        )
        return quarantine(source, line, problem, "missing-field", raw)
    doc_id = str(record["id"]) if record.get("id") is not None else f"{source}:{line}"
    result = pipe.clean(Document(text=value, id=doc_id, meta={"url": record.get(pipe.rules.corpus_lines.url_field)}))
    return _outcome(source, line, doc_id, value, result, raw, record, field_name, note)


def _outcome(
    source: str,
    line: int | None,
    doc_id: str,
    original: str,
    result: Any,
    raw: bytes,
    record: dict[str, Any] | None,
    field_name: str,
    warning: str | None,
) -> Outcome:
    edits = Counter(f"{e.step}/{e.rule}" for e in result.edits)
    if warning is not None:
        edits["input/invalid-utf8"] += 1  # decoding under the policy changed the bytes
    if result.dropped:
        side = {
            "source": source,
            "line": line,
            "id": doc_id,
            "rule": result.rule,
            "reason": result.reason,
            "text": original,
        }
        if record is not None:
            side["record"] = record
        return Outcome(
            "dropped",
            side=_json(side),
            rule=result.rule,
            chars_in=len(original),
            bytes_in=len(raw),
            edits=edits,
            warning=warning,
        )
    status = "changed" if edits else "unchanged"
    if record is None:
        out = (result.text + "\n").encode("utf-8") if result.text else b""
    elif status == "unchanged":
        out = raw if raw.endswith(b"\n") else raw + b"\n"  # keep the record byte for byte
    else:
        record[field_name] = result.text
        out = _json(record)
    return Outcome(
        status,
        out=out,
        chars_in=len(original),
        chars_out=len(result.text),
        bytes_in=len(raw),
        bytes_out=len(out),
        edits=edits,
        warning=warning,
    )
