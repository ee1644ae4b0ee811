"""trade_to_target counts the position and the unfilled part of market orders, not resting ones."""

from __future__ import annotations

from fake_context import FakeContext

from strategy_sdk import OrderType, Side, Strategy, in_flight_market_lots, trade_to_target


def test_counts_position_and_unfilled_market_orders_only() -> None:
    ctx = FakeContext(Strategy()).start()
    ctx.position("BTCUSDT").qty_lots = 2
    market = ctx.place_order("BTCUSDT", Side.BUY, 5)
    ctx.fill(market, qty_lots=1)  # position 3, 4 lots still in flight
    ctx.place_order("BTCUSDT", Side.SELL, 7, 1000)  # a resting limit: may never fill
    ctx.place_order("BTCUSDT", Side.SELL, 3, order_type=OrderType.STOP_MARKET, stop_px_ticks=900)
    assert in_flight_market_lots(ctx, "BTCUSDT") == 4
    order_id = trade_to_target(ctx, "BTCUSDT", -1, tag="flip")  # from 3 + 4 to -1
    assert order_id is not None
    order = ctx.orders[order_id]
    assert (order.side, order.qty_lots, order.order_type, order.tag) == (Side.SELL, 8, OrderType.MARKET, "flip")
    assert trade_to_target(ctx, "BTCUSDT", -1) is None
