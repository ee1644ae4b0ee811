"""A venue with a deep two-sided book, shared by the matching workloads."""

from __future__ import annotations

from veloz.matching import MatchingEngine

T0 = 1_700_000_000_000_000_000
MID = 600_000  # 60000.0 at tick 0.1


def deep_venue(levels: int = 10, qty_per_level: int = 10**12) -> MatchingEngine:
    venue = MatchingEngine("usdm", "0.1", "0.001", maker_fee_rate="0.0002", taker_fee_rate="0.0004")
    for i in range(levels):
        venue.on_level(0, MID - 1 - i, qty_per_level, T0)
        venue.on_level(1, MID + i, qty_per_level, T0)
    return venue
