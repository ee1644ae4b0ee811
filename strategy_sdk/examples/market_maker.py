"""A simple market maker: post-only quotes at the touch, replaced on a repeating timer.

Every ``refresh_ms`` it cancels its open orders and quotes ``lots`` at the best bid and at the
best ask, post-only. With ``skew_ticks_per_lot``, both quotes move down by that many ticks per
lot held long (up per lot short), so inventory tends to unwind; a quote is never moved across
the touch, where post-only would be refused. It stops quoting the side that would take the
position beyond ``max_inventory_lots`` either way: at the limit it only quotes to reduce.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from strategy_sdk.enums import Side
from strategy_sdk.events import TimerEvent
from strategy_sdk.strategy import Strategy

__all__ = ["MarketMaker", "MarketMakerParams"]

NS_PER_MS = 1_000_000


class MarketMakerParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    lots: Annotated[int, msgspec.Meta(gt=0)] = 1
    """Size of each quote."""
    refresh_ms: Annotated[int, msgspec.Meta(gt=0)] = 500
    max_inventory_lots: Annotated[int, msgspec.Meta(gt=0)] = 10
    skew_ticks_per_lot: Annotated[int, msgspec.Meta(ge=0)] = 0


class MarketMaker(Strategy[MarketMakerParams]):
    Params = MarketMakerParams

    def __init__(self, params: MarketMakerParams | None = None) -> None:
        super().__init__(params)
        self.timer_id: int | None = None
        self.instrument = ""

    def on_start(self) -> None:
        self.instrument = self.ctx.instruments[0]
        # Only the book's current state is read, on the timer, so no per-update callback is needed.
        self.timer_id = self.ctx.set_timer(self.params.refresh_ms * NS_PER_MS, "requote", repeat=True)

    def on_stop(self) -> None:
        if self.timer_id is not None:
            self.ctx.cancel_timer(self.timer_id)
        self.ctx.cancel_all(self.instrument)

    def on_timer(self, timer: TimerEvent) -> None:
        if timer.timer_id == self.timer_id:
            self.requote()

    def requote(self) -> None:
        ctx, params = self.ctx, self.params
        ctx.cancel_all(self.instrument)
        book = ctx.book(self.instrument)
        best_bid, best_ask = book.best_bid(), book.best_ask()
        if best_bid is None or best_ask is None:
            return
        bid_ticks, ask_ticks = best_bid[0], best_ask[0]
        inventory = ctx.position(self.instrument).qty_lots
        skew = inventory * params.skew_ticks_per_lot
        ctx.record("inventory_lots", inventory)
        bid_px = min(bid_ticks - skew, ask_ticks - 1)
        if inventory + params.lots <= params.max_inventory_lots and bid_px > 0:
            ctx.place_order(self.instrument, Side.BUY, params.lots, bid_px, post_only=True, tag="bid")
        if inventory - params.lots >= -params.max_inventory_lots:
            ask_px = max(ask_ticks - skew, bid_ticks + 1)
            ctx.place_order(self.instrument, Side.SELL, params.lots, ask_px, post_only=True, tag="ask")
