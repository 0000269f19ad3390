"""Run statistics: accumulated per file, merged into the run report (JSON, HTML, a table)."""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATUSES = ("unchanged", "changed", "dropped", "quarantined")


def length_bucket(chars: int) -> str:
    """Power-of-two buckets: '0', '1-1', '2-3', '4-7', ..."""
    if chars <= 0:
        return "0"
    low = 1 << int(math.log2(chars))
    return f"{low}-{2 * low - 1}"


@dataclass
class Stats:
    documents: Counter[str] = field(default_factory=Counter)
    bytes_in: int = 0
    bytes_out: int = 0
    edits_by_rule: Counter[str] = field(default_factory=Counter)
    drops_by_rule: Counter[str] = field(default_factory=Counter)
    quarantine_by_problem: Counter[str] = field(default_factory=Counter)
    seconds_by_step: Counter[str] = field(default_factory=Counter)
    length_before: Counter[str] = field(default_factory=Counter)
    length_after: Counter[str] = field(default_factory=Counter)
    warnings: int = 0

    def add(self, outcome: Any) -> None:
        self.documents[outcome.status] += 1
        self.bytes_in += outcome.bytes_in
        self.bytes_out += outcome.bytes_out
        self.edits_by_rule.update(outcome.edits)
        self.warnings += outcome.warning is not None
        if outcome.status == "dropped":
            self.drops_by_rule[outcome.rule or "?"] += 1
        elif outcome.status == "quarantined":
            self.quarantine_by_problem[outcome.rule or "?"] += 1
        if outcome.status != "quarantined":
            self.length_before[length_bucket(outcome.chars_in)] += 1
        if outcome.status in ("unchanged", "changed"):
            self.length_after[length_bucket(outcome.chars_out)] += 1

    def merge(self, other: Stats) -> None:
        for name in (
            "documents",
            "edits_by_rule",
            "drops_by_rule",
            "quarantine_by_problem",
            "seconds_by_step",
            "length_before",
            "length_after",
        ):
            getattr(self, name).update(getattr(other, name))
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out
        self.warnings += other.warnings

    @property
    def total(self) -> int:
        return sum(self.documents[s] for s in STATUSES)

    def to_dict(self) -> dict[str, Any]:
        docs = {"in": self.total, **{s: self.documents[s] for s in STATUSES}}
        return {
            "documents": docs,
            "bytes": {"in": self.bytes_in, "out": self.bytes_out},
            "edits_by_rule": dict(self.edits_by_rule.most_common()),
            "drops_by_rule": dict(self.drops_by_rule.most_common()),
            "quarantine_by_problem": dict(self.quarantine_by_problem.most_common()),
            "seconds_by_step": {k: round(v, 4) for k, v in self.seconds_by_step.items()},
            "length_before": _sorted_buckets(self.length_before),
            "length_after": _sorted_buckets(self.length_after),
            "warnings": self.warnings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Stats:
        docs = data["documents"]
        return cls(
            documents=Counter({s: docs.get(s, 0) for s in STATUSES}),
            bytes_in=data["bytes"]["in"],
            bytes_out=data["bytes"]["out"],
            edits_by_rule=Counter(data["edits_by_rule"]),
            drops_by_rule=Counter(data["drops_by_rule"]),
            quarantine_by_problem=Counter(data.get("quarantine_by_problem", {})),
            seconds_by_step=Counter(data["seconds_by_step"]),
            length_before=Counter(data.get("length_before", {})),
            length_after=Counter(data.get("length_after", {})),
            warnings=data.get("warnings", 0),
        )


def _sorted_buckets(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: int(kv[0].split("-")[0])))


def summary_table(report: dict[str, Any]) -> str:
    """The report as a short plain-text table, as `cleaner report OUT` prints it."""
    d, b = report["documents"], report["bytes"]
    lines = [
        f"documents  in {d['in']:>10,}   unchanged {d['unchanged']:>10,}   changed {d['changed']:>10,}"
        f"   dropped {d['dropped']:>8,}   quarantined {d['quarantined']:>6,}",
        f"bytes      in {b['in']:>10,}   out {b['out']:>10,}   ({_share(b['out'], b['in'])} kept)",
        f"files      {report.get('files', 0):>10,}   skipped (unsupported) {len(report.get('skipped', [])):>6,}"
        f"   seconds {report.get('seconds', 0):>8.1f}",
    ]
    for title, key in (
        ("edits by rule", "edits_by_rule"),
        ("drops by rule", "drops_by_rule"),
        ("quarantined by problem", "quarantine_by_problem"),
        ("seconds by step", "seconds_by_step"),
    ):
        items = report.get(key) or {}
        if items:
            lines.append(f"{title}:")
            lines.extend(
                f"  {name:40s} {value:>12,}" if isinstance(value, int) else f"  {name:40s} {value:>12.2f}"
                for name, value in list(items.items())[:25]
            )
    return "\n".join(lines)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _bars(title: str, items: dict[str, float], color: str) -> str:
    if not items:
        return f"<h2>{html.escape(title)}</h2><p>none</p>"
    top = list(items.items())[:30]
    peak = max(v for _, v in top) or 1
    row_h, label_w, bar_w = 22, 260, 420
    rows = []
    for i, (name, value) in enumerate(top):
        y = i * row_h
        w = max(1, int(bar_w * value / peak))
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{html.escape(str(name))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="{color}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 15}">{value:,.0f}</text>'
        )
    height = row_h * len(top)
    return (
        f"<h2>{html.escape(title)}</h2><svg width='{label_w + bar_w + 90}' height='{height}' "
        f"font-family='sans-serif' font-size='12'>{''.join(rows)}</svg>"
    )


