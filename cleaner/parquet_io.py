"""Parquet inputs (optional extra `cleaner[parquet]`): row batches in, the same schema out."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cleaner.corpus_worker import clean_chunk
from cleaner.errors import CleanerError, InputError
from cleaner.formats import AtomicWriter, InputFile
from cleaner.report import Stats

BATCH_ROWS = 1000


def parquet_items(f: InputFile, field: str) -> Iterator[list[tuple[int | None, bytes]]]:
    """The text column in batches of (row number, UTF-8 bytes; b"\\x00" for a missing value), for counting."""
    import pyarrow.parquet as pq

    source = pq.ParquetFile(f.path)
    if field not in source.schema_arrow.names:
        return
    row = 0
    for batch in source.iter_batches(batch_size=BATCH_ROWS, columns=[field]):
        values = batch.column(0).to_pylist()
        yield [(row + i + 1, v.encode("utf-8") if isinstance(v, str) else b"\x00") for i, v in enumerate(values)]
        row += len(values)


def process_parquet(
    f: InputFile, executor: Any, out_dir: Path, dropped_dir: Path, field: str, policy: str, strict: bool, emit: Any
) -> Stats:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise CleanerError(f"{f.relpath}: reading Parquet needs pyarrow: pip install 'cleaner[parquet]'") from None
    stats = Stats()
    source = pq.ParquetFile(f.path)
    if field not in source.schema_arrow.names:
        raise InputError(f.relpath, f"no column {field!r} (columns: {', '.join(source.schema_arrow.names)})")
    main_path = out_dir / f.relpath
    tmp = main_path.with_name(f".{main_path.name}.tmp-{os.getpid()}")
    main_path.parent.mkdir(parents=True, exist_ok=True)
    writer = pq.ParquetWriter(tmp, source.schema_arrow)
    side: dict[str, AtomicWriter] = {}
    side_paths = {
        "dropped": dropped_dir / f"{f.relpath}.jsonl",
        "quarantined": out_dir / "_quarantine" / f"{f.relpath}.jsonl",
    }
    row = 0
    try:
        for batch in source.iter_batches(batch_size=BATCH_ROWS):
            values = batch.column(batch.schema.get_field_index(field)).to_pylist()
            items = [(row + i + 1, v.encode("utf-8") if isinstance(v, str) else b"\x00") for i, v in enumerate(values)]
            result = executor.submit(clean_chunk, "value", f.relpath, items, field, policy, strict).result()
            keep, texts = [], []
            rows = None
            if strict and result.first_problem is not None:
                raise InputError(f.relpath, result.first_problem[1], result.first_problem[0])
            stats.merge(result.stats)
            for i, outcome in enumerate(result.outcomes):
                if outcome.status in ("unchanged", "changed"):
                    keep.append(i)
                    texts.append((outcome.out or b"").decode("utf-8"))
                else:
                    rows = rows or batch.to_pylist()
                    record = json.loads(outcome.side or b"{}")
                    record["record"] = rows[i]
                    if outcome.status not in side:
                        side[outcome.status] = AtomicWriter(side_paths[outcome.status])
                    side[outcome.status].write((json.dumps(record, ensure_ascii=False, default=str) + "\n").encode())
            kept = batch.take(pa.array(keep, type=pa.int64()))
            column = pa.array(texts, type=kept.schema.field(field).type)
            kept = kept.set_column(kept.schema.get_field_index(field), field, column)
            writer.write_table(pa.Table.from_batches([kept], schema=source.schema_arrow))
            emit({"event": "chunk", "file": f.relpath, "documents": len(values), "bytes": 0})
            row += len(values)
        writer.close()
        for status, path in side_paths.items():
            if status in side:
                side[status].commit()
            else:
                path.unlink(missing_ok=True)
        tmp.replace(main_path)
    except BaseException:
        writer.close()
        tmp.unlink(missing_ok=True)
        for w in side.values():
            w.abort()
        raise
    return stats
