"""The order cycle: submit -> accept -> full fill of a 1-lot limit order (marketable on arrival).

`events` counts FULL cycles (OMS -> venue -> reports -> OMS + account) driven from Python through
`veloz.sim.SimSession`: one `submit` call and one `advance` call per cycle.
Also reported: the same cycle in a C++ loop (`cpp_full_ns_per_cycle`); the venue alone from Python
and in C++; and the cycle driven call by call through the separate OMS, venue and account objects
(`separate_objects_python_ns`: nine crossings). Goals: <= 1 us from C++, <= 3 us from Python."""

from __future__ import annotations

import time

from bench.workloads._venue import MID, T0, deep_venue
from veloz._native.matching import bench_full_order_cycles, bench_order_cycles
from veloz.accounts import FuturesAccount
from veloz.oms import OrderManager
from veloz.order_types import OrderSide, OrderStatus, OrderType, ReportKind
from veloz.sim import SimSession

DEFAULT_N = 200_000


def session_cycles(n: int) -> float:
    session = SimSession("usdm", "0.1", "0.001", taker_fee_rate="0.0004", deposit="1000000000")
    for i in range(10):
        session.on_level(0, MID - 1 - i, 10**12, T0)
        session.on_level(1, MID + i, 10**12, T0)
    submit, advance = session.submit, session.advance
    buy, limit = int(OrderSide.BUY), int(OrderType.LIMIT)
    started = time.perf_counter()
    for i in range(n):
        ts = T0 + i
        order_id = submit(buy, limit, 1, MID, ts=ts)
        advance(ts)
    elapsed = time.perf_counter() - started
    assert session.position == n and session.order(order_id)[0] == OrderStatus.FILLED
    assert session.counters()["oms_refusals"] == 0
    return elapsed


def separate_objects_cycles(n: int) -> float:
    venue = deep_venue()
    oms = OrderManager()
    account = FuturesAccount("usdm")
    account.add_instrument(0, "0.1", "0.001")
    account.deposit(10**18)
    buy, limit, fill_kind = int(OrderSide.BUY), int(OrderType.LIMIT), int(ReportKind.FILL)
    started = time.perf_counter()
    for i in range(n):
        ts = T0 + i
        order_id = oms.submit(0, buy, limit, 1, MID, ts_ns=ts)
        oms.mark_sent(order_id, ts)
        venue.submit(order_id, buy, limit, 1, MID, ts=ts)
        venue.advance_to(ts)
        for report in venue.drain_reports(ts).tolist():  # tuples: one conversion for the batch
            if report[1] == fill_kind:
                oms.fill(order_id, report[11], report[6], report[7], ts)
                account.apply_fill(order_id, report[11], 0, buy, report[6], report[7], report[10], ts_ns=ts)
            else:
                oms.ack(order_id, ts)
    elapsed = time.perf_counter() - started
    assert account.position(0).qty == n and oms.order(order_id).status == 3  # FILLED
    return elapsed


def python_venue_cycles(n: int) -> float:
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
    return elapsed


def run(n: int, seed: int) -> dict:
    del seed  # deterministic workload
    elapsed = session_cycles(n)
    separate_elapsed = separate_objects_cycles(n)
    venue_elapsed = python_venue_cycles(n)
    cpp_venue = deep_venue()
    cpp_venue_ns = bench_order_cycles(cpp_venue, 1, n, T0)
    cpp_full_ns = bench_full_order_cycles(n)
    assert cpp_full_ns > 0
    return {"events": n, "elapsed_s": elapsed, "unit": "full order cycle from Python via SimSession (2 calls)",
            "separate_objects_python_ns": round(separate_elapsed * 1e9 / n, 1),
            "venue_only_python_ns": round(venue_elapsed * 1e9 / n, 1),
            "cpp_venue_ns_per_cycle": round(cpp_venue_ns / n, 1),
            "cpp_full_ns_per_cycle": round(cpp_full_ns / n, 1), "goal_cpp_ns": 1000, "goal_python_ns": 3000}
