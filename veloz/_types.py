"""Small result types shared by the compiled bindings and the Python API."""

from __future__ import annotations

from typing import NamedTuple


class MarketImpact(NamedTuple):
    """What a market order of a given size would get from the book as it stands."""

    filled_qty: int  # lots
    unfilled_qty: int  # lots the book could not fill
    avg_price: float | None  # ticks
    worst_price: int | None  # ticks: the last level touched
    levels_used: int
    slippage_ticks: float | None  # avg price vs mid; positive = worse than mid
    slippage_bps: float | None
