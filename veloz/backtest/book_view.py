"""The BookView a strategy sees (strategy_sdk.BookView): the venue's live book, read in C++."""

from __future__ import annotations

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
        return self._driver.levels(self._index, side, n)

    def depth(self, side: int, px_ticks: int) -> int:
        return self._driver.depth(self._index, side, px_ticks)

    def slippage(self, side: Side, qty_lots: int) -> tuple[int, float | None]:
        return self._driver.walk(self._index, int(side), qty_lots)
