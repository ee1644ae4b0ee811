"""One diff message per Python call: seeded messages of 1-20 levels, each applied with one
`L2Book.apply_diff(bids, asks)` call taking lists of (price, qty) int pairs."""

from __future__ import annotations

import time

import numpy as np

from bench.workloads._synthetic import level_updates, snapshot_levels
from veloz.book import L2Book

DEFAULT_N = 200_000


def run(n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 21, size=n)
    sides, prices, qtys = level_updates(int(sizes.sum()), seed)
    bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    sides_l, prices_l, qtys_l = sides.tolist(), prices.tolist(), qtys.tolist()
    messages = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        bids = [(prices_l[i], qtys_l[i]) for i in range(a, b) if sides_l[i] == 0]
        asks = [(prices_l[i], qtys_l[i]) for i in range(a, b) if sides_l[i] == 1]
        messages.append((bids, asks))
    book = L2Book()
    book.apply_levels(*snapshot_levels(seed))
    apply = book.apply_diff
    started = time.perf_counter()
    for bids, asks in messages:
        apply(bids, asks)
    elapsed = time.perf_counter() - started
    levels = int(sizes.sum())
    return {"events": n, "elapsed_s": elapsed, "unit": "diff message", "levels_per_message": round(levels / n, 2),
            "ns_per_level": round(elapsed * 1e9 / levels, 2)}
