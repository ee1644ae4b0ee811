"""Relative strength index, Wilder's smoothing."""

from __future__ import annotations

__all__ = ["RSI"]


class RSI:
    """Wilder's RSI over ``period`` changes, O(1) per update, from 0 to 100.

    The first average gain and loss are the plain means of the first ``period`` changes (so
    ``period + 1`` values); after that each is ``(previous * (period - 1) + current) / period``.
    RSI = 100 * gain / (gain + loss); 50 when the price has not moved at all.
    """

    __slots__ = ("period", "_previous", "_gain", "_loss", "_changes")

    def __init__(self, period: int = 14) -> None:
        if period < 1:
            raise ValueError(f"period must be at least 1, got {period}")
        self.period = period
        self._previous: int | float | None = None
        self._gain: float = 0.0  # sums during warm-up, averages after
        self._loss: float = 0.0
        self._changes = 0

    def update(self, value: int | float) -> None:
        previous = self._previous
        self._previous = value
        if previous is None:
            return
        change = value - previous
        gain = change if change > 0 else 0
        loss = -change if change < 0 else 0
        period = self.period
        if self._changes == period:
            self._gain = (self._gain * (period - 1) + gain) / period
            self._loss = (self._loss * (period - 1) + loss) / period
            return
        self._gain += gain
        self._loss += loss
        self._changes += 1
        if self._changes == period:
            self._gain /= period
            self._loss /= period

    @property
    def ready(self) -> bool:
        return self._changes == self.period

    @property
    def average_gain(self) -> float | None:
        return self._gain if self._changes == self.period else None

    @property
    def average_loss(self) -> float | None:
        return self._loss if self._changes == self.period else None

    @property
    def value(self) -> float | None:
        """None until ``period + 1`` values have arrived."""
        if self._changes != self.period:
            return None
        moved = self._gain + self._loss
        # gain / moved <= 1 exactly (rounding is monotonic), so the result never exceeds 100
        return 100.0 * (self._gain / moved) if moved > 0 else 50.0
