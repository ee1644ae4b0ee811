"""Mean reversion with Bollinger bands: fade moves beyond k standard deviations, exit at the mean.

Each sample (a bar's close, or the mid price on every change of the best bid or ask) updates
Bollinger bands over the last ``period`` samples. Flat, a sample above the upper band sells to
-lots and one below the lower band buys to +lots, betting the move reverts. Long, the position
is closed once a sample reaches the middle band (short: falls to it). The band a sample is
compared with includes that sample, as a chart would draw it; nothing later is seen.

Mids are used doubled (bid + ask, in half ticks) so they stay exact integers.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from strategy_sdk.events import Bar, BookTop
from strategy_sdk.indicators import BollingerBands
from strategy_sdk.strategy import Strategy
from strategy_sdk.targets import trade_to_target

__all__ = ["MeanReversion", "MeanReversionParams"]


class MeanReversionParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    period: Annotated[int, msgspec.Meta(ge=2)] = 20
    """Samples in the bands."""
    k: Annotated[float, msgspec.Meta(gt=0)] = 2.0
    """Band width in standard deviations (population)."""
    lots: Annotated[int, msgspec.Meta(gt=0)] = 1
    source: Literal["close", "mid"] = "close"
    """"close": bar closes; "mid": the mid price at every change of the touch."""
    bar_interval: str = "1m"
    """Bar length when ``source`` is "close"."""


class MeanReversion(Strategy[MeanReversionParams]):
    Params = MeanReversionParams

    def __init__(self, params: MeanReversionParams | None = None) -> None:
        super().__init__(params)
        self.bands = BollingerBands(self.params.period, self.params.k)
        self.holding = 0  # the side this strategy has traded to: +1, -1 or 0
        self.instrument = ""

    def on_start(self) -> None:
        self.instrument = self.ctx.instruments[0]
        if self.params.source == "close":
            self.ctx.subscribe_bars(self.instrument, self.params.bar_interval)
        else:
            self.ctx.subscribe_book(self.instrument)

    def on_bar(self, bar: Bar) -> None:
        self.on_sample(bar.close_ticks)

    def on_book(self, top: BookTop) -> None:
        if top.bid_px_ticks and top.ask_px_ticks:  # 0 marks an empty side
            self.on_sample(top.bid_px_ticks + top.ask_px_ticks)

    def on_sample(self, px: int) -> None:
        bands = self.bands
        bands.update(px)
        value = bands.value
        if value is None:
            return
        lower, middle, upper = value
        if self.holding == 0:
            target = -1 if px > upper else 1 if px < lower else 0
        elif self.holding > 0:
            target = 0 if px >= middle else 1
        else:
            target = 0 if px <= middle else -1
        if target != self.holding:
            self.holding = target
            trade_to_target(self.ctx, self.instrument, target * self.params.lots,
                            tag="fade" if target else "exit")
