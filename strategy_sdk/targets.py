"""Trading toward a target position with market orders, counting orders still in flight.

A market order's fill arrives after the venue's latency, so ``ctx.position`` alone lags what has
already been asked for; deciding from it again before the fill would trade twice.
"""

from __future__ import annotations

from strategy_sdk.context import Context
from strategy_sdk.enums import OrderType, Side

__all__ = ["in_flight_market_lots", "trade_to_target"]


def in_flight_market_lots(ctx: Context, instrument: str) -> int:
    """Signed lots (+ buy) of this instrument's market orders sent but not yet fully filled.
    Resting limit and stop orders are not counted: they may never fill."""
    return sum(
        (order.qty_lots - order.filled_lots) * (1 if order.side == Side.BUY else -1)
        for order in ctx.open_orders(instrument)
        if order.order_type == OrderType.MARKET
    )


def trade_to_target(ctx: Context, instrument: str, target_lots: int, *, tag: str | None = None) -> int | None:
    """Sends one market order for the difference between ``target_lots`` (signed) and the
    position plus in-flight market orders; returns its id, or None when nothing is needed."""
    difference = target_lots - ctx.position(instrument).qty_lots - in_flight_market_lots(ctx, instrument)
    if difference == 0:
        return None
    side = Side.BUY if difference > 0 else Side.SELL
    return ctx.place_order(instrument, side, abs(difference), tag=tag)
