"""Bollinger bands: a moving mean plus and minus k standard deviations."""

from __future__ import annotations

import math
from collections import deque

__all__ = ["BollingerBands"]


class BollingerBands:
    """Mean ± ``k`` standard deviations of the last ``period`` values, O(1) per update.

    ``sample=False`` (the default, as in Bollinger's own definition and TA-Lib) divides the
    variance by ``period``; ``sample=True`` by ``period - 1``.

    The sums are of deviations from a shift near the data, which keeps float variance from
    cancelling catastrophically when prices are large and their spread small. Fed integers
    (ticks) the sums are exact ints and the only rounding is the final square root. Fed floats,
    the sums are recomputed exactly (math.fsum) around a new shift once per ``period`` updates.
    """

    __slots__ = ("period", "k", "sample", "count", "_shift", "_sum", "_sum_squares", "_window", "_until_wrap")

    def __init__(self, period: int = 20, k: float = 2.0, *, sample: bool = False) -> None:
        if period < (2 if sample else 1):
            raise ValueError(f"period must be at least {2 if sample else 1}, got {period}")
        self.period = period
        self.k = k
        self.sample = sample
        self.count = 0  # values in the window, up to period; read-only for users
        self._shift: int | float = 0
        self._sum: int | float = 0  # of (value - shift)
        self._sum_squares: int | float = 0  # of (value - shift) ** 2
        self._window: deque[int | float] = deque(maxlen=period)
        self._until_wrap = period

    def update(self, value: int | float) -> None:
        window = self._window
        if not window:
            # Fill with the first value as the shift: the unfilled slots add nothing to either sum.
            self._shift = value
            window.extend([value] * self.period)
        shift = self._shift
        deviation = value - shift
        old_deviation = window[0] - shift
        window.append(value)
        self._sum += deviation - old_deviation
        self._sum_squares += deviation * deviation - old_deviation * old_deviation
        self._until_wrap -= 1
        if self.count != self.period:
            self.count += 1
        if not self._until_wrap:
            self._wrap(value)

    def _wrap(self, shift: int | float) -> None:
        """Every ``period`` updates: float sums are recomputed exactly around the newest value."""
        self._until_wrap = self.period
        if type(self._sum_squares) is not float:
            return  # exact ints
        self._shift = shift
        deviations = [v - shift for v in self._window]
        self._sum = math.fsum(deviations)
        self._sum_squares = math.fsum(d * d for d in deviations)

    @property
    def ready(self) -> bool:
        return self.count == self.period

    @property
    def middle(self) -> float | None:
        """The mean of the window, None until it is full."""
        if self.count != self.period:
            return None
        if type(self._sum) is int and type(self._shift) is int:
            return (self._shift * self.period + self._sum) / self.period  # one rounding, from exact ints
        return self._shift + self._sum / self.period

    @property
    def stdev(self) -> float | None:
        if self.count != self.period:
            return None
        n = self.period
        # n * sum_squares - sum ** 2 is exact for ints; clamp the float case's rounding below 0.
        spread = n * self._sum_squares - self._sum * self._sum
        divisor = n * (n - 1) if self.sample else n * n
        return math.sqrt(spread / divisor) if spread > 0 else 0.0

    @property
    def upper(self) -> float | None:
        middle, stdev = self.middle, self.stdev
        return None if middle is None or stdev is None else middle + self.k * stdev

    @property
    def lower(self) -> float | None:
        middle, stdev = self.middle, self.stdev
        return None if middle is None or stdev is None else middle - self.k * stdev

    @property
    def value(self) -> tuple[float, float, float] | None:
        """(lower, middle, upper), None until ``period`` values have arrived."""
        middle, stdev = self.middle, self.stdev
        if middle is None or stdev is None:
            return None
        return middle - self.k * stdev, middle, middle + self.k * stdev
