"""End-to-end CLI: pipe, JSONL, explain, rules commands, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, SAMPLES


def cli(*args: str, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "cleaner.cli", *args], input=stdin, capture_output=True, cwd=ROOT)


def test_stdin_to_stdout():
    out = cli("clean", stdin=b"Real sentence here.\nI agree\n")
    assert out.returncode == 0 and out.stdout == b"Real sentence here.\n"


def test_explain_prints_every_edit_with_rule_and_line():
    out = cli("clean", "--explain", str(SAMPLES / "cgtn_moon_dust.txt"))
    err = out.stderr.decode()
    assert out.returncode == 0
    assert "cgtn_moon_dust.txt:5: boilerplate/consent-button drop: 'I agree'" in err
    assert "cgtn_moon_dust.txt:23: typos/typos-en-common replace: 'uears' -> 'years'" in err
    assert "repeats/repeats drop" in err


def test_jsonl_keeps_other_fields_adds_none_and_reports_drops():
    records = [
        {"id": "a", "text": "Keep this sentence.\nShare", "lang": "en"},
        {"id": "b", "text": "Advertisement", "lang": "en"},
    ]
    stdin = "".join(json.dumps(r) + "\n" for r in records).encode()
    out = cli("clean", "--jsonl", stdin=stdin)
    assert out.returncode == 0
    assert [json.loads(x) for x in out.stdout.splitlines()] == [
        {"id": "a", "text": "Keep this sentence.", "lang": "en"}
    ]
    assert "<stdin>:2 [b]: dropped by rule 'empty'" in out.stderr.decode()
    kept = cli("clean", "--jsonl", "--keep-dropped", "--add-fields", stdin=stdin)
    rows = [json.loads(x) for x in kept.stdout.splitlines()]
    assert [r["cleaner_status"] for r in rows] == ["changed", "dropped"] and rows[1]["text"] == ""


def test_jsonl_custom_field():
    out = cli(
        "clean", "--jsonl", "--field", "body", stdin=b'{"body": "Text stays.\\nRead more", "text": "Read more"}\n'
    )
    assert json.loads(out.stdout) == {"body": "Text stays.", "text": "Read more"}


def test_malformed_and_missing_field_lines_are_reported_and_the_rest_processed(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"text": "First good."}\n{not json\n{"body": "no text"}\n{"text": "Last good."}\n')
    out = cli("clean", "--jsonl", str(path))
    err = out.stderr.decode()
    assert out.returncode == 1
    assert f"{path}:2: invalid JSON" in err and f"{path}:3: record has no field 'text'" in err
    assert [json.loads(x)["text"] for x in out.stdout.splitlines()] == ["First good.", "Last good."]
    assert "Traceback" not in err


def test_invalid_utf8_policy(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"First line ok.\nThe caf\xe9 opened in 1990.\n")
    out = cli("clean", str(path))
    assert out.returncode == 0 and out.stdout.decode() == "First line ok.\nThe café opened in 1990.\n"
    assert (
        f"{path}:2: warning: 1 invalid UTF-8 byte(s) decoded as Windows-1252 (first at byte 22)" in out.stderr.decode()
    )
    replaced = cli("clean", "--on-invalid-utf8", "replace", str(path))
    assert "caf\ufffd" in replaced.stdout.decode()
    strict = cli("clean", "--on-invalid-utf8", "strict", str(path))
    assert strict.returncode == 1
    assert (
        strict.stderr.decode().strip()
        == f"cleaner: error: {path}:2: invalid UTF-8 at byte 22 (use --on-invalid-utf8 cp1252 or replace)"
    )


def test_exit_codes_and_one_line_errors(tmp_path):
    missing = cli("clean", str(tmp_path / "nope.txt"))
    assert missing.returncode == 1 and missing.stderr.decode().count("\n") == 1
    assert cli("clean", "--no-such-flag").returncode == 2
    assert cli("clean", "--on-invalid-utf8", "maybe", stdin=b"x").returncode == 2
    bad = tmp_path / "bad.toml"
    bad.write_text('[[line]]\nid = "x"\ndescription = "d"\npattern = "(("\nexamples = ["a"]\nkeeps = ["b"]\n')
    out = cli("clean", "--rules", str(bad), stdin=b"text")
    assert out.returncode == 1
    assert out.stderr.decode().startswith(f"cleaner: error: {bad}: rule 'x': bad regex")
    assert "Traceback" not in out.stderr.decode()


def test_rules_commands(tmp_path):
    listed = cli("rules", "list").stdout.decode()
    assert "default" in listed and "boilerplate-fr" in listed
    assert "consent-button" in cli("rules", "show", "default").stdout.decode()
    assert cli("rules", "check", "default").returncode == 0
    tested = cli("rules", "test", "default")
    assert tested.returncode == 0 and "default:" in tested.stdout.decode()
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        '[[line]]\nid = "w"\ndescription = "d"\nliteral = "Share"\nexamples = ["Share"]\nkeeps = ["Share"]\n'
    )
    failed = cli("rules", "test", str(wrong))
    assert failed.returncode == 1 and "rule 'w': keep 'Share': expected no change" in failed.stderr.decode()


def test_multiple_rules_options_merge_in_order():
    out = cli("clean", "--rules", "base", "--rules", "typos-en", stdin=b"Teh cat.\nI agree\n")
    assert out.stdout == b"The cat.\nI agree\n"


def test_rules_check_warns_about_a_pattern_without_a_literal_prefilter(tmp_path):
    """A pattern Python's parser cannot read (\\p{Lu}) gets no literal prefilter and runs over every line:
    `rules check` still accepts it, but says so; the shipped packs raise no such warning."""
    slow = tmp_path / "slow.toml"
    slow.write_text(
        '[[line]]\nid = "caps-code"\ndescription = "codes"\n'
        "pattern = '^\\p{Lu}\\w+ \\d+$'\n"
        'examples = ["Äbc 12"]\nkeeps = ["The council met on Tuesday to discuss the budget for next year."]\n',
        encoding="utf-8",
    )
    out = cli("rules", "check", str(slow))
    assert out.returncode == 0
    assert f"warning: {slow.resolve()}: rule 'caps-code': no literal" in out.stderr.decode()
    shipped = cli("rules", "check", "default", "web", "spelling-en")
    assert shipped.returncode == 0 and "warning" not in shipped.stderr.decode()


def test_version_says_whether_the_c_accelerator_is_in_use():
    import os

    from cleaner.accel import accel

    out = cli("--version")
    assert out.returncode == 0 and out.stdout.startswith(b"cleaner ")
    assert (b"C accelerator" in out.stdout) == (accel is not None)
    off = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "--version"],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "CLEANER_NO_ACCEL": "1"},
    )
    assert b"pure Python: CLEANER_NO_ACCEL is set" in off.stdout
