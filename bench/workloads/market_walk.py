"""A market order walking 10 ask levels (then the levels are re-stated for the next walk).
`events` counts walks driven from Python; `cpp_ns_per_walk` is the same in a C++ loop."""

from __future__ import annotations

import time

from bench.workloads._venue import MID, T0, deep_venue
from veloz._native.matching import bench_market_walks
from veloz.order_types import OrderSide, OrderType

DEFAULT_N = 100_000
LEVELS = 10
PER_LEVEL = 5


def run(n: int, seed: int) -> dict:
    del seed
    venue = deep_venue(LEVELS, PER_LEVEL)
    submit, advance, drain, on_level = venue.submit, venue.advance_to, venue.drain_reports, venue.on_level
    buy, market = int(OrderSide.BUY), int(OrderType.MARKET)
    started = time.perf_counter()
    for i in range(n):
        ts = T0 + 2 * i
        submit(i + 1, buy, market, LEVELS * PER_LEVEL, ts=ts)
        advance(ts)
        reports = drain(ts)
        for level in range(LEVELS):
            on_level(1, MID + level, PER_LEVEL, ts + 1)
    elapsed = time.perf_counter() - started
    assert len(reports) == LEVELS + 1  # accepted + one fill per level
    cpp_ns = bench_market_walks(deep_venue(LEVELS, PER_LEVEL), 1, n, LEVELS * PER_LEVEL, T0)
    return {"events": n, "elapsed_s": elapsed, "unit": "10-level market walk + 10 level re-statements, Python",
            "cpp_ns_per_walk": round(cpp_ns / n, 1)}
