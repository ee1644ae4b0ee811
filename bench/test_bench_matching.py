"""pytest-benchmark suite for the simulated venue and session: `python -m pytest bench/`."""

from __future__ import annotations

import itertools

from bench.workloads._venue import MID, T0, deep_venue
from veloz.order_types import OrderSide, OrderStatus, OrderType
from veloz.sim import SimSession


def test_full_order_cycle_through_a_session(benchmark) -> None:
    """submit + advance: OMS -> venue -> accepted + fill -> OMS + account."""
    session = SimSession("usdm", "0.1", "0.001", taker_fee_rate="0.0004", deposit="1000000000")
    session.on_level(1, MID, 10**12, T0)
    clock = itertools.count(T0 + 1)

    def cycle() -> int:
        ts = next(clock)
        order_id = session.submit(OrderSide.BUY, OrderType.LIMIT, 1, MID, ts=ts)
        session.advance(ts)
        return order_id

    order_id = benchmark(cycle)
    assert session.order(order_id)[0] == OrderStatus.FILLED and session.counters()["oms_refusals"] == 0


def test_queue_update_on_a_trade(benchmark) -> None:
    venue = deep_venue()
    venue.submit(1, OrderSide.BUY, OrderType.LIMIT, 1, MID - 1, ts=T0)
    venue.advance_to(T0)
    clock = itertools.count(T0 + 1)
    benchmark(lambda: venue.on_trade(MID - 1, 1, OrderSide.SELL, next(clock)))
    assert venue.order(1)[5] is True  # still working: far back in a deep queue


def test_market_walk_of_ten_levels(benchmark) -> None:
    venue = deep_venue(10, 5)
    ids = itertools.count(1)
    clock = itertools.count(T0 + 1, 2)

    def walk() -> int:
        ts = next(clock)
        venue.submit(next(ids), OrderSide.BUY, OrderType.MARKET, 50, ts=ts)
        venue.advance_to(ts)
        reports = venue.drain_reports(ts)
        for level in range(10):
            venue.on_level(1, MID + level, 5, ts + 1)
        return len(reports)

    assert benchmark(walk) == 11
