"""10M L2 level updates and trades; a Python strategy that wakes only when the top of book
changes (on_book). Goal: >= 10M events/s. Input: seeded synthetic data, or --input FILE.npz
(kind, side, px_ticks, qty_lots, ts_ns, local_ts_ns)."""

from __future__ import annotations

from typing import Any

from bench.workloads._replay import l2_streams, load_npz, replay, result, synthetic_l2
from strategy_sdk import BookTop, Strategy

DEFAULT_N = 10_000_000
INPUT_KEYS = ("kind", "side", "px_ticks", "qty_lots", "ts_ns", "local_ts_ns")


class TopWatcher(Strategy):
    def on_start(self) -> None:
        self.changes = 0
        self.ctx.subscribe_book("BTCUSDT")

    def on_book(self, top: BookTop) -> None:
        self.changes += 1


def run(n: int, seed: int, input: str | None = None) -> dict[str, Any]:
    arrays = load_npz(input, INPUT_KEYS) if input else synthetic_l2(n, seed)
    strategy = TopWatcher()
    outcome = replay(strategy, l2_streams(arrays))
    out = result(outcome, len(arrays["kind"]))
    out["book_changes"] = strategy.changes
    return out
