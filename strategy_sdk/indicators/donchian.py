"""Donchian channel: the highest high and lowest low of recent bars."""

from __future__ import annotations

from collections import deque

__all__ = ["DonchianChannel"]


class DonchianChannel:
    """Highest high and lowest low of the last ``period`` updates, O(1) amortized per update.

    Each side keeps a monotonic deque of (update number, price): a price that can never again
    be the extreme (an older one beaten by a newer one) is dropped at once. Exact for ints.
    """

    __slots__ = ("period", "count", "_highs", "_lows", "_updates")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError(f"period must be at least 1, got {period}")
        self.period = period
        self.count = 0
        self._highs: deque[tuple[int, int | float]] = deque()
        self._lows: deque[tuple[int, int | float]] = deque()
        self._updates = 0

    def update(self, high: int | float, low: int | float) -> None:
        number = self._updates
        self._updates = number + 1
        oldest_kept = number - self.period + 1
        highs = self._highs
        while highs and highs[-1][1] <= high:
            highs.pop()
        highs.append((number, high))
        if highs[0][0] < oldest_kept:
            highs.popleft()
        lows = self._lows
        while lows and lows[-1][1] >= low:
            lows.pop()
        lows.append((number, low))
        if lows[0][0] < oldest_kept:
            lows.popleft()
        if self.count != self.period:
            self.count += 1

    @property
    def ready(self) -> bool:
        return self.count == self.period

    @property
    def upper(self) -> int | float | None:
        """The highest high of the window, None until it is full."""
        return self._highs[0][1] if self.count == self.period else None

    @property
    def lower(self) -> int | float | None:
        return self._lows[0][1] if self.count == self.period else None

    @property
    def value(self) -> tuple[int | float, int | float] | None:
        """(lower, upper), None until ``period`` updates have arrived."""
        if self.count != self.period:
            return None
        return self._lows[0][1], self._highs[0][1]
