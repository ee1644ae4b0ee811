"""Average true range, Wilder's smoothing."""

from __future__ import annotations

__all__ = ["ATR"]


class ATR:
    """Wilder's average true range over ``period`` bars, O(1) per update.

    A bar's true range is ``max(high, previous close) - min(low, previous close)``; the first
    bar has no previous close, so its range is ``high - low``. The first average is the mean of
    the first ``period`` ranges; after that ``(previous * (period - 1) + range) / period``.
    Integer inputs (ticks) give exact integer true ranges.
    """

    __slots__ = ("period", "true_range", "_previous_close", "_average", "_bars")

    def __init__(self, period: int = 14) -> None:
        if period < 1:
            raise ValueError(f"period must be at least 1, got {period}")
        self.period = period
        self.true_range: int | float | None = None  # the last bar's; read-only for users
        self._previous_close: int | float | None = None
        self._average: float = 0.0  # the sum of ranges during warm-up
        self._bars = 0

    def update(self, high: int | float, low: int | float, close: int | float) -> None:
        previous_close = self._previous_close
        self._previous_close = close
        if previous_close is None:
            true_range = high - low
        else:
            top = high if high > previous_close else previous_close
            bottom = low if low < previous_close else previous_close
            true_range = top - bottom
        self.true_range = true_range
        period = self.period
        if self._bars == period:
            self._average = (self._average * (period - 1) + true_range) / period
            return
        self._average += true_range
        self._bars += 1
        if self._bars == period:
            self._average /= period

    @property
    def ready(self) -> bool:
        return self._bars == self.period

    @property
    def value(self) -> float | None:
        """None until ``period`` bars have arrived."""
        return self._average if self._bars == self.period else None
