"""Simple moving average over a fixed number of values."""

from __future__ import annotations

import math
from collections import deque

__all__ = ["SMA"]


class SMA:
    """Mean of the last ``period`` values, O(1) per update.

    Fed integers (prices in ticks), ``sum`` stays an exact int, so two averages compare exactly by
    cross-multiplying: ``fast.sum * slow.period > slow.sum * fast.period``. Fed floats, the sum is
    re-added exactly (math.fsum) once per ``period`` updates, so rounding cannot drift.

    ``sum`` and ``ready`` are plain attributes, the cheapest to read on every tick: do not assign them.
    """

    __slots__ = ("period", "sum", "ready", "_window", "_until_wrap")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError(f"period must be at least 1, got {period}")
        self.period = period
        self.sum: int | float = 0  # of the values in the window
        self.ready = False
        # Starts full of zeros, so the running sum needs no warm-up branch; maxlen drops the oldest.
        self._window: deque[int | float] = deque([0] * period, maxlen=period)
        self._until_wrap = period

    def update(self, value: int | float) -> None:
        window = self._window
        self.sum += value - window[0]
        window.append(value)
        self._until_wrap -= 1
        if not self._until_wrap:
            self._wrap()

    def _wrap(self) -> None:
        """Every ``period`` updates: the window is full; a float sum is re-added exactly."""
        self._until_wrap = self.period
        self.ready = True
        if type(self.sum) is float:
            self.sum = math.fsum(self._window)

    @property
    def count(self) -> int:
        """Values in the window, up to ``period``."""
        return self.period if self.ready else self.period - self._until_wrap

    @property
    def value(self) -> float | None:
        """The mean, None until ``period`` values have arrived."""
        return self.sum / self.period if self.ready else None
