"""pytest-benchmark suite for the book and the Binance feed: `python -m pytest bench/`.

Figures that matter (ns per update, per frame) are printed by `python bench/run.py WORKLOAD --json`;
these benchmarks track the same paths at sizes that run in seconds.
"""

from __future__ import annotations

import pytest

from bench.workloads import parse_depth
from bench.workloads._synthetic import level_updates, snapshot_levels
from veloz.book import L2Book, Side


@pytest.fixture(scope="module")
def updates():
    return level_updates(200_000, seed=1)


def test_book_apply_batch(benchmark, updates) -> None:
    """200k seeded level updates applied in one C++ call."""
    book = L2Book()
    book.apply_levels(*snapshot_levels(1))
    benchmark(book.apply_levels, *updates)
    assert book.level_count(Side.BID) > 0


def test_book_apply_diff_message(benchmark) -> None:
    """One 10-level diff message per Python call."""
    book = L2Book()
    book.apply_levels(*snapshot_levels(1))
    bids = [(599_990 - i, 100 + i) for i in range(5)]
    asks = [(600_010 + i, 100 + i) for i in range(5)]
    assert benchmark(book.apply_diff, bids, asks) == 10


def test_best_bid_read(benchmark) -> None:
    """Reading the touch from Python is O(1) whatever the depth."""
    book = L2Book()
    book.apply_levels(*snapshot_levels(1, depth=5_000))
    assert benchmark(book.best_bid) == (599_999, book.qty_at(Side.BID, 599_999))


def test_top_20_levels_as_numpy(benchmark) -> None:
    book = L2Book()
    book.apply_levels(*snapshot_levels(1))
    prices, _ = benchmark(book.top, Side.ASK, 20)
    assert len(prices) == 20


@pytest.fixture(scope="module")
def depth_frames():
    return parse_depth._load()


def test_parse_and_apply_real_depth_frames(benchmark, depth_frames) -> None:
    """Every real depth frame of the bundled capture, decoded and applied one call per frame."""
    warmup, depth = depth_frames

    def replay() -> int:
        feed = parse_depth._fresh_feed(warmup)
        apply = feed.apply
        for frame in depth:
            apply(frame)
        return feed.counters()["gaps"]

    assert benchmark.pedantic(replay, rounds=5, iterations=1) == 0
