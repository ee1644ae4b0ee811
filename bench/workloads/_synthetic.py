"""Seeded synthetic L2 level updates that look like a busy perpetual: a mid that random-walks,
updates clustered near the touch with a long tail, a quarter of them deletes."""

from __future__ import annotations

import numpy as np


def level_updates(n: int, seed: int, mid: int = 600_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    mids = mid + np.cumsum(rng.choice(np.array([-1, 0, 0, 0, 1]), size=n)).astype(np.int64)
    sides = rng.integers(0, 2, size=n).astype(np.uint8)
    distance = np.minimum(rng.geometric(0.08, size=n), 2_000).astype(np.int64)  # mean ~12 ticks
    prices = np.where(sides == 0, mids - distance, mids + distance - 1).astype(np.int64)
    qtys = np.where(rng.random(n) < 0.25, 0, rng.integers(1, 5_000, size=n)).astype(np.int64)
    return sides, prices, qtys


def snapshot_levels(seed: int, mid: int = 600_000, depth: int = 1_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + 1)
    offsets = np.arange(1, depth + 1, dtype=np.int64)
    sides = np.concatenate([np.zeros(depth, np.uint8), np.ones(depth, np.uint8)])
    prices = np.concatenate([mid - offsets, mid + offsets - 1])
    qtys = rng.integers(1, 5_000, size=2 * depth).astype(np.int64)
    return sides, prices, qtys
