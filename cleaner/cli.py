"""The `cleaner` command line. Thin: parse arguments, call the library, print.

Exit codes: 0 ok, 1 input or rule-file error, 2 usage error. Errors are one
line on stderr, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from cleaner.errors import CleanerError

app = typer.Typer(
    name="cleaner",
    help="Clean and deduplicate text for NLP corpora.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="List, show, check and test rule files.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(rules_app, name="rules")

RulesOption = Annotated[
    list[str] | None,
    typer.Option("--rules", "-r", help="Shipped rule pack name or path to a .toml file; repeatable, merged in order."),
]


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        from cleaner.accel import accel

        try:
            number = version("cleaner")
        except PackageNotFoundError:
            number = "unknown"
        import os

        if accel is not None:
            speed = f"C accelerator {accel.__file__}"
        elif os.environ.get("CLEANER_NO_ACCEL"):
            speed = "pure Python: CLEANER_NO_ACCEL is set"
        else:
            speed = "pure Python: the C accelerator is not built (no C compiler at install?)"
        typer.echo(f"cleaner {number} ({speed})")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and whether C is in use."),
    ] = False,
) -> None:
    """Clean and deduplicate text for NLP corpora."""


def _open_inputs(files: list[str]) -> Iterator[tuple[str, BinaryIO]]:
    for name in files or ["-"]:
        if name == "-":
            yield "<stdin>", sys.stdin.buffer
        else:
            path = Path(name)
            if path.is_dir():
                raise CleanerError(f"{name}: is a directory (use `cleaner run DIR --out OUT` for corpus directories)")
            try:
                fh = path.open("rb")
            except OSError as exc:
                raise CleanerError(f"{name}: cannot open: {exc.strerror}") from None
            with fh:
                yield name, fh


@app.command()
def clean(
    files: Annotated[list[str] | None, typer.Argument(help="Text files to clean; '-' or nothing reads stdin.")] = None,
    rules: RulesOption = None,
    explain: Annotated[bool, typer.Option("--explain", help="Print every edit (rule id, line) to stderr.")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Input is JSON Lines; clean one field per record.")] = False,
    field: Annotated[str, typer.Option("--field", help="The JSONL field holding the text.")] = "text",
    add_fields: Annotated[
        bool, typer.Option("--add-fields", help="JSONL: add cleaner_status and cleaner_reason.")
    ] = False,
    keep_dropped: Annotated[
        bool,
        typer.Option(
            "--keep-dropped", help="JSONL: write dropped records with an empty field instead of leaving them out."
        ),
    ] = False,
    on_invalid_utf8: Annotated[
        str,
        typer.Option(
            "--on-invalid-utf8", help="cp1252 (decode stray bytes as Windows-1252), replace (U+FFFD) or strict (error)."
        ),
    ] = "cp1252",
    corpus_lines: Annotated[
        bool,
        typer.Option(
            "--corpus-lines/--no-corpus-lines",
            help="Where the rules enable corpus-level boilerplate ([corpus_lines], as `web` does): read all "
            "input first and remove lines seen in many documents of one site. --no-corpus-lines streams instead.",
        ),
    ] = True,
) -> None:
    """Clean text files or stdin and write the result to stdout."""
    from cleaner.pipeline import Pipeline
    from cleaner.ruleset import load_rules
    from cleaner.textin import POLICIES

    if on_invalid_utf8 not in POLICIES:
        raise typer.BadParameter(f"choose one of {', '.join(POLICIES)}", param_hint="--on-invalid-utf8")
    pipeline = Pipeline(load_rules(*(rules or ["default"])))
    out = sys.stdout
    failed = False
    inputs = _open_inputs(files or [])
    if corpus_lines and pipeline.rules.corpus_lines.min_documents:
        pipeline, inputs = _learn_then_replay(pipeline, inputs, jsonl, field, on_invalid_utf8)
    for name, fh in inputs:
        if jsonl:
            failed |= _clean_jsonl(pipeline, name, fh, field, explain, add_fields, keep_dropped, on_invalid_utf8)
        else:
            failed |= _clean_text(pipeline, name, fh, explain, on_invalid_utf8)
        out.flush()
    if failed:
        raise typer.Exit(1)


def _learn_then_replay(
    pipeline: object, inputs: Iterator[tuple[str, BinaryIO]], jsonl: bool, field: str, policy: str
) -> tuple[Any, Iterator[tuple[str, BinaryIO]]]:
    """Corpus-level boilerplate for a stream: spool the input to temporary files while counting lines,
    then replay it through a pipeline that removes the lines seen in enough documents."""
    import tempfile

    from cleaner.corpus_lines import LineCounter, document_hashes, host_of
    from cleaner.corpus_worker import text_and_url
    from cleaner.pipeline import Pipeline
    from cleaner.textin import normalize_newlines

    assert isinstance(pipeline, Pipeline)
    settings = pipeline.rules.corpus_lines
    counter = LineCounter()
    spooled: list[tuple[str, BinaryIO]] = []
    for name, fh in inputs:
        spool: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the run ends
        items = iter(fh) if jsonl else iter([fh.read()])
        for raw in items:
            spool.write(raw)
            text, url = text_and_url("jsonl" if jsonl else "text", raw, field, settings.url_field, policy)
            if text is not None:
                counter.add(*document_hashes(normalize_newlines(text), host_of(url), settings.max_words))
        spool.seek(0)
        spooled.append((name, spool))
    return pipeline.with_learned(counter.frequent(settings.min_documents)), iter(spooled)


def _report(name: str, result: object, explain: bool, where: str = "") -> None:
    from cleaner.document import Result

    assert isinstance(result, Result)
    if explain:
        for edit in result.edits:
            line = f":{edit.line}" if edit.line is not None else ""
            _err(f"{name}{where}{line}: {edit.summary()}")
    if result.dropped:
        _err(f"{name}{where}: dropped by rule '{result.rule}': {result.reason}")


def _clean_text(pipeline: object, name: str, fh: BinaryIO, explain: bool, policy: str) -> bool:
    from cleaner.pipeline import Pipeline
    from cleaner.textin import decode

    assert isinstance(pipeline, Pipeline)
    decoded = decode(fh.read(), name, policy)
    warning = decoded.warning(name, policy)
    if warning:
        _err(warning)
    result = pipeline.clean(decoded.text)
    _report(name, result, explain)
    if result.text:
        sys.stdout.write(result.text + "\n")
    return False


def _clean_jsonl(
    pipeline: object,
    name: str,
    fh: BinaryIO,
    field: str,
    explain: bool,
    add_fields: bool,
    keep_dropped: bool,
    policy: str,
) -> bool:
    from cleaner.document import Document
    from cleaner.pipeline import Pipeline
    from cleaner.textin import decode

    assert isinstance(pipeline, Pipeline)
    failed = False
    for lineno, raw in enumerate(fh, 1):
        if not raw.strip():
            continue
        where = f":{lineno}"
        try:
            decoded = decode(raw, f"{name}:{lineno}", policy)
            record = json.loads(decoded.text)
        except CleanerError as exc:
            _err(f"cleaner: error: {exc}")
            failed = True
            continue
        except json.JSONDecodeError as exc:
            _err(f"cleaner: error: {name}{where}: invalid JSON: {exc.msg} at column {exc.colno}")
            failed = True
            continue
        if decoded.invalid_bytes:
            _err(f"{name}{where}: warning: {decoded.invalid_bytes} invalid UTF-8 byte(s) decoded under policy {policy}")
        if not isinstance(record, dict):
            _err(f"cleaner: error: {name}{where}: record is not a JSON object")
            failed = True
            continue
        value = record.get(field)
        if not isinstance(value, str):
            what = "has no field" if field not in record else "has a non-string field"
            _err(f"cleaner: error: {name}{where}: record {what} {field!r}")
            failed = True
            continue
        doc_id = record.get("id")
        url = record.get(pipeline.rules.corpus_lines.url_field)
        result = pipeline.clean(Document(text=value, id=str(doc_id) if doc_id is not None else None, meta={"url": url}))
        label = f"{where} [{doc_id}]" if doc_id is not None else where
        _report(name, result, explain, label)
        if result.dropped and not keep_dropped:
            continue
        record[field] = result.text
        if add_fields:
            record["cleaner_status"] = result.status
            record["cleaner_reason"] = result.reason or ""
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    return failed


@app.command()
def run(
    source: Annotated[str, typer.Argument(help="Input directory (recursive), file, or glob pattern.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Output directory (same relative paths and formats).")],
    rules: RulesOption = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", help="Worker processes (default: all cores).")
    ] = None,
    field: Annotated[str, typer.Option("--field", help="JSONL/Parquet field holding the text.")] = "text",
    dropped: Annotated[
        str | None, typer.Option("--dropped", help="Where dropped documents go (default OUT/_dropped).")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first unreadable input instead of quarantining it.")
    ] = False,
    restart: Annotated[
        bool, typer.Option("--restart", help="Ignore what an earlier run in OUT finished; redo everything.")
    ] = False,
    on_invalid_utf8: Annotated[str, typer.Option("--on-invalid-utf8", help="cp1252, replace or strict.")] = "cp1252",
    dedup: Annotated[bool, typer.Option("--dedup", help="Then remove near-duplicate documents from OUT.")] = False,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or ray (Ray Data; pip install 'cleaner[ray]').")
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster: auto, ray://host:10001.")
    ] = None,
    threshold: Annotated[float, typer.Option("--threshold", help="With --dedup: Jaccard threshold.")] = 0.8,
    corpus_lines: Annotated[
        bool,
        typer.Option(
            "--corpus-lines/--no-corpus-lines",
            help="Where the rules enable corpus-level boilerplate ([corpus_lines], as `web` does): a first pass "
            "counts lines per site, the cleaning pass removes those seen in many documents.",
        ),
    ] = True,
) -> None:
    """Clean a corpus directory into OUT: resumable, parallel, nothing lost (see OUT/_report.html)."""
    from cleaner.report import summary_table
    from cleaner.runner import run as run_corpus
    from cleaner.textin import POLICIES

    if on_invalid_utf8 not in POLICIES:
        raise typer.BadParameter(f"choose one of {', '.join(POLICIES)}", param_hint="--on-invalid-utf8")
    if workers is not None and workers < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--workers")
    if engine == "ray":
        from cleaner.engines.ray import run_corpus as run_on_ray

        counts = run_on_ray(source, out, rules or ["default"], field, ray_address, corpus_lines)
        typer.echo(
            f"ray: documents in {counts['in']:,}, written {counts['kept_or_changed']:,}, dropped {counts['dropped']:,}"
        )
        return
    if engine != "local":
        raise typer.BadParameter("choose local or ray", param_hint="--engine")
    from cleaner.progress import ProgressDisplay

    with ProgressDisplay() as progress:
        report = run_corpus(
            source,
            out,
            rules or ["default"],
            workers=workers,
            field=field,
            dropped=dropped,
            strict=strict,
            on_invalid_utf8=on_invalid_utf8,
            restart=restart,
            progress=progress,
            corpus_lines=corpus_lines,
        )
    typer.echo(summary_table(report))
    typer.echo(f"report: {Path(out) / '_report.html'}")
    if dedup:
        from cleaner.dedup.corpus import dedup_corpus

        result = dedup_corpus(out, out, threshold=threshold, field=field)
        d = result["documents"]
        typer.echo(
            f"dedup: {d['removed']:,} of {d['in']:,} documents removed ({d['removed_exact']:,} exact, "
            f"{d['removed_near']:,} near) in {result['clusters']:,} clusters; see {Path(out) / '_duplicates.jsonl'}"
        )


@app.command("learn-boilerplate")
def learn_boilerplate(
    source: Annotated[str, typer.Argument(help="Corpus: directory (recursive), file, or glob pattern.")],
    output: Annotated[str, typer.Option("--output", "-o", help="The rule file to write (e.g. rules/learned.toml).")],
    rules: RulesOption = None,
    min_documents: Annotated[
        int | None,
        typer.Option("--min-documents", "-n", help="Seen in at least this many documents of a site (default: rules)."),
    ] = None,
    field: Annotated[str, typer.Option("--field", help="JSONL/Parquet field holding the text.")] = "text",
    workers: Annotated[int | None, typer.Option("--workers", "-w", help="Worker processes.")] = None,
    on_invalid_utf8: Annotated[str, typer.Option("--on-invalid-utf8", help="cp1252, replace or strict.")] = "cp1252",
) -> None:
    """Find lines repeated across many documents of one site and write them as a reviewable rule file."""
    import os

    from cleaner.formats import discover
    from cleaner.learned_rules import collect, render, write
    from cleaner.ruleset import load_rules
    from cleaner.runner import learn_lines

    specs = rules or ["web"]
    ruleset = load_rules(*specs)
    n = min_documents if min_documents is not None else (ruleset.corpus_lines.min_documents or 3)
    if n < 2:
        raise typer.BadParameter("must be at least 2", param_hint="--min-documents")
    files, _skipped = discover(source)
    n_workers = max(1, workers or os.cpu_count() or 1)
    learned, figures = learn_lines(files, specs, n_workers, field, on_invalid_utf8, n)
    sites = collect(files, learned, field, ruleset.corpus_lines.url_field, on_invalid_utf8)
    write(Path(output), render(sites, learned, source, n, figures["documents_counted"]))
    typer.echo(
        f"{len(learned):,} boilerplate lines from {len(sites):,} site(s) in {figures['documents_counted']:,} documents "
        f"({figures['identical_documents_skipped']:,} identical ones counted once) -> {output}"
    )


@app.command()
def dedup(
    source: Annotated[str, typer.Argument(help="Input directory (recursive), file, or glob pattern.")],
    out: Annotated[str, typer.Option("--out", "-o", help="Output directory (same relative paths and formats).")],
    threshold: Annotated[float, typer.Option("--threshold", help="Jaccard similarity of word n-gram sets.")] = 0.8,
    num_perm: Annotated[int, typer.Option("--num-perm", help="MinHash permutations.")] = 128,
    ngram: Annotated[int, typer.Option("--ngram", help="Words per shingle.")] = 5,
    keep: Annotated[str, typer.Option("--keep", help="Which copy of a cluster stays: first or longest.")] = "first",
    index: Annotated[str | None, typer.Option("--index", help="SQLite index of earlier runs' signatures.")] = None,
    field: Annotated[str, typer.Option("--field", help="JSONL/Parquet field holding the text.")] = "text",
    hash_name: Annotated[str, typer.Option("--hash", help="fast, or datasketch (bit-identical signatures).")] = "fast",
    explain: Annotated[
        str | None, typer.Option("--explain", help="Explain why document ID was removed (reads OUT).")
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="local, or ray (Ray Data; pip install 'cleaner[ray]').")
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster: auto, ray://host:10001.")
    ] = None,
) -> None:
    """Remove exact and near-duplicate documents (MinHash LSH); every removal is listed in OUT/_duplicates.jsonl."""
    from cleaner.dedup.corpus import dedup_corpus
    from cleaner.dedup.corpus import explain as explain_doc

    if explain is not None:
        typer.echo(explain_doc(out, explain))
        return
    if keep not in ("first", "longest"):
        raise typer.BadParameter("choose first or longest", param_hint="--keep")
    if hash_name not in ("fast", "datasketch"):
        raise typer.BadParameter("choose fast or datasketch", param_hint="--hash")
    if not 0 < threshold <= 1:
        raise typer.BadParameter("must be in (0, 1]", param_hint="--threshold")
    if engine == "ray":
        from cleaner.engines.ray import dedup_corpus as dedup_on_ray

        counts = dedup_on_ray(source, out, field, threshold, ray_address)
        typer.echo(f"ray: documents in {counts['in']:,}, removed {counts['removed']:,}")
        return
    result = dedup_corpus(
        source,
        out,
        threshold=threshold,
        num_perm=num_perm,
        ngram=ngram,
        keep=keep,
        field=field,
        hash=hash_name,
        index=index,
    )
    d = result["documents"]
    typer.echo(
        f"documents in {d['in']:,}: kept {d['kept']:,}, removed {d['removed']:,} ({d['removed_exact']:,} exact, "
        f"{d['removed_near']:,} near) in {result['clusters']:,} clusters; unparsed (kept as is) {d['unparsed']:,}"
    )
    typer.echo(f"removals: {Path(out) / '_duplicates.jsonl'}   ({result['seconds']:.1f} s)")


@app.command()
def report(out: Annotated[str, typer.Argument(help="The --out directory of a finished run.")]) -> None:
    """Print the summary of a finished run again."""
    from cleaner.report import load_report, summary_table

    typer.echo(summary_table(load_report(Path(out))))


@rules_app.command("list")
def rules_list() -> None:
    """List the shipped rule packs."""
    from cleaner.ruleset import _Merger, resolve, shipped_rule_names

    for name in shipped_rule_names():
        meta = _Merger._meta(_Merger._read(resolve(name)), resolve(name))
        typer.echo(f"{name:18s} {meta.get('description', '')}")


@rules_app.command("show")
def rules_show(
    specs: Annotated[list[str], typer.Argument(help="Rule pack names or paths, merged in order.")],
) -> None:
    """Show every rule a merged set contains: kind, id, origin file and description."""
    from cleaner.ruleset import load_rules

    ruleset = load_rules(*specs)
    typer.echo(f"# files: {', '.join(ruleset.files)}")
    for kind, rule in ruleset.rules():
        typer.echo(f"{kind:10s} {rule.id:26s} {rule.description}  [{Path(rule.origin).name}]")


@rules_app.command("check")
def rules_check(
    specs: Annotated[list[str], typer.Argument(help="Rule files or shipped names to validate.")],
) -> None:
    """Validate rule files: syntax, fields, regexes, ids. Exit 1 on the first problem."""
    from cleaner.prefilter import required_literals
    from cleaner.ruleset import load_rules

    for spec in specs:
        ruleset = load_rules(spec)
        typer.echo(f"ok: {spec}: {sum(1 for _ in ruleset.rules())} rules from {len(ruleset.files)} file(s)")
        for kind, rule in ruleset.rules():
            pattern = getattr(rule, "pattern", None)
            bounded = getattr(rule, "max_chars", None)  # then it only scans lines that short
            scanned = kind in ("line", "paragraph", "section") and not bounded
            if scanned and isinstance(pattern, str) and required_literals(pattern) is None:
                _err(
                    f"warning: {rule.origin}: rule '{rule.id}': no literal that every match must contain could be "
                    "read from 'pattern' (regex-module syntax such as \\p{L}, or only character classes), so it runs "
                    "over every line of every document; write letter classes as [^\\W\\d_] or add max_chars"
                )


@rules_app.command("test")
def rules_test(
    specs: Annotated[list[str] | None, typer.Argument(help="Rule packs to test (default: every shipped pack).")] = None,
) -> None:
    """Run every rule's examples and keeps; exit 1 if any fails."""
    from cleaner.ruleset import load_rules, shipped_rule_names
    from cleaner.ruletest import check_ruleset

    failed = 0
    for spec in specs or shipped_rule_names():
        total, failures = check_ruleset(load_rules(spec))
        for failure in failures:
            _err(f"FAIL {failure.describe()}")
        failed += len(failures)
        typer.echo(f"{spec}: {total - len(failures)}/{total} examples and keeps pass")
    if failed:
        raise typer.Exit(1)


def main() -> None:
    """Console entry point: one-line errors, conventional exit codes."""
    try:
        app()
    except CleanerError as exc:
        _err(f"cleaner: error: {exc}")
        sys.exit(1)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        _err("cleaner: interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
