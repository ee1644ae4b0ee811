"""The replay benchmark workloads: `bench/run.py --input FILE.npz` in the documented layouts, and
the synthetic L2 stream being a consistent book (never crossed; its top moves often)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.workloads._replay import synthetic_l2
from veloz.book import L2Book

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str | Path) -> dict:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), *map(str, args), "--json"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_trade_workloads_replay_an_npz_file(tmp_path: Path) -> None:
    n = 5_000
    ts = 1_723_161_600_000_000_000 + np.arange(n, dtype=np.int64) * 1_000_000
    px = 600_000 + (np.arange(n) // 100 % 2 * 2 - 1).cumsum().astype(np.int64)  # a zigzag: 100 up, 100 down
    path = tmp_path / "trades.npz"
    np.savez(path, ts_ns=ts, px_ticks=px, qty_lots=np.ones(n, np.int64), side=np.where(np.arange(n) % 2, 1, -1))
    counted = bench("trades_counter", "--input", path)
    assert counted["n"] == n and counted["orders"] == 0 and counted["python_calls"] == n
    sma = bench("trades_sma_orders", "--input", path)
    assert sma["n"] == n and sma["orders"] == sma["fills"] > 0
    assert {"events_per_s", "ns_per_event", "peak_rss_mb", "orders", "fills"} <= set(sma)


def test_l2_workloads_replay_an_npz_file(tmp_path: Path) -> None:
    arrays = synthetic_l2(20_000, 3)
    path = tmp_path / "l2.npz"
    np.savez(path, **arrays)
    top = bench("l2_bbo", "--input", path)
    assert top["n"] == 20_000 and 0 < top["book_changes"] < 20_000
    mm = bench("l2_mm", "--input", path)
    assert mm["n"] == 20_000 and mm["orders"] > 0


def test_the_synthetic_l2_stream_is_a_book_that_never_crosses_and_moves_often() -> None:
    arrays = synthetic_l2(200_000, 5)
    book = L2Book()
    changes, previous = 0, None
    for kind, side, px, qty in zip(arrays["kind"].tolist(), arrays["side"].tolist(), arrays["px_ticks"].tolist(),
                                   arrays["qty_lots"].tolist()):
        if kind == 1:
            continue
        book.set_level(0 if side > 0 else 1, px, qty)
        assert not book.crossed
        top = (book.best_bid(), book.best_ask())
        changes += top != previous
        previous = top
    assert 0.05 < changes / len(arrays["kind"]) < 0.2  # about one row in nine, as on real BTCUSDT
