"""Corpus runs end to end: every format, workers 1 vs 2, kill -9 and resume, bad inputs, conservation."""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES, corpus, read_jsonl

from cleaner import run


def reuters(n: int, start: int = 0) -> list[dict]:
    path = corpus("reuters21578.jsonl.gz")
    rows = []
    for i, rec in enumerate(read_jsonl(path, limit=start + n)):
        if i >= start:
            rows.append({"id": rec["id"], "text": rec["text"], "topics": rec.get("topics")})
    return rows


def write_jsonl(path: Path, rows: list[dict], opener=open) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with opener(path, "wt", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")


def output_records(out: Path) -> dict[str, int]:
    """Documents found in the output tree: written, dropped, quarantined."""
    counts = {"written": 0, "dropped": 0, "quarantined": 0}
    for path in out.rglob("*"):
        if not path.is_file() or path.name.startswith(("_report", "_manifest")):
            continue
        rel = path.relative_to(out).as_posix()
        if rel.startswith("_dropped/"):
            counts["dropped"] += sum(1 for _ in path.open())
        elif rel.startswith("_quarantine/"):
            counts["quarantined"] += sum(1 for _ in path.open())
        elif rel.endswith(".jsonl"):
            counts["written"] += sum(1 for _ in path.open())
        elif rel.endswith(".jsonl.gz"):
            counts["written"] += gzip.decompress(path.read_bytes()).count(b"\n")
        elif rel.endswith(".jsonl.zst"):
            import zstandard

            counts["written"] += zstandard.ZstdDecompressor().decompressobj().decompress(path.read_bytes()).count(b"\n")
        elif rel.endswith(".parquet"):
            import pyarrow.parquet as pq

            counts["written"] += pq.ParquetFile(path).metadata.num_rows
        elif rel.endswith((".txt", ".md")):
            counts["written"] += 1
    return counts


def assert_conserved(report: dict, out: Path) -> None:
    d = report["documents"]
    assert d["in"] == d["unchanged"] + d["changed"] + d["dropped"] + d["quarantined"]
    found = output_records(out)
    assert found["written"] == d["unchanged"] + d["changed"]
    assert found["dropped"] == d["dropped"]
    assert found["quarantined"] == d["quarantined"]


def tree_bytes(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(("_report", "_manifest"))
    }


@pytest.fixture
def mixed_corpus(tmp_path) -> Path:
    """Real Reuters records in every supported format, plus the seed page as .txt and .md."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import zstandard

    src = tmp_path / "in"
    rows = reuters(240)
    write_jsonl(src / "plain.jsonl", rows[:60])
    write_jsonl(src / "deep" / "gz.jsonl.gz", rows[60:120], gzip.open)
    data = "".join(json.dumps(r) + "\n" for r in rows[120:180]).encode()
    (src / "deep").mkdir(exist_ok=True)
    (src / "deep" / "z.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    pq.write_table(pa.Table.from_pylist(rows[180:240]), src / "table.parquet")
    (src / "seed.txt").write_bytes((SAMPLES / "cgtn_moon_dust.txt").read_bytes())
    (src / "docs" / "seed.md").parent.mkdir()
    (src / "docs" / "seed.md").write_bytes((SAMPLES / "cgtn_moon_dust.txt").read_bytes())
    return src


def test_every_format_round_trips_with_fields_kept(mixed_corpus, tmp_path):
    out = tmp_path / "out"
    report = run(mixed_corpus, out, workers=1)
    assert_conserved(report, out)
    assert report["documents"]["in"] == 242 and report["files"] == 6
    assert (out / "seed.txt").read_bytes() == (SAMPLES / "cgtn_moon_dust.expected.txt").read_bytes()
    assert (out / "docs" / "seed.md").read_bytes() == (SAMPLES / "cgtn_moon_dust.expected.txt").read_bytes()
    first = json.loads((out / "plain.jsonl").open().readline())
    assert set(first) == {"id", "text", "topics"}
    with gzip.open(out / "deep" / "gz.jsonl.gz", "rt") as fh:
        assert json.loads(fh.readline())["id"] == "reuters/61"
    import pyarrow.parquet as pq

    table = pq.read_table(out / "table.parquet")
    assert table.column_names == ["id", "text", "topics"]
    assert "Reuter" in table.column("text")[0].as_py()
    report_json = json.loads((out / "_report.json").read_text())
    for key in ("documents", "bytes", "edits_by_rule", "drops_by_rule", "seconds_by_step"):
        assert key in report_json
    from cleaner.accel import accel

    assert report_json["accelerated"] is (accel is not None)
    page = (out / "_report.html").read_text()
    assert ("C accelerator" in page) is (accel is not None)
    assert "<svg" in page and "<script" not in page and "http" not in page.split("<body>")[1]


def test_workers_one_and_two_give_identical_output_library_and_cli(mixed_corpus, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = run(mixed_corpus, one, workers=1)
    cli = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "run", str(mixed_corpus), "--out", str(two), "-w", "2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert cli.returncode == 0, cli.stderr
    r2 = json.loads((two / "_report.json").read_text())
    assert_conserved(r1, one)
    assert_conserved(r2, two)
    assert tree_bytes(one) == tree_bytes(two)
    assert r1["documents"] == r2["documents"] and r1["edits_by_rule"] == r2["edits_by_rule"]


def test_dropped_documents_are_recorded_with_rule(tmp_path):
    src = tmp_path / "in"
    rows = [
        {"id": "keep", "text": "A real sentence that stays in the corpus."},
        {"id": "gone", "text": "Advertisement\nI agree\n02:37"},
    ]
    write_jsonl(src / "a.jsonl", rows)
    out = tmp_path / "out"
    report = run(src, out, workers=1, dropped=tmp_path / "audit")
    d = report["documents"]
    assert (d["in"], d["unchanged"], d["dropped"]) == (2, 1, 1)
    assert report["drops_by_rule"] == {"empty": 1}
    audit = [json.loads(x) for x in (tmp_path / "audit" / "a.jsonl.jsonl").read_text().splitlines()]
    assert audit[0]["id"] == "gone" and audit[0]["rule"] == "empty" and audit[0]["record"] == rows[1]
    assert audit[0]["text"] == rows[1]["text"]  # recoverable


def test_bad_inputs_are_quarantined_with_file_and_line(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_bytes(
        b'{"text": "Good one."}\n{broken\n{"body": "no text"}\n{"text": 7}\n{"text": "caf\xe9 latin-1 text."}\n'
    )
    (src / "bin.txt").write_bytes(b"\x00\x01\x02 not text")
    good = gzip.compress(b"".join(b'{"text": "Record %d here."}\n' % i for i in range(3000)))
    (src / "cut.jsonl.gz").write_bytes(good[: len(good) // 2])
    (src / "readme.csv").write_text("a,b\n")
    out = tmp_path / "out"
    report = run(src, out, workers=1)
    assert_conserved(report, out)
    assert report["quarantine_by_problem"] == {"invalid-json": 1, "missing-field": 2, "binary": 1, "broken-stream": 1}
    assert report["skipped"] == ["readme.csv"]
    assert report["warnings"] == 1  # the Latin-1 byte, decoded under the cp1252 policy
    lines = [json.loads(x) for x in (out / "_quarantine" / "a.jsonl.jsonl").read_text().splitlines()]
    assert [(q["line"], q["problem"][:12]) for q in lines] == [
        (2, "invalid JSON"),
        (3, "record has n"),
        (4, "field 'text'"),
    ]
    cut = json.loads((out / "_quarantine" / "cut.jsonl.gz.jsonl").read_text())
    assert "truncated" in cut["problem"] and cut["line"] > 1
    assert "café" in (out / "a.jsonl").read_text()


def test_strict_makes_bad_input_fatal_with_file_and_line(tmp_path):
    src = tmp_path / "in"
    write_jsonl(src / "a.jsonl", [{"text": "Fine."}])
    with (src / "a.jsonl").open("a") as fh:
        fh.write("{oops\n")
    out = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "run", str(src), "--out", str(tmp_path / "o"), "--strict", "-w", "1"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1].startswith("cleaner: error: a.jsonl:2: invalid JSON")


def test_rerun_with_other_rules_is_refused(tmp_path):
    src = tmp_path / "in"
    write_jsonl(src / "a.jsonl", [{"text": "Fine text here."}])
    run(src, tmp_path / "o", workers=1)
    from cleaner.errors import CleanerError

    with pytest.raises(CleanerError, match="other rules or options"):
        run(src, tmp_path / "o", rules=["base"], workers=1)
    assert run(src, tmp_path / "o", rules=["base"], workers=1, restart=True)["documents"]["in"] == 1


def test_output_inside_input_is_refused(tmp_path):
    from cleaner.errors import CleanerError

    write_jsonl(tmp_path / "a.jsonl", [{"text": "x y z"}])
    with pytest.raises(CleanerError, match="must not be inside"):
        run(tmp_path, tmp_path / "out", workers=1)


def test_kill_and_resume_gives_byte_identical_output(tmp_path):
    src = tmp_path / "in"
    rows = reuters(4000)
    for i in range(20):
        write_jsonl(src / f"part-{i:02d}.jsonl.gz", rows[i * 200 : (i + 1) * 200], gzip.open)
    reference = tmp_path / "reference"
    run(src, reference, workers=1)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "cleaner.cli", "run", str(src), "--out", str(out), "-w", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    manifest = out / "_manifest.json"
    deadline = time.time() + 60
    while time.time() < deadline:
        if manifest.is_file() and 2 <= len(json.loads(manifest.read_text())["files"]) < 20:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(json.loads(manifest.read_text())["files"])
    assert 2 <= done_before < 20, "the run was not killed midway"
    resumed = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert resumed.returncode == 0, resumed.stderr
    events = [json.loads(x) for x in resumed.stderr.splitlines() if x.startswith("{")]
    assert events[0]["todo"] == 20 - done_before
    assert tree_bytes(out) == tree_bytes(reference)
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]
    report = json.loads((out / "_report.json").read_text())
    assert report["documents"]["in"] == 4000
    assert_conserved(report, out)


def test_cli_run_and_report(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.txt").write_bytes((SAMPLES / "cgtn_moon_dust.txt").read_bytes())
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "run", str(src), "--out", str(out), "-w", "1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "documents  in          1" in done.stdout
    assert json.loads(done.stderr.splitlines()[-1])["event"] == "done"  # machine-readable when not a TTY
    again = subprocess.run([sys.executable, "-m", "cleaner.cli", "report", str(out)], capture_output=True, text=True)
    assert again.stdout.splitlines()[0] == done.stdout.splitlines()[0]
    assert (out / "page.txt").read_bytes() == (SAMPLES / "cgtn_moon_dust.expected.txt").read_bytes()
