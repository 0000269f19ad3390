"""The optional C accelerator (cleaner/_accel.c), or None where it is not usable.

`pip install` compiles it when a C compiler is there (hatch_build.py). Every step that
uses it keeps its pure-Python code as the fallback and the reference; both give the
same output. A module built from an older _accel.c (an editable checkout updated
without reinstalling) is not used: the steps fall back to Python and say so once.
"""

from __future__ import annotations

import os
import warnings
from types import ModuleType

API = 31  # bump with every change to the functions _accel.c exports; the C module states its own


def _load() -> ModuleType | None:
    if os.environ.get("CLEANER_NO_ACCEL"):
        return None
    try:
        from cleaner import _accel
    except ImportError:
        return None
    if getattr(_accel, "API", None) != API:
        warnings.warn(
            "cleaner: the compiled accelerator is out of date with the source; running pure Python "
            "(reinstall with `pip install -e .` to rebuild it)",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    return _accel


accel = _load()
