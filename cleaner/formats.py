"""Corpus file formats: which files are documents, how to stream them in, how to write them back.

Every format is read incrementally (a 5 GB JSONL file never sits in memory)
and written to a temporary file that is renamed into place on commit, so an
output file is either complete or absent. Compressed outputs are
deterministic (gzip with no timestamp), so reruns are byte-identical.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cleaner.errors import CleanerError

SUFFIXES = {
    ".jsonl.gz": "jsonl",
    ".jsonl.zst": "jsonl",
    ".jsonl": "jsonl",
    ".txt": "text",
    ".md": "text",
    ".parquet": "parquet",
}


def kind_of(path: Path) -> tuple[str, str] | None:
    """(kind, suffix) for a supported file name, else None."""
    name = path.name.lower()
    for suffix, kind in SUFFIXES.items():
        if name.endswith(suffix):
            return kind, suffix
    return None


@dataclass(frozen=True)
class InputFile:
    path: Path
    relpath: str
    kind: str
    suffix: str

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def discover(source: str) -> tuple[list[InputFile], list[str]]:
    """Input files (sorted by relative path) and the files skipped as unsupported.

    `source` is a directory (searched recursively), a file, or a glob pattern.
    """
    import glob

    root = Path(source)
    if root.is_dir():
        candidates = sorted(p for p in root.rglob("*") if p.is_file())
        base = root
    elif root.is_file():
        candidates, base = [root], root.parent
    else:
        candidates = sorted(Path(p) for p in glob.glob(source, recursive=True) if Path(p).is_file())
        if not candidates:
            raise CleanerError(f"{source}: no such file, directory or matching files")
        base = Path(os.path.commonpath([str(p.parent) for p in candidates]))
    files, skipped = [], []
    for path in candidates:
        rel = path.relative_to(base).as_posix()
        if rel.startswith(("_dropped/", "_quarantine/")):  # a run's own audit files
            continue
        found = kind_of(path)
        if found is None:
            skipped.append(rel)
        else:
            files.append(InputFile(path, rel, *found))
    if root.is_file() and not files:
        raise CleanerError(f"{source}: unsupported format (supported: {', '.join(SUFFIXES)})")
    return files, skipped


class StreamError(Exception):
    """The byte stream of an input file broke (truncated gzip, corrupt zstd)."""


def open_binary(path: Path, suffix: str) -> BinaryIO:
    if suffix.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if suffix.endswith(".zst"):
        try:
            import zstandard
        except ImportError:
            raise CleanerError(f"{path}: reading .zst needs zstandard: pip install 'cleaner[zstd]'") from None
        reader: BinaryIO = zstandard.ZstdDecompressor().stream_reader(path.open("rb"))
        return reader
    return path.open("rb")


def _gzip_lines(path: Path) -> Iterator[bytes]:
    """Lines of a gzip file, yielding every complete line before a truncation or corruption."""
    pending = b""
    decompressor = zlib.decompressobj(wbits=31)
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            data = decompressor.decompress(chunk)
            while decompressor.eof and decompressor.unused_data:  # concatenated gzip members
                rest = decompressor.unused_data
                decompressor = zlib.decompressobj(wbits=31)
                data += decompressor.decompress(rest)
            lines = (pending + data).split(b"\n")
            pending = lines.pop()
            for line in lines:
                yield line + b"\n"
    if not decompressor.eof:
        raise EOFError("truncated gzip stream")
    if pending:
        yield pending


def iter_lines(path: Path, suffix: str) -> Iterator[bytes]:
    """Raw lines of a (possibly compressed) file; raises StreamError where the stream breaks."""
    if suffix.endswith(".gz"):
        try:
            yield from _gzip_lines(path)
        except (EOFError, zlib.error) as exc:
            raise StreamError(_stream_problem(suffix, exc)) from None
        return
    try:
        with open_binary(path, suffix) as raw:
            reader: Any = io.BufferedReader(raw, 1 << 20) if suffix.endswith(".zst") else raw
            yield from reader
    except (EOFError, OSError, zlib.error) as exc:
        raise StreamError(_stream_problem(suffix, exc)) from None
    except Exception as exc:  # zstandard raises its own ZstdError
        if type(exc).__name__ == "ZstdError":
            raise StreamError(f"corrupt zstd stream ({exc})") from None
        raise


def _stream_problem(suffix: str, exc: Exception) -> str:
    if isinstance(exc, EOFError):
        return "truncated compressed stream (file ends before the end of its data)"
    return f"cannot read the {suffix} stream ({exc})"


class AtomicWriter:
    """Writes bytes to `path` through a temporary file renamed on commit."""

    def __init__(self, path: Path, suffix: str = "") -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        self._file = self.tmp.open("wb")
        self._stream: Any = self._file
        if suffix.endswith(".gz"):
            self._stream = gzip.GzipFile(filename="", mode="wb", fileobj=self._file, mtime=0)
        elif suffix.endswith(".zst"):
            import zstandard

            self._stream = zstandard.ZstdCompressor(level=3).stream_writer(self._file, closefd=False)
        self.written = 0

    def write(self, data: bytes) -> None:
        self._stream.write(data)
        self.written += len(data)

    def commit(self) -> None:
        if self._stream is not self._file:
            self._stream.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            if self._stream is not self._file:
                self._stream.close()
            self._file.close()
        finally:
            self.tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    writer = AtomicWriter(path)
    writer.write(data)
    writer.commit()
