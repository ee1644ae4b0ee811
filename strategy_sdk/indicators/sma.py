"""Simple moving average over a fixed number of values."""

from __future__ import annotations

import math

__all__ = ["SMA"]


class SMA:
    """Mean of the last ``period`` values, O(1) per update.

    Fed integers (prices in ticks), ``sum`` stays an exact int, so two averages compare exactly by
    cross-multiplying: ``fast.sum * slow.period > slow.sum * fast.period``. Fed floats, the sum is
    re-added exactly (math.fsum) once per ``period`` updates, so rounding cannot drift.

    ``sum`` and ``count`` are plain attributes (cheapest to read on every tick): do not assign them.
    """

    __slots__ = ("period", "sum", "count", "_window", "_next")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError(f"period must be at least 1, got {period}")
        self.period = period
        self.sum: int | float = 0  # of the values in the window; read-only for users
        self.count = 0  # values in the window, up to period; read-only for users
        # Unfilled slots hold 0, so the running sum needs no warm-up branch.
        self._window: list[int | float] = [0] * period
        self._next = 0

    def update(self, value: int | float) -> None:
        slot = self._next
        window = self._window
        self.sum += value - window[slot]
        window[slot] = value
        slot += 1
        if slot == self.period:
            slot = 0
            if type(self.sum) is float:
                self.sum = math.fsum(window)
        self._next = slot
        if self.count != self.period:
            self.count += 1

    @property
    def ready(self) -> bool:
        return self.count == self.period

    @property
    def value(self) -> float | None:
        """The mean, None until ``period`` values have arrived."""
        return self.sum / self.period if self.count == self.period else None
