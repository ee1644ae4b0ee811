"""MeanReversion: fades closes beyond the bands and exits at the middle band."""

from __future__ import annotations

from fake_context import FakeContext

from strategy_sdk import OrderType, Side
from strategy_sdk.examples.mean_reversion import MeanReversion, MeanReversionParams

# period 3, k 1 (population stdev), closes:
#   100 100 100  bands 100/100/100: not beyond
#   106  window 100 100 106: mean 102, sd 2.83, upper 104.8 -> above: sell to -1
#   104  window 100 106 104: mean 103.3 -> still above the mean: hold
#   101  window 106 104 101: mean 103.7 -> at or below the mean: exit (buy 1)
#    90  window 104 101 90: mean 98.3, sd 6.0, lower 92.3 -> below: buy to +1
#    99  window 101 90 99: mean 96.7 -> at or above the mean: exit (sell 1)
CLOSES = [100, 100, 100, 106, 104, 101, 90, 99]


def test_fades_outside_the_bands_and_exits_at_the_mean() -> None:
    ctx = FakeContext(MeanReversion(MeanReversionParams(period=3, k=1.0, lots=2, bar_interval="5m")),
                      fill_market_orders=True).start()
    assert ctx.subscriptions == [("bars", "BTCUSDT", "5m")]
    for i, close in enumerate(CLOSES):
        ctx.bar(close, close, close, close, ts_ns=i)
    assert [(o.placed_ns, o.side, o.qty_lots, o.order_type, o.tag) for o in ctx.placed()] == [
        (3, Side.SELL, 2, OrderType.MARKET, "fade"),
        (5, Side.BUY, 2, OrderType.MARKET, "exit"),
        (6, Side.BUY, 2, OrderType.MARKET, "fade"),
        (7, Side.SELL, 2, OrderType.MARKET, "exit"),
    ]
    assert ctx.position("BTCUSDT").qty_lots == 2  # the last exit has not filled yet: no later bar


def test_mid_source_uses_the_touch_and_skips_an_empty_side() -> None:
    ctx = FakeContext(MeanReversion(MeanReversionParams(period=3, k=1.0, source="mid"))).start()
    assert ctx.subscriptions == [("book", "BTCUSDT")]
    ctx.top(0, 101)  # an empty bid: no sample
    for bid in (99, 99, 99, 102):  # mids 100 100 100 103 (doubled: 200 200 200 206)
        ctx.top(bid, bid + 2)
    assert [(o.side, o.qty_lots) for o in ctx.placed()] == [(Side.SELL, 1)]
