"""`cleaner dedup`: near-duplicate removal over a corpus directory, same inputs and formats as `cleaner run`.

Pass 1 reads every document into a Deduplicator; pass 2 rewrites each file
without the removed documents (atomically, same format and relative path) and
records every removal in OUT/_duplicates.jsonl: its id, the kept document's
id, the cluster and the similarity. Records that cannot be parsed are passed
through unchanged and counted: removing duplicates is not the place to lose
data.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleaner.dedup.deduplicator import Deduplicator
from cleaner.errors import CleanerError
from cleaner.formats import AtomicWriter, InputFile, StreamError, discover, iter_lines, write_atomic
from cleaner.textin import decode


def _documents(f: InputFile, field: str) -> Iterator[tuple[str, str | None, str | None]]:
    """(key, record id, text) for each document of a file; text None for unparseable records."""
    if f.kind == "text":
        yield f.relpath, None, decode(f.path.read_bytes(), f.relpath).text
    elif f.kind == "jsonl":
        try:
            for line_no, raw in enumerate(iter_lines(f.path, f.suffix), 1):
                if not raw.strip():
                    continue
                key = f"{f.relpath}:{line_no}"
                try:
                    record = json.loads(decode(raw, key).text)
                except json.JSONDecodeError:
                    yield key, None, None
                    continue
                value = record.get(field) if isinstance(record, dict) else None
                rid = record.get("id") if isinstance(record, dict) else None
                yield key, None if rid is None else str(rid), value if isinstance(value, str) else None
        except StreamError as exc:
            raise CleanerError(f"{f.relpath}: {exc}") from None
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(f.path, columns=[field])
        for row, value in enumerate(table.column(field).to_pylist(), 1):
            yield f"{f.relpath}:{row}", None, value if isinstance(value, str) else None


def dedup_corpus(
    source: str | Path,
    out: str | Path,
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int = 5,
    keep: str = "first",
    field: str = "text",
    hash: str = "fast",
    index: str | Path | None = None,
) -> dict[str, Any]:
    """Remove near-duplicate documents from a corpus into `out`; returns the report."""
    started = time.perf_counter()
    out_dir = Path(out)
    files, skipped = discover(str(source))
    dedup = Deduplicator(threshold, num_perm, ngram, hash=hash, keep=keep)
    store = None
    if index is not None:
        from cleaner.dedup.index import SignatureIndex

        store = SignatureIndex(Path(index), dedup)
        store.preload()
    keys: list[str] = []
    ids: dict[str, str] = {}
    unparsed = 0
    for f in files:
        for key, rid, text in _documents(f, field):
            if text is None:
                unparsed += 1
                continue
            keys.append(key)
            ids[key] = rid or key
            dedup.add(key, text)
    removed = dedup.duplicates()
    out_dir.mkdir(parents=True, exist_ok=True)
    dup_writer = AtomicWriter(out_dir / "_duplicates.jsonl")
    for key in keys:
        dup = removed.get(key)
        if dup is not None:
            kept_key = dup.kept_id
            record = {
                "id": ids[key],
                "key": key,
                "kept_id": ids.get(kept_key, kept_key),
                "kept_key": kept_key,
                "cluster": dup.cluster,
                "similarity": round(dup.similarity, 4),
                "estimated": dup.estimated,
            }
            dup_writer.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
    for f in files:
        _rewrite(f, out_dir, removed, field)
    dup_writer.commit()
    if store is not None:
        store.save_new(removed, ids)
    exact = sum(1 for d in removed.values() if d.similarity == 1.0)
    report = {
        "documents": {
            "in": len(keys) + unparsed,
            "kept": len(keys) - len(removed),
            "removed": len(removed),
            "removed_exact": exact,
            "removed_near": len(removed) - exact,
            "unparsed": unparsed,
        },
        "clusters": len({d.cluster for d in removed.values()}),
        "threshold": threshold,
        "num_perm": num_perm,
        "ngram": ngram,
        "keep": keep,
        "hash": hash,
        "files": len(files),
        "skipped": skipped,
        "seconds": round(time.perf_counter() - started, 3),
    }
    write_atomic(out_dir / "_dedup_report.json", json.dumps(report, indent=1).encode("utf-8"))
    return report


def _rewrite(f: InputFile, out_dir: Path, removed: dict[str, Any], field: str) -> None:
    target = out_dir / f.relpath
    if f.kind == "text":
        if f.relpath in removed:
            target.unlink(missing_ok=True)
        else:
            write_atomic(target, f.path.read_bytes())
        return
    if f.kind == "jsonl":
        writer = AtomicWriter(target, f.suffix)
        for line_no, raw in enumerate(iter_lines(f.path, f.suffix), 1):
            if raw.strip() and f"{f.relpath}:{line_no}" not in removed:
                writer.write(raw if raw.endswith(b"\n") else raw + b"\n")
        writer.commit()
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(f.path)
    mask = pa.array([f"{f.relpath}:{row}" not in removed for row in range(1, table.num_rows + 1)])
    tmp = target.with_name(f".{target.name}.tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.filter(mask), tmp)
    tmp.replace(target)


def explain(out: str | Path, doc_id: str) -> str:
    """Why a document was removed (or not), from OUT/_duplicates.jsonl."""
    path = Path(out) / "_duplicates.jsonl"
    if not path.is_file():
        raise CleanerError(f"{out}: no _duplicates.jsonl (is this the --out of `cleaner dedup`?)")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    mine = [r for r in rows if doc_id in (r["id"], r["key"])]
    if not mine:
        kept_for = [r for r in rows if doc_id in (r["kept_id"], r["kept_key"])]
        if kept_for:
            others = ", ".join(f"{r['id']} ({r['similarity']:.2f})" for r in kept_for)
            return f"{doc_id}: kept; it stands for cluster {kept_for[0]['cluster']}, whose removed copies are: {others}"
        return f"{doc_id}: kept; no near duplicate found"
    r = mine[0]
    siblings = [x["id"] for x in rows if x["cluster"] == r["cluster"] and x["id"] != r["id"]]
    how = "estimated from MinHash signatures" if r.get("estimated") else "exact, over word n-gram shingles"
    return (
        f"{r['id']} ({r['key']}): removed as a duplicate of {r['kept_id']} ({r['kept_key']}); "
        f"Jaccard similarity {r['similarity']:.3f} ({how}); cluster {r['cluster']}"
        + (f" also removed: {', '.join(siblings)}" if siblings else "")
    )
