"""Grid: a ladder of post-only limit orders around a reference price.

At the first book update (or at once, with ``reference_price``) it places ``levels`` buys at
reference - i x ``spacing_ticks`` and ``levels`` sells at reference + i x ``spacing_ticks``
(i = 1..levels), all post-only. The reference is the mid rounded down to a tick unless given.
When a level's order is completely filled, the level is re-armed one step away on the other
side: a buy filled at P places a sell at P + spacing, a sell filled at P a buy at P - spacing,
so each round trip earns the spacing. A level refused (a post-only order that would have
crossed) or cancelled by the venue is dropped, with a warning.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from strategy_sdk.enums import OrderStatus, Side
from strategy_sdk.events import BookTop, OrderUpdate
from strategy_sdk.strategy import Strategy

__all__ = ["Grid", "GridParams"]


class GridParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    levels: Annotated[int, msgspec.Meta(gt=0)] = 5
    """Orders on each side."""
    spacing_ticks: Annotated[int, msgspec.Meta(gt=0)] = 10
    lots: Annotated[int, msgspec.Meta(gt=0)] = 1
    """Size of each level's order."""
    reference_price: Decimal | None = None
    """Centre of the ladder (a price, e.g. 61800.5); None: the first mid."""


class Grid(Strategy[GridParams]):
    Params = GridParams

    def __init__(self, params: GridParams | None = None) -> None:
        super().__init__(params)
        self.reference_ticks: int | None = None
        self.working: dict[int, tuple[Side, int]] = {}  # order id -> (side, price ticks)
        self.instrument = ""

    def on_start(self) -> None:
        self.instrument = self.ctx.instruments[0]
        if self.params.reference_price is not None:
            self.arm(self.ctx.instrument(self.instrument).ticks(self.params.reference_price))
        else:
            self.ctx.subscribe_book(self.instrument)

    def on_stop(self) -> None:
        self.ctx.cancel_all(self.instrument)

    def on_book(self, top: BookTop) -> None:
        if self.reference_ticks is None and top.bid_px_ticks and top.ask_px_ticks:
            self.arm((top.bid_px_ticks + top.ask_px_ticks) // 2)

    def arm(self, reference_ticks: int) -> None:
        self.reference_ticks = reference_ticks
        spacing = self.params.spacing_ticks
        for i in range(1, self.params.levels + 1):
            self.place(Side.BUY, reference_ticks - i * spacing)
            self.place(Side.SELL, reference_ticks + i * spacing)

    def place(self, side: Side, px_ticks: int) -> None:
        if px_ticks <= 0:
            return  # a ladder deeper than the price itself: no such level
        order_id = self.ctx.place_order(self.instrument, side, self.params.lots, px_ticks, post_only=True, tag="grid")
        self.working[order_id] = (side, px_ticks)

    def on_order(self, order: OrderUpdate) -> None:
        level = self.working.get(order.order_id)
        if level is None or order.is_open:
            return
        del self.working[order.order_id]
        side, px_ticks = level
        if order.status == OrderStatus.FILLED:
            step = self.params.spacing_ticks
            self.place(side.opposite, px_ticks + step if side == Side.BUY else px_ticks - step)
        else:
            self.ctx.log.warning("grid %s level at %d ticks dropped: order %d ended %s", side.name, px_ticks,
                                 order.order_id, OrderStatus(order.status).name)
