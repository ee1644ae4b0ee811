"""Level updates applied in C++: one call hands the whole seeded batch to the book."""

from __future__ import annotations

import time

from bench.workloads._synthetic import level_updates, snapshot_levels
from veloz.book import L2Book

DEFAULT_N = 5_000_000


def run(n: int, seed: int) -> dict:
    sides, prices, qtys = level_updates(n, seed)
    book = L2Book()
    book.apply_levels(*snapshot_levels(seed))
    started = time.perf_counter()
    book.apply_levels(sides, prices, qtys)
    elapsed = time.perf_counter() - started
    return {"events": n, "elapsed_s": elapsed, "unit": "level update", "goal_ns_per_event": 15,
            "levels_at_end": book.level_count(0) + book.level_count(1), "recenters": book.recenters}
