"""Turning bytes into text under a stated policy for invalid UTF-8, and normalising line ends.

Policy (`on_invalid`):
- "cp1252" (default): bytes that are not valid UTF-8 are decoded one by one as
  Windows-1252, the usual cause (Latin-1/Windows text pasted into UTF-8), so
  "caf\\xe9" becomes "café" instead of losing the letter. The count and the
  first offset are reported.
- "replace": invalid bytes become U+FFFD and are reported.
- "strict": invalid bytes are an error naming the file, line and byte offset.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from cleaner.errors import InputError

POLICIES = ("cp1252", "replace", "strict")
_NEWLINES = str.maketrans({"\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"})


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("cleaner-cp1252", _cp1252_bytes)


@dataclass(frozen=True)
class Decoded:
    text: str
    invalid_bytes: int
    first_offset: int | None
    first_line: int | None

    def warning(self, source: str, policy: str) -> str | None:
        if not self.invalid_bytes:
            return None
        how = "decoded as Windows-1252" if policy == "cp1252" else "replaced with U+FFFD"
        return (
            f"{source}:{self.first_line}: warning: {self.invalid_bytes} invalid UTF-8 byte(s) {how} "
            f"(first at byte {self.first_offset})"
        )


def decode(data: bytes, source: str, policy: str = "cp1252") -> Decoded:
    """Decode UTF-8 (a BOM is dropped) under `policy`; see the module docstring."""
    if policy not in POLICIES:
        raise ValueError(f"unknown invalid-UTF-8 policy {policy!r} (choose from {', '.join(POLICIES)})")
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return Decoded(data.decode("utf-8"), 0, None, None)
    except UnicodeDecodeError as exc:
        first = exc.start
    line = data.count(b"\n", 0, first) + 1
    if policy == "strict":
        raise InputError(source, f"invalid UTF-8 at byte {first} (use --on-invalid-utf8 cp1252 or replace)", line)
    count = _count_invalid(data)
    errors = "cleaner-cp1252" if policy == "cp1252" else "replace"
    return Decoded(data.decode("utf-8", errors=errors), count, first, line)


def _count_invalid(data: bytes) -> int:
    count = 0

    def counter(error: UnicodeError) -> tuple[str, int]:
        nonlocal count
        assert isinstance(error, UnicodeDecodeError)
        count += error.end - error.start
        return "", error.end

    codecs.register_error("cleaner-count", counter)
    data.decode("utf-8", errors="cleaner-count")
    return count


def normalize_newlines(text: str) -> str:
    """CRLF, CR, U+2028, U+2029 and NEL all become "\\n": lines are counted after this."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if "\r" in text or (not text.isascii() and ("\u2028" in text or "\u2029" in text or "\x85" in text)):
        return text.translate(_NEWLINES)
    return text
