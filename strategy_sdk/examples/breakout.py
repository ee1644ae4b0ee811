"""Momentum breakout: a Donchian channel on bars, with a stop ``stop_atr`` ATRs away.

At each bar's close: a close above the highest high of the previous ``channel`` bars buys to
+lots; a close below their lowest low sells to -lots (reversing a position held the other
way). Each entry places a reduce-only stop-market order ``stop_atr`` x ATR(``atr_period``) from
that close; the stop closes the position at the venue, between bars if need be. The channel
excludes the bar being judged (a close cannot exceed a high that includes it), and the ATR
includes it, since the bar has closed.
"""

from __future__ import annotations

import math
from typing import Annotated

import msgspec

from strategy_sdk.enums import OrderStatus, OrderType, Side
from strategy_sdk.errors import OrderRejected
from strategy_sdk.events import Bar, OrderUpdate
from strategy_sdk.indicators import ATR, DonchianChannel
from strategy_sdk.strategy import Strategy
from strategy_sdk.targets import trade_to_target

__all__ = ["Breakout", "BreakoutParams"]


class BreakoutParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    channel: Annotated[int, msgspec.Meta(gt=0)] = 20
    """Bars in the high/low channel."""
    atr_period: Annotated[int, msgspec.Meta(gt=0)] = 14
    stop_atr: Annotated[float, msgspec.Meta(gt=0)] = 2.0
    """Stop distance from the entry bar's close, in ATRs."""
    lots: Annotated[int, msgspec.Meta(gt=0)] = 1
    bar_interval: str = "1m"


class Breakout(Strategy[BreakoutParams]):
    Params = BreakoutParams

    def __init__(self, params: BreakoutParams | None = None) -> None:
        super().__init__(params)
        self.channel = DonchianChannel(self.params.channel)
        self.atr = ATR(self.params.atr_period)
        self.direction = 0  # of the position entered: +1, -1, 0 when flat or stopped out
        self.stop_order_id: int | None = None
        self.instrument = ""

    def on_start(self) -> None:
        self.instrument = self.ctx.instruments[0]
        self.ctx.subscribe_bars(self.instrument, self.params.bar_interval)

    def on_stop(self) -> None:
        self.ctx.cancel_all(self.instrument)

    def on_bar(self, bar: Bar) -> None:
        close = bar.close_ticks
        self.atr.update(bar.high_ticks, bar.low_ticks, close)
        channel = self.channel.value  # the previous bars only: updated below
        self.channel.update(bar.high_ticks, bar.low_ticks)
        atr = self.atr.value
        if channel is None or atr is None:
            return
        lowest, highest = channel
        if close > highest and self.direction <= 0:
            self.enter(1, close, atr)
        elif close < lowest and self.direction >= 0:
            self.enter(-1, close, atr)

    def enter(self, direction: int, close: int, atr: float) -> None:
        self.cancel_stop()
        self.direction = direction
        trade_to_target(self.ctx, self.instrument, direction * self.params.lots, tag="breakout")
        distance = max(1, math.ceil(self.params.stop_atr * atr))
        self.stop_order_id = self.ctx.place_order(
            self.instrument, Side.SELL if direction > 0 else Side.BUY, self.params.lots,
            order_type=OrderType.STOP_MARKET, stop_px_ticks=max(1, close - direction * distance),
            reduce_only=True, tag="atr-stop",
        )

    def cancel_stop(self) -> None:
        if self.stop_order_id is None:
            return
        try:
            self.ctx.cancel(self.stop_order_id)
        except OrderRejected:
            pass  # it has just filled or expired; its report is on the way
        self.stop_order_id = None

    def on_order(self, order: OrderUpdate) -> None:
        if order.order_id != self.stop_order_id or order.is_open:
            return
        self.stop_order_id = None
        if order.status == OrderStatus.FILLED:
            self.direction = 0  # stopped out: the next breakout either way enters again
        else:
            # Refused or expired (a stop that would trigger at once is rejected): no protection,
            # so do not keep the position.
            self.ctx.log.warning("stop order %d ended %s; closing the position", order.order_id,
                                 OrderStatus(order.status).name)
            self.direction = 0
            trade_to_target(self.ctx, self.instrument, 0, tag="no-stop")
