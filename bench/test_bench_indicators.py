"""Per-update cost of the strategy SDK's indicators: `python -m pytest bench/test_bench_indicators.py`.

Each round feeds 1,000 seeded prices (so branches vary as on real data); the time per update is
the median round time / 1,000, also stored as ``extra_info["ns_per_update"]`` in the JSON output.
The target is well under 1 us per update in CPython.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any  # pytest-benchmark's fixture has no type hints

import pytest

from strategy_sdk.indicators import ATR, EMA, RSI, SMA, VWAP, BollingerBands, DonchianChannel

UPDATES = 1_000


def random_walk_ticks(seed: int) -> list[int]:
    rng = random.Random(seed)
    px, path = 600_000, []
    for _ in range(UPDATES):
        px += rng.randint(-3, 3)
        path.append(px)
    return path


TICKS = random_walk_ticks(1)
FLOATS = [px * 0.1 for px in TICKS]


def bench_updates(benchmark: Any, feed: Callable[[], None]) -> None:
    benchmark(feed)
    benchmark.extra_info["ns_per_update"] = round(benchmark.stats.stats.median / UPDATES * 1e9, 1)


def each(update: Callable[..., None], args: list[tuple[Any, ...]]) -> Callable[[], None]:
    def feed() -> None:
        for a in args:
            update(*a)
    return feed


def single(values: list[int] | list[float]) -> list[tuple[Any, ...]]:
    return [(v,) for v in values]


@pytest.mark.parametrize("values", [TICKS, FLOATS], ids=["ticks", "floats"])
def test_sma(benchmark: Any, values: list[int] | list[float]) -> None:
    bench_updates(benchmark, each(SMA(50).update, single(values)))


def test_ema(benchmark: Any) -> None:
    bench_updates(benchmark, each(EMA(50).update, single(FLOATS)))


def test_rsi(benchmark: Any) -> None:
    bench_updates(benchmark, each(RSI(14).update, single(TICKS)))


def test_atr(benchmark: Any) -> None:
    bench_updates(benchmark, each(ATR(14).update, [(v + 4, v - 4, v) for v in TICKS]))


@pytest.mark.parametrize("values", [TICKS, FLOATS], ids=["ticks", "floats"])
def test_bollinger(benchmark: Any, values: list[int] | list[float]) -> None:
    bench_updates(benchmark, each(BollingerBands(20, 2.0).update, single(values)))


@pytest.mark.parametrize("window", [None, 100], ids=["cumulative", "rolling"])
def test_vwap(benchmark: Any, window: int | None) -> None:
    bench_updates(benchmark, each(VWAP(window).update, [(v, 3) for v in TICKS]))


def test_donchian(benchmark: Any) -> None:
    bench_updates(benchmark, each(DonchianChannel(20).update, [(v + 4, v - 4) for v in TICKS]))
