"""Grid: post-only levels at exact ticks around the reference; filled levels re-armed opposite."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fake_context import FakeContext

from strategy_sdk import OrderType, Side, TimeInForce
from strategy_sdk.examples.grid import Grid, GridParams


def ladder(ctx: FakeContext, since: int = 0) -> list[tuple[Side, int, int]]:
    return [(o.side, o.px_ticks, o.qty_lots) for o in ctx.placed(since)]


def armed(**params: object) -> FakeContext:
    ctx = FakeContext(Grid(GridParams(levels=3, spacing_ticks=5, lots=2, **params))).start()  # type: ignore[arg-type]
    ctx.top(1000, 1002)  # reference: mid 1001
    return ctx


def test_places_the_ladder_at_exact_ticks_post_only() -> None:
    ctx = armed()
    assert ctx.subscriptions == [("book", "BTCUSDT")]
    assert ladder(ctx) == [(Side.BUY, 996, 2), (Side.SELL, 1006, 2), (Side.BUY, 991, 2), (Side.SELL, 1011, 2),
                           (Side.BUY, 986, 2), (Side.SELL, 1016, 2)]
    assert all(o.order_type == OrderType.LIMIT and o.time_in_force == TimeInForce.GTX for o in ctx.placed())
    ctx.top(900, 902)
    assert len(ctx.placed()) == 6  # armed once


def test_a_filled_level_is_re_armed_one_step_away_on_the_other_side() -> None:
    ctx = armed()
    buy_996, sell_1006 = ctx.placed()[0], ctx.placed()[1]
    ctx.fill(buy_996.order_id, qty_lots=1)
    assert len(ctx.placed()) == 6  # partially filled: the level is still working
    ctx.fill(buy_996.order_id)
    assert ladder(ctx, 6) == [(Side.SELL, 1001, 2)]
    ctx.fill(sell_1006.order_id)
    assert ladder(ctx, 7) == [(Side.BUY, 1001, 2)]
    ctx.fill(ctx.placed()[6].order_id)  # the re-armed sell at 1001 fills: a buy at 996 again
    assert ladder(ctx, 8) == [(Side.BUY, 996, 2)]


def test_a_refused_level_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    ctx = armed()
    ctx.reject(ctx.placed()[0].order_id)
    assert len(ctx.placed()) == 6
    assert "level at 996 ticks dropped" in caplog.text


def test_reference_price_in_the_parameters_arms_at_start_without_the_book() -> None:
    ctx = FakeContext(Grid(GridParams(levels=1, spacing_ticks=3, reference_price=Decimal("61800.5")))).start()
    assert ctx.subscriptions == []
    assert ladder(ctx) == [(Side.BUY, 618002, 1), (Side.SELL, 618008, 1)]


def test_levels_below_zero_are_skipped() -> None:
    ctx = FakeContext(Grid(GridParams(levels=3, spacing_ticks=5))).start()
    ctx.top(9, 11)  # reference 10: buys at 5, (0 and -5 do not exist)
    assert [(o.side, o.px_ticks) for o in ctx.placed() if o.side == Side.BUY] == [(Side.BUY, 5)]
