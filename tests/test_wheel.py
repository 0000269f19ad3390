"""A non-editable wheel ships the rule files: install it in a fresh venv and use it outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    pytest.importorskip("hatchling")
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((work / "dist").glob("cleaner-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True
    )
    # Dependencies come from this environment (no network in tests); the wheel's own
    # cleaner is found first because the fresh venv's site-packages precede this path.
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir, work


def test_wheel_contains_rules_and_runs_outside_checkout(installed):
    env_dir, work = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import cleaner; print(cleaner.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    assert str(env_dir) in where

    def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(env_dir / "bin" / "cleaner"), *args],
            cwd=work,
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )

    listed = cli("rules", "list").stdout
    assert "default" in listed and "boilerplate-en" in listed
    out = subprocess.run(
        [str(env_dir / "bin" / "cleaner"), "clean", str(SAMPLES / "cgtn_moon_dust.txt")],
        cwd=work,
        capture_output=True,
        check=True,
        env=env,
    ).stdout  # bytes: the golden output is compared byte for byte
    assert out == (SAMPLES / "cgtn_moon_dust.expected.txt").read_bytes()
    # the web pack finds its block model (a JSON file beside web.toml) inside the installed wheel
    sentence = "The council agreed on Tuesday that the work on the bridge should begin in spring. "
    web = cli("clean", "--rules", "web", "--explain", "-", stdin="Home\nAbout\nContact\n" + sentence * 3)
    assert web.stdout.rstrip("\n").endswith(sentence.strip()) and "Contact" not in web.stdout
    assert ", model 0." in web.stderr  # the drop note of a line the model decided


def test_wheel_carries_the_c_accelerator(installed):
    """The wheel build compiles cleaner/_accel.c (hatch_build.py) where a C compiler is, and the
    installed package uses it; without one the wheel is pure Python and this test skips."""
    import shutil

    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler here: the wheel is pure Python")
    env_dir, work = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CLEANER_NO_ACCEL")}
    found = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "from cleaner.accel import accel; print(accel.__file__)"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    assert str(env_dir) in found and "_accel" in found
    wheel = next((work / "dist").glob("cleaner-*.whl"))
    assert "none-any" not in wheel.name  # a platform wheel: it carries compiled code
