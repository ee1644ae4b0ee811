"""Order state machine: submit -> mark_sent -> ack -> one full fill per cycle (LIMIT buys of 10
lots at 1000 ticks), the OMS share of an order's life; matching is not included.

Timed twice, each on a fresh OrderManager reserved for n orders:
  * events / elapsed_s: driven from Python, one call per event (four calls per cycle), the way a
    strategy or venue adapter drives it;
  * cpp_*: the same cycles in one C++ loop (run_order_cycles).
The goals are those of a whole cycle including matching (<= 3 us from Python, <= 1 us in C++), so
the OMS should take a small fraction of them. Cycles are identical, so `seed` changes nothing.
"""

from __future__ import annotations

import time

from veloz._native.oms import run_order_cycles
from veloz.oms import OrderManager, OrderSide, OrderType

DEFAULT_N = 200_000  # ~45 MB of orders per manager
QTY = 10
PRICE = 1000


def python_cycles(n: int) -> float:
    oms = OrderManager(reserve_orders=n, reserve_fills=n)
    submit, mark_sent, ack, fill = oms.submit, oms.mark_sent, oms.ack, oms.fill
    buy, limit = OrderSide.BUY, OrderType.LIMIT
    started = time.perf_counter()
    for ts in range(n):
        order_id = submit(0, buy, limit, QTY, PRICE, ts_ns=ts)
        mark_sent(order_id, ts)
        ack(order_id, ts)
        fill(order_id, ts, PRICE, QTY, ts)
    elapsed = time.perf_counter() - started
    counters = oms.counters()
    if counters["fills_applied"] != n or counters["refused"]:
        raise RuntimeError(f"unexpected outcomes: {counters}")
    return elapsed


def cpp_cycles(n: int) -> float:
    oms = OrderManager(reserve_orders=n, reserve_fills=n)
    started = time.perf_counter()
    unexpected = run_order_cycles(oms, n)
    elapsed = time.perf_counter() - started
    if unexpected or len(oms) != n:
        raise RuntimeError(f"{unexpected} events were not applied")
    return elapsed


def run(n: int, seed: int) -> dict[str, float | int | str]:
    del seed
    python_elapsed = python_cycles(n)
    cpp_elapsed = cpp_cycles(n)
    return {
        "events": n,
        "elapsed_s": python_elapsed,
        "unit": "order cycle (submit, mark_sent, ack, fill)",
        "python_ns_per_cycle": round(python_elapsed * 1e9 / n, 1),
        "cpp_elapsed_s": round(cpp_elapsed, 6),
        "cpp_ns_per_cycle": round(cpp_elapsed * 1e9 / n, 1),
        "goal_python_ns_per_cycle_with_matching": 3000,
        "goal_cpp_ns_per_cycle_with_matching": 1000,
    }
