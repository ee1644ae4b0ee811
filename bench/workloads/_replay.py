"""Shared by the replay workloads: seeded synthetic data in the issue's npz layout, loading such a
file, and running a strategy over in-memory arrays through the backtest runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from veloz.backtest.runner import BacktestConfig, BacktestRun, InstrumentData, run_backtest
from veloz.instruments import Instrument

T0 = 1_723_161_600_000_000_000  # 2024-08-09 00:00 UTC
# tick 0.1 and lot 0.001, as the npz format prescribes
INSTRUMENT = Instrument(symbol="BTCUSDT", market="usdm", base_asset="BTC", quote_asset="USDT", margin_asset="USDT",
                        tick_size="0.1", step_size="0.001", lot_size="0.001", min_qty="0.001", min_notional="0")
CONFIG = BacktestConfig(deposit="1000000")


def synthetic_trades(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "ts_ns": T0 + np.cumsum(rng.integers(0, 2_000_000, size=n)).astype(np.int64),
        "px_ticks": 600_000 + np.cumsum(rng.choice(np.array([-1, 0, 0, 1]), size=n)).astype(np.int64),
        "qty_lots": rng.integers(1, 200, size=n).astype(np.int64),
        "side": np.where(rng.random(n) < 0.5, 1, -1).astype(np.int64),
    }


def synthetic_l2(n: int, seed: int, mid: int = 600_000, depth: int = 1_000) -> dict[str, np.ndarray]:
    """A consistent book: a snapshot of `depth` levels a side around a two-tick spread, then steps
    of three sorts: the mid moves a tick (2% of steps; the level it crosses is deleted and one
    added behind it, so the touch changes), a trade at the touch (10%), or a level update at a
    geometric distance from the touch (about 1 in 12 lands on it; deeper ones are deleted 20% of
    the time). So the top of book changes on roughly one row in nine, as on real BTCUSDT."""
    rng = np.random.default_rng(seed)
    steps = max(n - 2 * depth, 0)
    move = np.where(rng.random(steps) < 0.02, rng.choice(np.array([-1, 1]), size=steps), 0).astype(np.int64)
    mids = mid + np.cumsum(move)
    before = mids - move  # the mid before this step
    trade = (move == 0) & (rng.random(steps) < 0.1)
    level_side = np.where(rng.random(steps) < 0.5, 1, -1).astype(np.int64)
    distance = np.minimum(rng.geometric(0.08, size=steps), depth).astype(np.int64)
    level_px = mids - level_side * distance
    level_qty = np.where((distance >= 2) & (rng.random(steps) < 0.2), 0, rng.integers(1, 5_000, size=steps))
    # First row of each step: a level update, a trade, or the deletion a mid move causes.
    side1 = np.where(move > 0, -1, np.where(move < 0, 1, level_side))
    px1 = np.where(move > 0, before + 1, np.where(move < 0, before - 1, level_px))
    px1 = np.where(trade, mids - level_side, px1)  # buyer (+1) hits the ask at mid+1, seller the bid
    side1 = np.where(trade, -level_side, side1)
    qty1 = np.where(move != 0, 0, np.where(trade, rng.integers(1, 50, size=steps), level_qty))
    kind1 = np.where(trade, 1, 0)
    # A mid move's second row: the new level behind the touch it left.
    extra = move != 0
    side2 = np.where(move > 0, 1, -1)[extra]
    px2 = before[extra]
    qty2 = rng.integers(1, 5_000, size=int(extra.sum()))
    order = np.concatenate([np.arange(steps) * 2, np.flatnonzero(extra) * 2 + 1])
    rank = np.argsort(order, kind="stable")
    kind = np.concatenate([kind1, np.zeros(len(px2), np.int64)])[rank][: max(n - 2 * depth, 0)]
    side = np.concatenate([side1, side2])[rank][: len(kind)]
    px = np.concatenate([px1, px2])[rank][: len(kind)]
    qty = np.concatenate([qty1, qty2])[rank][: len(kind)]
    ts = T0 + np.cumsum(rng.integers(0, 200_000, size=len(kind))).astype(np.int64)
    offsets = np.arange(1, depth + 1, dtype=np.int64)
    snap_side = np.concatenate([np.ones(depth, np.int64), -np.ones(depth, np.int64)])
    snap_px = np.concatenate([mid - offsets, mid + offsets])
    snap_qty = rng.integers(1, 5_000, size=2 * depth).astype(np.int64)
    rows = min(n, 2 * depth)
    return {
        "kind": np.concatenate([np.full(2 * depth, 2, np.int64), kind])[: len(kind) + rows],
        "side": np.concatenate([snap_side, side])[: len(kind) + rows],
        "px_ticks": np.concatenate([snap_px, px])[: len(kind) + rows],
        "qty_lots": np.concatenate([snap_qty, qty.astype(np.int64)])[: len(kind) + rows],
        "ts_ns": np.concatenate([np.full(2 * depth, T0, np.int64), ts])[: len(kind) + rows],
        "local_ts_ns": np.concatenate([np.full(2 * depth, T0, np.int64), ts + 1_000_000])[: len(kind) + rows],
    }


def load_npz(path: str | Path, keys: tuple[str, ...]) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        missing = [k for k in keys if k not in data]
        if missing:
            raise SystemExit(f"{path}: missing arrays {missing} (expected {list(keys)})")
        return {k: np.asarray(data[k]) for k in keys}


def trade_streams(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    n = len(arrays["ts_ns"])
    return {"trades": [{
        "ts_ns": arrays["ts_ns"].astype(np.int64), "local_ts_ns": arrays["ts_ns"].astype(np.int64),
        "trade_id": np.arange(1, n + 1, dtype=np.int64), "px": arrays["px_ticks"].astype(np.int64),
        "qty": arrays["qty_lots"].astype(np.int64), "side": arrays["side"].astype(np.int8),
    }]}


def l2_streams(arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Splits the interleaved rows into a depth and a trades stream; the row number is the
    sequence of both, so the driver's merge restores the file's order."""
    kind = arrays["kind"].astype(np.int64)
    row = np.arange(len(kind), dtype=np.int64)
    book, trade = kind != 1, kind == 1
    ts, local = arrays["ts_ns"].astype(np.int64), arrays["local_ts_ns"].astype(np.int64)
    px, qty, side = arrays["px_ticks"].astype(np.int64), arrays["qty_lots"].astype(np.int64), arrays["side"]
    depth = {"ts_ns": ts[book], "local_ts_ns": local[book], "update_id": row[book], "kind": kind[book].astype(np.int8),
             "side": side[book].astype(np.int8), "px": px[book], "qty": qty[book]}
    trades = {"ts_ns": ts[trade], "local_ts_ns": local[trade], "trade_id": row[trade], "px": px[trade],
              "qty": qty[trade], "side": side[trade].astype(np.int8)}
    return {"depth": [depth], "trades": [trades]}


def replay(strategy: Any, streams: dict[str, Any]) -> BacktestRun:
    run = run_backtest(strategy, [InstrumentData(INSTRUMENT, streams)], CONFIG)
    if run.failure is not None:
        raise SystemExit(run.failure.strategy_traceback)
    return run


def result(run: BacktestRun, events: int) -> dict[str, Any]:
    counters = run.counters
    assert counters["data_events"] == events, (counters["data_events"], events)
    return {
        "events": events, "elapsed_s": run.elapsed_s, "orders": len(run.driver.orders_array()),
        "fills": counters["fills"], "python_calls": counters["python_events"], "oms_refusals": counters["oms_refusals"],
    }
