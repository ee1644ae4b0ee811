"""Memory while streaming: 10M L2 events (depth + trades, the l2_bbo stream) written to a real
Parquet catalog, one day file per 1M rows, then replayed from the catalog through the l2_bbo
strategy. The replay runs in a fresh process so that its peak RSS (`stream_peak_rss_mb`) is the
replay's alone, not the generator's. Goal: <= 300 MB.

The catalog is built once per (n, seed) under bench/.cache/ and reused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

DEFAULT_N = 10_000_000
ROWS_PER_DAY = 1_000_000
DAY_NS = 86_400_000_000_000
CACHE = Path(__file__).resolve().parent.parent / ".cache"
ROOT = Path(__file__).resolve().parent.parent.parent

_BUILD = """
import sys
sys.path.insert(0, {root!r})
import numpy as np, pyarrow as pa
from bench.workloads._replay import INSTRUMENT, l2_streams, synthetic_l2
from veloz.data.catalog import Catalog
from veloz.data.schema import schema_for
catalog = Catalog({path!r})
n, seed, per_day = {n}, {seed}, {per_day}
for day in range((n + per_day - 1) // per_day):
    arrays = synthetic_l2(min(per_day, n - day * per_day), seed + day)
    for key in ("ts_ns", "local_ts_ns"):
        arrays[key] = arrays[key] + day * {day_ns}
    streams = l2_streams(arrays)
    for data_type, (chunk,) in streams.items():
        schema = schema_for(data_type)
        rows = len(chunk["ts_ns"])
        columns = {{name: chunk.get(name, np.full(rows, -1, np.int64)) for name in schema.names}}
        catalog.write("bench", "usdm", "BTCUSDT", data_type, pa.table(columns).cast(schema), INSTRUMENT)
"""

_REPLAY = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from bench.workloads.l2_bbo import TopWatcher
from veloz.backtest.catalog_source import instrument_data
from veloz.backtest.runner import BacktestConfig, run_backtest
from veloz.data.catalog import Catalog
catalog = Catalog({path!r})
strategy = TopWatcher()
started = time.perf_counter()
run = run_backtest(strategy, [instrument_data(catalog, "bench:usdm:BTCUSDT", None, None)],
                   BacktestConfig(deposit="1000000"))
wall = time.perf_counter() - started
print(json.dumps({{"events": run.counters["data_events"], "replay_s": run.elapsed_s, "wall_s": wall,
                  "book_changes": strategy.changes, "fills": run.counters["fills"],
                  "stream_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0}}))
"""


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return done.stdout


def run(n: int, seed: int) -> dict[str, Any]:
    path = CACHE / f"catalog_l2_{n}_{seed}"
    if not (path / "bench").is_dir():
        _python(_BUILD.format(root=str(ROOT), path=str(path), n=n, seed=seed, per_day=ROWS_PER_DAY, day_ns=DAY_NS))
    out = json.loads(_python(_REPLAY.format(root=str(ROOT), path=str(path))).strip().splitlines()[-1])
    catalog_bytes = sum(f.stat().st_size for f in path.rglob("*.parquet"))
    return {
        "events": out["events"], "elapsed_s": out["wall_s"], "replay_s": round(out["replay_s"], 6),
        "stream_peak_rss_mb": round(out["stream_peak_rss_mb"], 1), "catalog_mb": round(catalog_bytes / 2**20, 1),
        "book_changes": out["book_changes"], "orders": 0, "fills": out["fills"],
    }
