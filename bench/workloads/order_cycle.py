"""submit -> accept -> full fill of a 1-lot limit order (marketable on arrival), reports drained.
`events` counts cycles driven from Python (submit, advance_to, drain_reports: three calls);
`cpp_ns_per_cycle` is the same cycle in a C++ loop."""

from __future__ import annotations

import time

from bench.workloads._venue import MID, T0, deep_venue
from veloz._native.matching import bench_order_cycles
from veloz.order_types import OrderSide, OrderType

DEFAULT_N = 200_000


def run(n: int, seed: int) -> dict:
    del seed  # deterministic workload
    venue = deep_venue()
    submit, advance, drain = venue.submit, venue.advance_to, venue.drain_reports
    buy, limit = int(OrderSide.BUY), int(OrderType.LIMIT)
    started = time.perf_counter()
    for i in range(n):
        ts = T0 + i
        submit(i + 1, buy, limit, 1, MID, ts=ts)
        advance(ts)
        drain(ts)
    elapsed = time.perf_counter() - started
    assert venue.position == n
    cpp_venue = deep_venue()
    cpp_ns = bench_order_cycles(cpp_venue, 1, n, T0)
    assert cpp_venue.position == n
    return {"events": n, "elapsed_s": elapsed, "unit": "order cycle driven from Python",
            "cpp_ns_per_cycle": round(cpp_ns / n, 1), "goal_cpp_ns": 1000, "goal_python_ns": 3000}
