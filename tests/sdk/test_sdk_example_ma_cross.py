"""MovingAverageCross: orders exactly at the crossings of the integer SMAs, sized to the target."""

from __future__ import annotations

from fractions import Fraction

import pytest
from fake_context import FakeContext
from hypothesis import given
from hypothesis import strategies as st

from strategy_sdk import OrderType, ParameterError, Side, parse_params
from strategy_sdk.examples.ma_cross import MovingAverageCross, MovingAverageCrossParams

# fast = 2, slow = 4 trades. Means after each trade (fast, slow) once the slow one is full:
#   3: 100 / 100 equal, no sign     4: 102 / 101 +, first sign (no order)
#   5: 105 / 102.5 +               6: 98 / 100 -  cross: sell to -3
#   7: 90 / 97.5 -                 8: 100 / 99 +  cross: buy to +3
#   9: 110 / 100 +                10: 102.5 / 101.25 +
#  11: 87.5 / 98.75 - cross: sell to -3
PATH = [100, 100, 100, 100, 104, 106, 90, 90, 110, 110, 95, 80]


def run(path: list[int], fill_market_orders: bool = True, **params: int) -> FakeContext:
    strategy = MovingAverageCross(MovingAverageCrossParams(**params))
    ctx = FakeContext(strategy, fill_market_orders=fill_market_orders).start()
    for i, px in enumerate(path):
        ctx.trade(px, ts_ns=i)
    return ctx


def test_orders_at_the_crossings_move_the_position_to_plus_or_minus_lots() -> None:
    ctx = run(PATH, fast=2, slow=4, lots=3)
    assert ctx.subscriptions == [("trades", "BTCUSDT")]
    assert [(o.placed_ns, o.side, o.qty_lots, o.order_type, o.tag) for o in ctx.placed()] == [
        (6, Side.SELL, 3, OrderType.MARKET, "cross"),
        (8, Side.BUY, 6, OrderType.MARKET, "cross"),
        (11, Side.SELL, 6, OrderType.MARKET, "cross"),
    ]


def test_orders_still_in_flight_count_toward_the_target() -> None:
    """Without fills the position stays 0; the second order must not trade the first again."""
    ctx = run(PATH[:9], fill_market_orders=False, fast=2, slow=4, lots=3)
    assert [(o.side, o.qty_lots) for o in ctx.placed()] == [(Side.SELL, 3), (Side.BUY, 6)]


def test_equal_averages_are_not_a_cross() -> None:
    # Slow full at 3 (fast 101 > slow 100.5: sign +), then 4: fast 100 = slow 100 (no change), then
    # 5: back above (still +): no order at all.
    ctx = run([100, 100, 100, 102, 98, 106], fast=2, slow=4, lots=1)
    assert ctx.placed() == []


def test_params_come_from_the_command_line_and_fast_must_be_faster() -> None:
    assert parse_params(MovingAverageCrossParams, {"fast": "5", "slow": "20", "lots": "2"}) == \
        MovingAverageCrossParams(5, 20, 2)
    with pytest.raises(ParameterError) as info:
        parse_params(MovingAverageCrossParams, {"fast": "20", "slow": "20"})
    assert info.value.field == "fast"


@given(path=st.lists(st.integers(1, 30), max_size=120), fast=st.integers(1, 4), extra=st.integers(1, 5))
def test_orders_match_a_reference_that_recomputes_the_means(path: list[int], fast: int, extra: int) -> None:
    slow = fast + extra
    expected = []
    last_sign, position = 0, 0
    for i in range(slow - 1, len(path)):
        difference = Fraction(sum(path[i + 1 - fast: i + 1]), fast) - Fraction(sum(path[i + 1 - slow: i + 1]), slow)
        sign = (difference > 0) - (difference < 0)
        if sign and sign != last_sign:
            if last_sign:
                expected.append((i, Side.BUY if sign > 0 else Side.SELL, abs(sign * 2 - position)))
                position = sign * 2
            last_sign = sign
    ctx = run(path, fast=fast, slow=slow, lots=2)
    assert [(o.placed_ns, o.side, o.qty_lots) for o in ctx.placed()] == expected
