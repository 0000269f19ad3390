"""Build hook: compile cleaner's optional C accelerator (cleaner/_accel*.c) when a C compiler is there.

Why a hook and not setuptools: the project builds with hatchling; the accelerator is a
few C files with no dependencies, so the hook calls the compiler Python was built with
(sysconfig) directly. Without a compiler, or with CLEANER_NO_ACCEL=1, the build goes on
and `cleaner` runs its pure-Python code, which gives the same output (tests check both).
Editable installs get the module next to the source, so `pip install -e .` is fast too.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# Compiled as one module; cleaner/_accel.h declares what they share.
SOURCES = [Path("cleaner") / f"_accel{part}.c" for part in ("", "_blocks", "_looks", "_text", "_words")]


def compile_accel(root: Path, out_dir: Path) -> Path | None:
    """Compile the accelerator into `out_dir`; None (with a warning) where that is not possible."""
    if os.environ.get("CLEANER_NO_ACCEL") or sys.platform == "win32":
        return None
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    target = out_dir / f"_accel{suffix}"
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    command = [
        *compiler,
        "-O2",
        "-ffp-contract=off",  # no fused multiply-add: the float sums match the Python fallback digit for digit
        "-fPIC",
        "-shared",
        "-I",
        sysconfig.get_paths()["include"],
        *(str(root / source) for source in SOURCES),
        "-o",
        str(target),
    ]
    if sys.platform == "darwin":
        command[len(compiler) : len(compiler)] = ["-undefined", "dynamic_lookup"]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        print(f"cleaner: C accelerator not built, using pure Python ({detail.strip()[:500]})", file=sys.stderr)
        return None
    return target


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        if version == "editable":
            compile_accel(root, root / "cleaner")
            return
        self._scratch = Path(tempfile.mkdtemp(prefix="cleaner-accel-"))
        built = compile_accel(root, self._scratch)
        if built is not None:
            build_data["force_include"][str(built)] = f"cleaner/{built.name}"
            build_data["pure_python"] = False
            build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        scratch = getattr(self, "_scratch", None)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
