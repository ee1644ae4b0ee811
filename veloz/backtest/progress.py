"""A one-line progress bar on stderr for long runs: share of the time range replayed, events/s."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    def __init__(self, start_ns: int, end_ns: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.start_ns, self.end_ns = start_ns, max(end_ns, start_ns + 1)
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self.shown = False

    def update(self, ts_ns: int, events: int) -> None:
        share = min(1.0, max(0.0, (ts_ns - self.start_ns) / (self.end_ns - self.start_ns)))
        filled = int(share * self.width)
        elapsed = time.perf_counter() - self.started
        rate = events / elapsed if elapsed > 0 else 0.0
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {share:6.1%}  "
                          f"{events:,} events  {rate / 1e6:.2f} M/s")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
