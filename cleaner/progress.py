"""Progress of a corpus run: a rich bar on a terminal, JSON lines on stderr otherwise."""

from __future__ import annotations

import json
import sys
import time
from typing import Any


class ProgressDisplay:
    """Receives the runner's events; shows documents/s, MB/s and ETA, or logs machine-readable lines."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.bar: Any = None
        self.task: Any = None
        self.docs = 0
        self.started = 0.0

    def __enter__(self) -> ProgressDisplay:
        self.started = time.perf_counter()
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

            self.bar = Progress(
                TextColumn("{task.description:40s}"),
                BarColumn(),
                TransferSpeedColumn(),
                TextColumn("{task.fields[docs]:,} docs {task.fields[rate]:,.0f}/s"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
            )
            self.bar.start()
        return self

    def __call__(self, event: dict[str, Any]) -> None:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        kind = event["event"]
        if kind == "chunk":
            self.docs += event["documents"]
        if self.bar is not None:
            if kind == "start":
                self.task = self.bar.add_task("cleaning", total=event["bytes_total"] or None, docs=0, rate=0.0)
            elif kind in ("chunk", "file") and self.task is not None:
                self.bar.update(
                    self.task,
                    advance=event["bytes"],
                    docs=self.docs,
                    rate=self.docs / elapsed,
                    description=event["file"][-40:],
                )
        elif kind in ("learned", "start", "file", "done"):
            line = {k: v for k, v in event.items() if k != "report"}
            line.update({"documents_done": self.docs, "seconds": round(elapsed, 2)})
            self.stream.write(json.dumps(line) + "\n")
            self.stream.flush()

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
