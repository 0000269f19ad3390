"""`cleaner learn-boilerplate`: corpus-level boilerplate written out as a reviewable rule file.

The first pass is the one `cleaner run` makes (`runner.learn_lines`); a second pass
reads the corpus again to recover the text of each frequent line and, per site,
one line of real prose from the same site that the rules must keep (so the
written file passes `cleaner rules test` like any hand-written one).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cleaner.corpus_lines import LearnedLines, host_of, line_hash, line_key
from cleaner.corpus_worker import text_and_url
from cleaner.formats import InputFile
from cleaner.textin import normalize_newlines

KEEP_MIN_WORDS = 8  # a line this long that is not boilerplate serves as the site's `keeps` example


@dataclass
class _Site:
    lines: dict[int, str] = field(default_factory=dict)  # hash → first spelling seen
    keep: str = ""


def collect(
    files: list[InputFile], learned: LearnedLines, field_name: str, url_field: str, policy: str
) -> dict[str, _Site]:
    """Second pass: the text of every learned line, grouped by host, and a prose line per host."""
    from cleaner.runner import raw_items

    sites: dict[str, _Site] = defaultdict(_Site)
    for f in files:
        for items in raw_items(f, field_name):
            for _line, raw in items:
                text, url = text_and_url(f.kind, raw, field_name, url_field, policy)
                if text is None:
                    continue
                host = host_of(url)
                site = sites[host]
                for line in normalize_newlines(text).split("\n"):
                    key = line_key(line)
                    if not key:
                        continue
                    h = line_hash(host, key)
                    if h in learned.counts:
                        site.lines.setdefault(h, line.strip())
                    elif len(key.split()) >= KEEP_MIN_WORDS and len(line.strip()) > len(site.keep):
                        site.keep = line.strip()
    return {host: site for host, site in sites.items() if site.lines}


def _toml(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, plus DEL, which TOML wants escaped)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _rule_id(host: str) -> str:
    return "learned-" + (re.sub(r"[^a-z0-9_.-]+", "-", host).strip("-.") or "corpus")


def render(sites: dict[str, _Site], learned: LearnedLines, source: str, min_documents: int, documents: int) -> str:
    out = [
        f"# Learned by `cleaner learn-boilerplate {source}` on {date.today().isoformat()}: lines seen in at least",
        f"# {min_documents} distinct documents of one site ({documents:,} documents counted). Review before use:",
        "# delete any line that is content. Use with `--rules web --rules THIS_FILE`.",
        "[meta]",
        'name = "learned"',
        f"description = {_toml(f'corpus-level boilerplate learned from {source}')}",
    ]
    used: set[str] = set()
    for host in sorted(sites, key=lambda h: (-len(sites[h].lines), h)):
        site = sites[host]
        rid = _rule_id(host)
        while rid in used:
            rid += "-x"
        used.add(rid)
        ranked = sorted(site.lines.items(), key=lambda kv: (-learned.counts[kv[0]], kv[1]))
        where = host or "documents without a URL (applies to every document)"
        out += ["", "[[learned]]", f'id = "{rid}"', f"description = {_toml(f'lines repeated across pages of {where}')}"]
        out.append(f"host = {_toml(host)}")
        out.append("lines = [")
        out += [f"  {_toml(text)},  # {learned.counts[h]} documents" for h, text in ranked]
        out.append("]")
        out.append(f"examples = [{_toml(ranked[0][1])}]")
        keep = (
            site.keep
            or "The committee met on Tuesday and agreed that the work on the new bridge should begin in spring."
        )
        out.append(f"keeps = [{_toml(keep)}]")
    return "\n".join(out) + "\n"


def write(path: Path, text: str) -> None:
    from cleaner.formats import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text.encode("utf-8"))
