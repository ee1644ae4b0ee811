"""1M trades; SMA(50) and SMA(200) of trade prices compared exactly in integer ticks
(fast_sum x 200 vs slow_sum x 50); on each change of sign after warm-up a market order moves the
position to +1 or -1 lot. Goal: >= 1.5M events/s; the order count is reported. Uses the SDK's
example strategy (strategy_sdk.examples.ma_cross) with one lot."""

from __future__ import annotations

from typing import Any

from bench.workloads._replay import load_npz, replay, result, synthetic_trades, trade_streams
from strategy_sdk.examples.ma_cross import MovingAverageCross, MovingAverageCrossParams

DEFAULT_N = 1_000_000
INPUT_KEYS = ("ts_ns", "px_ticks", "qty_lots", "side")


def run(n: int, seed: int, input: str | None = None) -> dict[str, Any]:
    arrays = load_npz(input, INPUT_KEYS) if input else synthetic_trades(n, seed)
    strategy = MovingAverageCross(MovingAverageCrossParams(fast=50, slow=200, lots=1))
    outcome = replay(strategy, trade_streams(arrays))
    out = result(outcome, len(arrays["ts_ns"]))
    assert out["oms_refusals"] == 0
    return out
