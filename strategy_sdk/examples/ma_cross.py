"""Moving-average cross on trade prices, compared exactly in ticks.

Every trade updates two simple moving averages of its price in ticks, ``fast`` and ``slow``
trades long. Once the slow one is full, the strategy follows the sign of fast - slow, compared
exactly by cross-multiplying the integer sums (fast_sum * slow < slow_sum * fast). The first
sign seen only sets the state; each later change of sign (a cross) sends one market order that
moves the position to +lots (fast above slow) or -lots (fast below). Equal averages are not a
cross: the previous sign holds until the other side is reached.

This exact logic is also a benchmark workload, so ``on_trade`` is kept short.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from strategy_sdk.errors import ParameterError
from strategy_sdk.events import Trade
from strategy_sdk.indicators import SMA
from strategy_sdk.strategy import Strategy
from strategy_sdk.targets import trade_to_target

__all__ = ["MovingAverageCross", "MovingAverageCrossParams"]


class MovingAverageCrossParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    fast: Annotated[int, msgspec.Meta(gt=0)] = 50
    """Trades in the fast average."""
    slow: Annotated[int, msgspec.Meta(gt=0)] = 200
    """Trades in the slow average; more than ``fast``."""
    lots: Annotated[int, msgspec.Meta(gt=0)] = 1
    """Size of the position held after a cross, in lots."""

    def __post_init__(self) -> None:
        if self.fast >= self.slow:
            raise ParameterError("fast", f"must be less than slow ({self.fast} >= {self.slow})")


class MovingAverageCross(Strategy[MovingAverageCrossParams]):
    Params = MovingAverageCrossParams

    def __init__(self, params: MovingAverageCrossParams | None = None) -> None:
        super().__init__(params)
        self.fast = SMA(self.params.fast)
        self.slow = SMA(self.params.slow)
        self.trend = 0  # sign of fast - slow once known: +1, -1 (0 before)
        self.instrument = ""

    def on_start(self) -> None:
        self.instrument = self.ctx.instruments[0]
        self.ctx.subscribe_trades(self.instrument)

    def on_trade(self, trade: Trade) -> None:
        px = trade.px_ticks
        fast, slow = self.fast, self.slow
        fast.update(px)
        slow.update(px)
        if not slow.ready:  # the fast one, shorter, is full too
            return
        difference = fast.sum * slow.period - slow.sum * fast.period
        if difference == 0:
            return
        trend = 1 if difference > 0 else -1
        if trend == self.trend:
            return
        crossed = self.trend != 0
        self.trend = trend
        if crossed:
            trade_to_target(self.ctx, self.instrument, trend * self.params.lots, tag="cross")
