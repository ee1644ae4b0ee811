"""Volume-weighted average price."""

from __future__ import annotations

import math

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
                 "_volume_window", "_next")

    def __init__(self, window: int | None = None, *, session_ns: int | None = None) -> None:
        if window is not None and window < 1:
            raise ValueError(f"window must be at least 1 or None, got {window}")
        if session_ns is not None and session_ns <= 0:
            raise ValueError(f"session_ns must be positive or None, got {session_ns}")
        self.window = window
        self.session_ns = session_ns
        self._session: int | None = None
        self.price_volume: int | float = 0  # sum of price * qty; read-only for users
        self.volume: int | float = 0  # sum of qty; read-only for users
        self.count = 0
        # Rolling mode: each update's own contributions, so the oldest can be taken back out.
        self._pv_window: list[int | float] = [0] * (window or 0)
        self._volume_window: list[int | float] = [0] * (window or 0)
        self._next = 0

    def reset(self) -> None:
        """Forgets every update (a new session)."""
        self.price_volume = 0
        self.volume = 0
        self.count = 0
        size = self.window or 0
        self._pv_window = [0] * size
        self._volume_window = [0] * size
        self._next = 0

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
        slot = self._next
        self.price_volume += price_volume - self._pv_window[slot]
        self.volume += qty - self._volume_window[slot]
        self._pv_window[slot] = price_volume
        self._volume_window[slot] = qty
        slot += 1
        if slot == window:
            slot = 0
            if type(self.price_volume) is float or type(self.volume) is float:
                self.price_volume = math.fsum(self._pv_window)
                self.volume = math.fsum(self._volume_window)
        self._next = slot
        if self.count != window:
            self.count += 1

    @property
    def ready(self) -> bool:
        if self.window is not None and self.count != self.window:
            return False
        return self.volume > 0

    @property
    def value(self) -> float | None:
        """None until ready (and while no volume has traded)."""
        return self.price_volume / self.volume if self.ready else None
