"""Breakout: enters on a close beyond the previous bars' channel, with an ATR stop."""

from __future__ import annotations

from fake_context import FakeContext

from strategy_sdk import OrderStatus, OrderType, Side
from strategy_sdk.examples.breakout import Breakout, BreakoutParams

# channel 3 bars, ATR 2 bars, stop 1 ATR, 2 lots. (open, high, low, close) and the worked values:
WARM_UP = [
    (100, 102, 98, 100),   # TR 4
    (100, 103, 99, 101),   # TR 4 -> ATR 4
    (101, 102, 97, 98),    # TR 5 -> ATR 4.5; channel of bars 0-2: 97..103
]
BREAKOUT_UP = (98, 106, 98, 105)  # TR 8 -> ATR 6.25; 105 > 103: buy, stop at 105 - ceil(6.25) = 98
INSIDE = (105, 107, 104, 106)     # TR 3 -> ATR 4.625; channel 97..106: 106 is not above
AGAIN_UP = (100, 109, 99, 108)    # TR 10 -> ATR 7.3125; channel 97..107 (bars 2-4) -> buy, stop 100
BREAKDOWN = (108, 108, 94, 95)    # TR 14 -> ATR 10.65625; channel 98..109: 95 < 98 -> sell, stop 106


def start(**params: float) -> FakeContext:
    strategy = Breakout(BreakoutParams(channel=3, atr_period=2, stop_atr=1.0, lots=2, **params))  # type: ignore[arg-type]
    ctx = FakeContext(strategy, fill_market_orders=True).start()
    for i, bar in enumerate(WARM_UP):
        ctx.bar(*bar, ts_ns=i)
    return ctx


def summary(ctx: FakeContext, since: int = 0) -> list[tuple[object, ...]]:
    return [(o.side, o.qty_lots, o.order_type, o.stop_px_ticks, o.reduce_only) for o in ctx.placed(since)]


def test_enters_on_breakout_with_a_reduce_only_atr_stop() -> None:
    ctx = start()
    assert ctx.subscriptions == [("bars", "BTCUSDT", "1m")] and ctx.placed() == []
    ctx.bar(*BREAKOUT_UP, ts_ns=3)
    assert summary(ctx) == [(Side.BUY, 2, OrderType.MARKET, None, False),
                            (Side.SELL, 2, OrderType.STOP_MARKET, 98, True)]
    ctx.bar(*INSIDE, ts_ns=4)
    assert len(ctx.placed()) == 2


def test_after_the_stop_fills_the_next_breakout_enters_again_and_a_breakdown_reverses() -> None:
    ctx = start()
    ctx.bar(*BREAKOUT_UP, ts_ns=3)
    ctx.bar(*INSIDE, ts_ns=4)  # fills the entry
    stop = ctx.placed()[1]
    ctx.fill(stop.order_id, px_ticks=98)
    assert ctx.position("BTCUSDT").qty_lots == 0
    ctx.bar(*AGAIN_UP, ts_ns=5)
    assert summary(ctx, 2) == [(Side.BUY, 2, OrderType.MARKET, None, False),
                               (Side.SELL, 2, OrderType.STOP_MARKET, 100, True)]
    second_stop = ctx.placed()[3]
    ctx.bar(*BREAKDOWN, ts_ns=6)
    assert ctx.cancel_requests == [second_stop.order_id]
    assert summary(ctx, 4) == [(Side.SELL, 4, OrderType.MARKET, None, False),
                               (Side.BUY, 2, OrderType.STOP_MARKET, 95 + 11, True)]


def test_a_refused_stop_closes_the_position() -> None:
    ctx = start()
    ctx.bar(*BREAKOUT_UP, ts_ns=3)
    ctx.bar(*INSIDE, ts_ns=4)
    ctx.reject(ctx.placed()[1].order_id, reject_code=-2021)  # Binance: would trigger immediately
    assert summary(ctx, 2) == [(Side.SELL, 2, OrderType.MARKET, None, False)]
    assert ctx.placed()[1].status == OrderStatus.REJECTED


def test_on_stop_cancels_the_working_stop() -> None:
    ctx = start()
    ctx.bar(*BREAKOUT_UP, ts_ns=3)
    ctx.strategy.on_stop()
    assert ctx.placed()[1].order_id in ctx.cancel_requests
