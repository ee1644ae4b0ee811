"""The l2_bbo stream with a Python market maker: quotes one lot on both sides post-only at the
touch and cancels/replaces every 100 ms (a repeating timer). Goal: >= 6.7M events/s. Uses the
SDK's example market maker (strategy_sdk.examples.market_maker)."""

from __future__ import annotations

from typing import Any

from bench.workloads._replay import l2_streams, load_npz, replay, result, synthetic_l2
from strategy_sdk.examples.market_maker import MarketMaker, MarketMakerParams

DEFAULT_N = 10_000_000
INPUT_KEYS = ("kind", "side", "px_ticks", "qty_lots", "ts_ns", "local_ts_ns")


def run(n: int, seed: int, input: str | None = None) -> dict[str, Any]:
    arrays = load_npz(input, INPUT_KEYS) if input else synthetic_l2(n, seed)
    strategy = MarketMaker(MarketMakerParams(lots=1, refresh_ms=100, max_inventory_lots=50))
    outcome = replay(strategy, l2_streams(arrays))
    out = result(outcome, len(arrays["kind"]))
    assert out["oms_refusals"] == 0
    return out
