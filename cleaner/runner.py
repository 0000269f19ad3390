"""Corpus runs: a directory (or file, or glob) in, the same tree cleaned out, nothing lost.

Work is cut into chunks of records, cleaned in a process pool and written
back in input order, so the output does not depend on the number of workers.
Each input file's outputs are written to temporary files and renamed into
place; only then is the file recorded in the manifest. A run killed at any
moment (SIGINT, kill -9) and started again skips the files the manifest
lists and redoes the rest, so the final output is byte-identical to an
uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from cleaner import __version__
from cleaner.corpus_lines import LearnedLines, LineCounter
from cleaner.corpus_worker import ChunkResult, Outcome, clean_chunk, count_chunk, init_worker, quarantine
from cleaner.errors import CleanerError, InputError
from cleaner.formats import AtomicWriter, InputFile, StreamError, discover, iter_lines, write_atomic
from cleaner.report import Stats, render_html
from cleaner.ruleset import load_rules

CHUNK_RECORDS = 1000
CHUNK_BYTES = 4 << 20
Progress = Callable[[dict[str, Any]], None]


class _InProcess:
    """The executor interface, run in this process (workers=1: simplest, easiest to debug)."""

    def __init__(self, rule_specs: list[str], learned: LearnedLines | None = None) -> None:
        init_worker(rule_specs, learned)

    def submit(self, fn: Callable[..., ChunkResult], *args: Any) -> Future[ChunkResult]:
        future: Future[ChunkResult] = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, cancel_futures: bool = False) -> None:
        pass


class Manifest:
    """What a run has finished, so a rerun continues where it stopped."""

    def __init__(self, out_dir: Path, fingerprint: str, restart: bool) -> None:
        self.path = out_dir / "_manifest.json"
        self.fingerprint = fingerprint
        self.files: dict[str, dict[str, Any]] = {}
        if self.path.is_file() and not restart:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("fingerprint") != fingerprint:
                raise CleanerError(
                    f"{out_dir}: holds a run made with other rules or options; "
                    "use another --out, or --restart to redo it from scratch"
                )
            self.files = data.get("files", {})

    def done(self, f: InputFile) -> bool:
        entry = self.files.get(f.relpath)
        stat = f.path.stat()
        return entry is not None and entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns

    def record(self, f: InputFile, stats: Stats) -> None:
        stat = f.path.stat()
        self.files[f.relpath] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "stats": stats.to_dict()}
        payload = {"version": __version__, "fingerprint": self.fingerprint, "files": self.files}
        write_atomic(self.path, json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8"))


def fingerprint(rule_files: Sequence[str], options: dict[str, Any]) -> str:
    h = hashlib.sha256(json.dumps({"version": __version__, **options}, sort_keys=True).encode())
    for path in rule_files:
        h.update(Path(path).read_bytes())
    return h.hexdigest()[:16]


def run(
    source: str | Path,
    out: str | Path,
    rules: Sequence[str] = ("default",),
    *,
    workers: int | None = None,
    field: str = "text",
    dropped: str | Path | None = None,
    strict: bool = False,
    on_invalid_utf8: str = "cp1252",
    restart: bool = False,
    progress: Progress | None = None,
    corpus_lines: bool = True,
) -> dict[str, Any]:
    """Clean every document under `source` into `out`; returns the report (also written to out/_report.json).

    When the rules enable corpus-level boilerplate (`[corpus_lines] min_documents`) and
    `corpus_lines` is true, a first pass over every input counts lines per site and the
    cleaning pass removes those seen in at least that many documents."""
    started = time.perf_counter()
    out_dir = Path(out)
    _check_paths(Path(source), out_dir)
    files, skipped = discover(str(source))
    rule_specs = list(rules) or ["default"]
    ruleset = load_rules(*rule_specs)  # fail on bad rules before touching the output
    options: dict[str, Any] = {
        "field": field,
        "on_invalid_utf8": on_invalid_utf8,
        "strict": strict,
        "rules": rule_specs,
    }
    n_workers = max(1, workers or os.cpu_count() or 1)
    emit = progress or (lambda event: None)
    learned: LearnedLines | None = None
    learning: dict[str, Any] = {}
    if corpus_lines and ruleset.corpus_lines.min_documents and files:
        learned, learning = learn_lines(files, rule_specs, n_workers, field, on_invalid_utf8)
        options["learned"] = learned.digest()  # a resumed run must have learned the same lines
        emit({"event": "learned", **learning})
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.rglob(".*.tmp-*"):  # left by a run that was killed mid-file
        stale.unlink(missing_ok=True)
    manifest = Manifest(out_dir, fingerprint(ruleset.files, options), restart)
    dropped_dir = Path(dropped) if dropped else out_dir / "_dropped"
    todo = [f for f in files if not manifest.done(f)]
    total_bytes = sum(f.size for f in todo)
    emit({"event": "start", "files": len(files), "todo": len(todo), "bytes_total": total_bytes, "workers": n_workers})
    executor: Any = None
    try:
        if todo:
            executor = _executor(n_workers, rule_specs, learned)
        _run_files(todo, executor, n_workers, out_dir, dropped_dir, field, on_invalid_utf8, strict, manifest, emit)
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    report = _report(manifest, files, skipped, str(source), rule_specs, time.perf_counter() - started)
    if learning:
        report["corpus_lines"] = learning
    write_atomic(out_dir / "_report.json", json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8"))
    write_atomic(out_dir / "_report.html", render_html(report).encode("utf-8"))
    emit({"event": "done", "report": report})
    return report


def _executor(n_workers: int, rule_specs: list[str], learned: LearnedLines | None) -> Any:
    if n_workers == 1:
        return _InProcess(rule_specs, learned)
    return ProcessPoolExecutor(
        n_workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(rule_specs, learned),
    )


def learn_lines(
    files: list[InputFile],
    rule_specs: list[str],
    n_workers: int,
    field: str,
    policy: str,
    min_documents: int | None = None,
) -> tuple[LearnedLines, dict[str, Any]]:
    """The first pass of corpus-level boilerplate: count lines over every input file, in the pool.

    Returns the lines seen in at least `min_documents` (default: the rules' `[corpus_lines]
    min_documents`) distinct documents of one site, and figures for the report."""
    if min_documents is None:
        min_documents = load_rules(*rule_specs).corpus_lines.min_documents
    counter = LineCounter()
    executor = _executor(n_workers, rule_specs, None)
    pending: deque[Future[list[tuple[int, list[int]]]]] = deque()

    def drain(limit: int) -> None:
        while len(pending) > limit:
            for doc_hash, hashes in pending.popleft().result():
                counter.add(doc_hash, hashes)

    try:
        for f in files:
            for items in raw_items(f, field):
                pending.append(executor.submit(count_chunk, f.kind, f.relpath, items, field, policy))
                drain(2 * n_workers)
        drain(0)
    finally:
        executor.shutdown(cancel_futures=True)
    learned = counter.frequent(min_documents)
    figures = {
        "min_documents": min_documents,
        "documents_counted": counter.documents,
        "identical_documents_skipped": counter.duplicates,
        "distinct_lines": counter.distinct_lines,
        "boilerplate_lines": len(learned),
    }
    return learned, figures


def raw_items(f: InputFile, field: str) -> Iterator[list[tuple[int | None, bytes]]]:
    """The items of one file in chunks, as the cleaning pass sees them; a broken stream ends them early."""
    if f.kind == "parquet":
        from cleaner.parquet_io import parquet_items

        yield from parquet_items(f, field)
        return
    for items, _problem, _size in _chunks(f):
        if items:
            yield items


def _check_paths(source: Path, out_dir: Path) -> None:
    if source.is_dir():
        src, dst = source.resolve(), out_dir.resolve()
        if dst == src or src in dst.parents:
            raise CleanerError(f"{out_dir}: the output directory must not be inside the input directory {source}")


def _chunks(f: InputFile) -> Iterator[tuple[list[tuple[int | None, bytes]], Outcome | None, int]]:
    """(items, stream problem, raw bytes read) per chunk of one file."""
    if f.kind == "text":
        data = f.path.read_bytes()
        yield [(None, data)], None, len(data)
        return
    items: list[tuple[int | None, bytes]] = []
    size = 0
    line_no = 0
    try:
        for line_no, raw in enumerate(iter_lines(f.path, f.suffix), 1):
            if not raw.strip():
                continue
            items.append((line_no, raw))
            size += len(raw)
            if len(items) >= CHUNK_RECORDS or size >= CHUNK_BYTES:
                yield items, None, size
                items, size = [], 0
    except StreamError as exc:
        yield items, quarantine(f.relpath, line_no + 1, str(exc), "broken-stream", b""), size
        return
    if items:
        yield items, None, size


class _FileOutputs:
    """The three outputs of one input file, committed together at its end."""

    def __init__(self, f: InputFile, out_dir: Path, dropped_dir: Path) -> None:
        self.f = f
        self.paths = {
            "main": out_dir / f.relpath,
            "dropped": dropped_dir / f"{f.relpath}.jsonl",
            "quarantined": out_dir / "_quarantine" / f"{f.relpath}.jsonl",
        }
        self.writers: dict[str, AtomicWriter] = {}

    def write(self, which: str, data: bytes) -> None:
        if not data:
            return
        if which not in self.writers:
            self.writers[which] = AtomicWriter(self.paths[which], self.f.suffix if which == "main" else "")
        self.writers[which].write(data)

    def commit(self) -> None:
        if "main" not in self.writers and self.f.kind == "jsonl":  # an empty file keeps the tree complete
            self.writers["main"] = AtomicWriter(self.paths["main"], self.f.suffix)
        for which in ("dropped", "quarantined", "main"):  # the main output last: it marks the file as done
            if which in self.writers:
                self.writers[which].commit()
            else:
                self.paths[which].unlink(missing_ok=True)  # stale from an earlier run

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()


class _FileRun:
    """One input file in flight: its outputs and stats, absorbing chunk results in order."""

    def __init__(self, f: InputFile, out_dir: Path, dropped_dir: Path, strict: bool) -> None:
        self.f = f
        self.strict = strict
        self.stats = Stats()
        self.outputs = _FileOutputs(f, out_dir, dropped_dir)

    def absorb(self, result: ChunkResult | None, problem: Outcome | None) -> None:
        if result is not None:
            if self.strict and result.first_problem is not None:
                line, message = result.first_problem
                raise InputError(self.f.relpath, message, line)
            self.stats.merge(result.stats)
            self.outputs.write("main", result.out)
            self.outputs.write("dropped", result.dropped)
            self.outputs.write("quarantined", result.quarantined)
        if problem is not None:  # the byte stream broke after this chunk
            record = json.loads(problem.side or b"{}")
            if self.strict:
                raise InputError(self.f.relpath, record.get("problem", "unreadable input"), record.get("line"))
            self.stats.add(problem)
            self.outputs.write("quarantined", problem.side or b"")


def _with_last(chunks: Iterator[Any]) -> Iterator[tuple[Any, bool]]:
    previous = None
    for chunk in chunks:
        if previous is not None:
            yield previous, False
        previous = chunk
    if previous is not None:
        yield previous, True


def _run_files(
    todo: list[InputFile],
    executor: Any,
    n_workers: int,
    out_dir: Path,
    dropped_dir: Path,
    field: str,
    policy: str,
    strict: bool,
    manifest: Manifest,
    emit: Progress,
) -> None:
    """Clean files with chunks of several files in flight at once; commit each file in input order."""
    pending: deque[tuple[_FileRun, Future[ChunkResult] | None, Outcome | None, int, int, bool]] = deque()
    in_flight: dict[str, _FileRun] = {}

    def finish(run: _FileRun) -> None:
        run.outputs.commit()
        manifest.record(run.f, run.stats)
        in_flight.pop(run.f.relpath, None)
        compressed = run.f.suffix.endswith((".gz", ".zst"))  # their chunks report decompressed bytes
        emit(
            {
                "event": "file",
                "file": run.f.relpath,
                "bytes": run.f.size if compressed else 0,
                "documents": run.stats.total,
            }
        )

    def drain(limit: int) -> None:
        while len(pending) > limit:
            run, future, problem, size, count, last = pending.popleft()
            run.absorb(future.result() if future is not None else None, problem)
            compressed = run.f.suffix.endswith((".gz", ".zst"))
            emit({"event": "chunk", "file": run.f.relpath, "documents": count, "bytes": 0 if compressed else size})
            if last:
                finish(run)

    try:
        for f in todo:
            if f.kind == "parquet":
                from cleaner.parquet_io import process_parquet

                drain(0)
                manifest.record(f, process_parquet(f, executor, out_dir, dropped_dir, field, policy, strict, emit))
                emit({"event": "file", "file": f.relpath, "bytes": f.size, "documents": 0})
                continue
            run = _FileRun(f, out_dir, dropped_dir, strict)
            in_flight[f.relpath] = run
            submitted = False
            for (items, problem, size), last in _with_last(_chunks(f)):
                future = (
                    executor.submit(clean_chunk, f.kind, f.relpath, items, field, policy, strict) if items else None
                )
                pending.append((run, future, problem, size, len(items), last))
                submitted = True
                drain(2 * n_workers)
            if not submitted:  # an empty file
                pending.append((run, None, None, 0, 0, True))
        drain(0)
    except BaseException:
        for run in in_flight.values():
            run.outputs.abort()
        raise


def _report(
    manifest: Manifest, files: list[InputFile], skipped: list[str], source: str, rules: list[str], seconds: float
) -> dict[str, Any]:
    total = Stats()
    for f in files:
        entry = manifest.files.get(f.relpath)
        if entry:
            total.merge(Stats.from_dict(entry["stats"]))
    from cleaner.accel import accel

    report = total.to_dict()
    report.update(
        {"input": source, "rules": rules, "files": len(files), "skipped": skipped, "seconds": round(seconds, 3)}
    )
    report["accelerated"] = accel is not None  # the C inner loops (same output; speed only)
    return report
