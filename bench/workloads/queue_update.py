"""A resting order's queue position updated per trade at its price (1-lot trades, deep queue).
`events` counts trades fed from Python (one call each); `cpp_ns_per_trade` is a C++ loop."""

from __future__ import annotations

import time

from bench.workloads._venue import MID, T0, deep_venue
from veloz._native.matching import bench_queue_updates
from veloz.order_types import OrderSide, OrderType

DEFAULT_N = 1_000_000
PRICE = MID - 1


def resting_venue():
    venue = deep_venue()
    venue.submit(1, int(OrderSide.BUY), int(OrderType.LIMIT), 1, PRICE, ts=T0)
    venue.advance_to(T0)
    venue.drain_reports(T0)
    return venue


def run(n: int, seed: int) -> dict:
    del seed
    venue = resting_venue()
    ahead = venue.order(1)[4]
    on_trade, sell = venue.on_trade, int(OrderSide.SELL)
    started = time.perf_counter()
    for i in range(n):
        on_trade(PRICE, 1, sell, T0 + 1 + i)
    elapsed = time.perf_counter() - started
    assert venue.order(1)[4] == ahead - n
    cpp_venue = resting_venue()
    cpp_ns = bench_queue_updates(cpp_venue, PRICE, n, T0 + 1)
    assert cpp_venue.order(1)[4] == ahead - n
    return {"events": n, "elapsed_s": elapsed, "unit": "trade at a resting order's price, from Python",
            "cpp_ns_per_trade": round(cpp_ns / n, 1)}
