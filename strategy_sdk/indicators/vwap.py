"""Volume-weighted average price."""

from __future__ import annotations

import math
from collections import deque

__all__ = ["VWAP"]


class VWAP:
    """Volume-weighted average price, O(1) per update: since the session began (``window=None``)
    or over the last ``window`` updates.

    With ``session_ns`` (e.g. 86_400 * 10**9 for UTC days) an update whose ``ts_ns`` falls in a
    new session starts over; ``reset()`` starts over by hand. Fed integers (ticks and lots),
    both sums are exact ints. Cumulative: ready once any volume has traded. Rolling: ready once
    the window is full.
    """

    __slots__ = ("window", "session_ns", "price_volume", "volume", "count", "_session", "_pv_window",
                 "_volume_window", "_until_wrap")
    price_volume: int | float  # sum of price * qty; read-only for users
    volume: int | float  # sum of qty; read-only for users
    count: int
    # Rolling mode: each update's own contributions (zeros until filled), so the oldest can be
    # taken back out.
    _pv_window: deque[int | float]
    _volume_window: deque[int | float]
    _until_wrap: int

    def __init__(self, window: int | None = None, *, session_ns: int | None = None) -> None:
        if window is not None and window < 1:
            raise ValueError(f"window must be at least 1 or None, got {window}")
        if session_ns is not None and session_ns <= 0:
            raise ValueError(f"session_ns must be positive or None, got {session_ns}")
        self.window = window
        self.session_ns = session_ns
        self._session: int | None = None
        self.reset()

    def reset(self) -> None:
        """Forgets every update (a new session)."""
        self.price_volume = 0
        self.volume = 0
        self.count = 0
        size = self.window or 0
        self._pv_window = deque([0] * size, maxlen=self.window)
        self._volume_window = deque([0] * size, maxlen=self.window)
        self._until_wrap = size

    def update(self, price: int | float, qty: int | float, ts_ns: int = 0) -> None:
        if self.session_ns is not None:
            session = ts_ns // self.session_ns
            if session != self._session:
                if self._session is not None:
                    self.reset()
                self._session = session
        price_volume = price * qty
        window = self.window
        if window is None:
            self.price_volume += price_volume
            self.volume += qty
            self.count += 1
            return
        self.price_volume += price_volume - self._pv_window[0]
        self.volume += qty - self._volume_window[0]
        self._pv_window.append(price_volume)
        self._volume_window.append(qty)
        if self.count != window:
            self.count += 1
        self._until_wrap -= 1
        if not self._until_wrap:
            # Every window updates: float sums are re-added exactly so rounding cannot drift.
            self._until_wrap = window
            if type(self.price_volume) is float or type(self.volume) is float:
                self.price_volume = math.fsum(self._pv_window)
                self.volume = math.fsum(self._volume_window)

    @property
    def ready(self) -> bool:
        if self.window is not None and self.count != self.window:
            return False
        return self.volume > 0

    @property
    def value(self) -> float | None:
        """None until ready (and while no volume has traded)."""
        return self.price_volume / self.volume if self.ready else None
