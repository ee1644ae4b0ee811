"""Exponential moving average."""

from __future__ import annotations

__all__ = ["EMA"]


class EMA:
    """Exponential moving average with smoothing ``alpha`` (default 2 / (period + 1)), O(1) per
    update. It starts from the simple mean of the first ``period`` values (as TA-Lib does), so its
    value does not depend on where the data happened to begin more than a plain EMA would."""

    __slots__ = ("period", "alpha", "_value", "_seed_sum", "_seed_count")

    def __init__(self, period: int, alpha: float | None = None) -> None:
        if period < 1:
            raise ValueError(f"period must be at least 1, got {period}")
        if alpha is not None and not 0.0 < alpha <= 1.0:
            raise ValueError(f"alpha must be in (0, 1], got {alpha}")
        self.period = period
        self.alpha = alpha if alpha is not None else 2.0 / (period + 1)
        self._value: float | None = None
        self._seed_sum: int | float = 0
        self._seed_count = 0

    def update(self, value: int | float) -> None:
        current = self._value
        if current is not None:
            self._value = current + self.alpha * (value - current)
            return
        self._seed_sum += value
        self._seed_count += 1
        if self._seed_count == self.period:
            self._value = self._seed_sum / self.period

    @property
    def ready(self) -> bool:
        return self._value is not None

    @property
    def value(self) -> float | None:
        """None until ``period`` values have arrived."""
        return self._value
