"""The BookView a strategy sees (strategy_sdk.BookView): the venue's live book, read in C++."""

from __future__ import annotations

import operator

from strategy_sdk import Side
from veloz._native.replay import ReplayDriver

__all__ = ["ReplayBookView"]


class ReplayBookView:
    __slots__ = ("_driver", "_index")

    def __init__(self, driver: ReplayDriver, index: int) -> None:
        self._driver = driver
        self._index = index

    def best_bid(self) -> tuple[int, int] | None:
        return self._driver.best(self._index, 1)

    def best_ask(self) -> tuple[int, int] | None:
        return self._driver.best(self._index, -1)

    def mid(self) -> float | None:
        bid, ask = self._driver.best(self._index, 1), self._driver.best(self._index, -1)
        return None if bid is None or ask is None else (bid[0] + ask[0]) / 2

    def spread(self) -> int | None:
        bid, ask = self._driver.best(self._index, 1), self._driver.best(self._index, -1)
        return None if bid is None or ask is None else ask[0] - bid[0]

    def levels(self, side: int, n: int) -> list[tuple[int, int]]:
        return self._driver.levels(self._index, _whole(side, "side"), max(0, _whole(n, "n")))

    def depth(self, side: int, px_ticks: int) -> int:
        return self._driver.depth(self._index, _whole(side, "side"), _whole(px_ticks, "px_ticks"))

    def slippage(self, side: Side, qty_lots: int) -> tuple[int, float | None]:
        return self._driver.walk(self._index, int(side), _whole(qty_lots, "qty_lots"))


def _whole(value: object, name: str) -> int:
    """Ticks, lots and counts are exact integers: a float would be truncated by the binding."""
    if isinstance(value, bool) or not isinstance(value, int) and not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an integer, not {value!r}")
    number = operator.index(value)
    if not -(2**63) <= number < 2**63:
        raise ValueError(f"{name} {number} is out of range")
    return number