def _lengths(before: dict[str, int], after: dict[str, int]) -> str:
    buckets = sorted(set(before) | set(after), key=lambda k: int(k.split("-")[0]))
    if not buckets:
        return ""
    peak = max([*before.values(), *after.values(), 1])
    col_w, h = 46, 180
    parts = []
    for i, bucket in enumerate(buckets):
        x = 40 + i * col_w
        for j, (series, color) in enumerate(((before, "#9bb"), (after, "#2a7"))):
            v = series.get(bucket, 0)
            bh = int(h * v / peak)
            parts.append(
                f'<rect x="{x + j * 18}" y="{h - bh + 10}" width="16" height="{bh}" fill="{color}">'
                f"<title>{bucket} chars: {v:,}</title></rect>"
            )
        parts.append(f'<text x="{x + 17}" y="{h + 26}" text-anchor="middle" font-size="9">{bucket}</text>')
    legend = (
        '<rect x="40" y="0" width="10" height="10" fill="#9bb"/><text x="54" y="9">before</text>'
        '<rect x="110" y="0" width="10" height="10" fill="#2a7"/><text x="124" y="9">after</text>'
    )
    width = 60 + col_w * len(buckets)
    return (
        f"<h2>Document length (characters) before and after</h2><svg width='{width}' height='{h + 40}' "
        f"font-family='sans-serif' font-size='11'>{legend}{''.join(parts)}</svg>"
    )


def render_html(report: dict[str, Any]) -> str:
    """A self-contained page (inline SVG, no scripts or external files)."""
    d, b = report["documents"], report["bytes"]
    cards = "".join(
        f"<div class='card'><div class='n'>{v:,}</div><div>{html.escape(k)}</div></div>"
        for k, v in (
            ("documents in", d["in"]),
            ("unchanged", d["unchanged"]),
            ("changed", d["changed"]),
            ("dropped", d["dropped"]),
            ("quarantined", d["quarantined"]),
            ("MB in", round(b["in"] / 1e6, 1)),
            ("MB out", round(b["out"] / 1e6, 1)),
        )
    )
    body = [
        "<h1>cleaner run report</h1>",
        f"<p>input <code>{html.escape(str(report.get('input', '')))}</code>, rules "
        f"<code>{html.escape(', '.join(report.get('rules', [])))}</code>, {report.get('files', 0)} files, "
        f"{report.get('seconds', 0):.1f} s"
        + {True: ", C accelerator", False: ", pure Python"}.get(report.get("accelerated"), "")  # type: ignore[arg-type]
        + "</p>",
        f"<div class='cards'>{cards}</div>",
        _bars("Edits per rule", report["edits_by_rule"], "#36c"),
        _bars("Documents dropped per rule", report["drops_by_rule"], "#c63"),
        _bars("Documents quarantined per problem", report.get("quarantine_by_problem", {}), "#a3a"),
        _lengths(report.get("length_before", {}), report.get("length_after", {})),
        _bars("Seconds per step", report["seconds_by_step"], "#888"),
    ]
    style = (
        "body{font-family:sans-serif;margin:2em;color:#222} .cards{display:flex;gap:1em;flex-wrap:wrap}"
        " .card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em} .n{font-size:1.5em;font-weight:bold}"
        " h2{margin-top:1.6em;font-size:1.1em}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>cleaner report</title>"
        f"<style>{style}</style></head><body>{''.join(body)}</body></html>\n"
    )


def load_report(out_dir: Path) -> dict[str, Any]:
    path = out_dir / "_report.json"
    if not path.is_file():
        from cleaner.errors import CleanerError

        raise CleanerError(f"{out_dir}: no _report.json (is this the --out of a finished `cleaner run`?)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
