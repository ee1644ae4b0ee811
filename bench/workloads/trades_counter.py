"""1M trades through the replay driver into a Python strategy that counts its on_trade calls.
Goal: >= 5M events/s. Input: seeded synthetic trades, or --input FILE.npz (ts_ns, px_ticks,
qty_lots, side)."""

from __future__ import annotations

from typing import Any

from bench.workloads._replay import load_npz, replay, result, synthetic_trades, trade_streams
from strategy_sdk import Strategy, Trade

DEFAULT_N = 1_000_000
INPUT_KEYS = ("ts_ns", "px_ticks", "qty_lots", "side")


class TradeCounter(Strategy):
    def on_start(self) -> None:
        self.count = 0
        self.ctx.subscribe_trades("BTCUSDT")

    def on_trade(self, trade: Trade) -> None:
        self.count += 1


def run(n: int, seed: int, input: str | None = None) -> dict[str, Any]:
    arrays = load_npz(input, INPUT_KEYS) if input else synthetic_trades(n, seed)
    strategy = TradeCounter()
    outcome = replay(strategy, trade_streams(arrays))
    events = len(arrays["ts_ns"])
    assert strategy.count == events
    return result(outcome, events)
