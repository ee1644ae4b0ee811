"""MarketMaker: quotes the touch post-only, cancels and replaces on its timer, respects the
inventory limit and skews by inventory."""

from __future__ import annotations

from fake_context import FakeContext

from strategy_sdk import Side, TimeInForce
from strategy_sdk.examples.market_maker import MarketMaker, MarketMakerParams

MS = 1_000_000


def quotes(ctx: FakeContext, since: int) -> list[tuple[Side, int, int]]:
    return [(o.side, o.px_ticks, o.qty_lots) for o in ctx.placed(since)]


def start(**params: int) -> FakeContext:
    ctx = FakeContext(MarketMaker(MarketMakerParams(refresh_ms=100, **params))).start()
    ctx.top(1000, 1003, ts_ns=1)
    return ctx


def test_quotes_the_touch_post_only_and_replaces_on_every_timer() -> None:
    ctx = start(lots=2)
    assert ctx.subscriptions == [] and ctx.placed() == []
    ctx.advance_to(100 * MS)
    assert quotes(ctx, 0) == [(Side.BUY, 1000, 2), (Side.SELL, 1003, 2)]
    assert all(o.time_in_force == TimeInForce.GTX and o.placed_ns == 100 * MS for o in ctx.placed())
    first_ids = [o.order_id for o in ctx.placed()]
    ctx.top(1001, 1004)
    ctx.advance_to(199 * MS)
    assert len(ctx.placed()) == 2  # not yet
    ctx.advance_to(200 * MS)
    assert ctx.cancel_requests == first_ids
    assert quotes(ctx, 2) == [(Side.BUY, 1001, 2), (Side.SELL, 1004, 2)]


def test_stops_quoting_the_side_that_would_pass_the_inventory_limit() -> None:
    ctx = start(max_inventory_lots=2)
    ctx.advance_to(100 * MS)
    ctx.fill(ctx.placed()[0].order_id)  # long 1: one more bid still fits
    ctx.advance_to(200 * MS)
    assert quotes(ctx, 2) == [(Side.BUY, 1000, 1), (Side.SELL, 1003, 1)]
    ctx.fill(ctx.placed()[2].order_id)  # long 2: at the limit, only the ask
    ctx.advance_to(300 * MS)
    assert quotes(ctx, 4) == [(Side.SELL, 1003, 1)]
    for _ in range(4):  # sell down to short 2
        ctx.confirm_cancels()
        ctx.fill(ctx.open_orders()[-1].order_id)
        ctx.advance_to(ctx.now + 100 * MS)
    assert ctx.position("BTCUSDT").qty_lots == -2
    assert [side for side, _, _ in quotes(ctx, len(ctx.placed()) - 1)] == [Side.BUY]


def test_skews_both_quotes_against_the_inventory_without_crossing() -> None:
    ctx = start(max_inventory_lots=5, skew_ticks_per_lot=1)
    ctx.position("BTCUSDT").qty_lots = 2  # long 2: both quotes 2 ticks lower
    ctx.advance_to(100 * MS)
    assert quotes(ctx, 0) == [(Side.BUY, 998, 1), (Side.SELL, 1001, 1)]
    ctx.position("BTCUSDT").qty_lots = -4  # short 4: 4 ticks higher, the bid kept below the ask
    ctx.advance_to(200 * MS)
    assert quotes(ctx, 2) == [(Side.BUY, 1002, 1), (Side.SELL, 1007, 1)]
    assert ctx.records[-1] == (200 * MS, "inventory_lots", -4)


def test_no_quotes_on_an_empty_book_and_stop_cleans_up() -> None:
    ctx = FakeContext(MarketMaker(MarketMakerParams(refresh_ms=100))).start()
    ctx.advance_to(100 * MS)
    assert ctx.placed() == []
    ctx.top(1000, 1001)
    ctx.advance_to(200 * MS)
    assert len(ctx.open_orders()) == 2
    ctx.strategy.on_stop()
    assert ctx.timers == {} and len(ctx.cancel_requests) == 2
