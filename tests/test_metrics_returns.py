"""The building blocks of the equity metrics: the returns grid, annualization and drawdowns."""

from __future__ import annotations

import math

import numpy as np
import pytest

from veloz.analytics.drawdown import drawdown_series, max_drawdown, max_drawdown_duration_s
from veloz.analytics.returns import (NS_PER_YEAR, annualized_return, choose_returns_interval_ns, equity_on_grid,
                                     interval_returns, periods_per_year, return_stats)

S = 1_000_000_000


def ints(*values: int) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def floats(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)


def test_each_grid_point_takes_the_last_sample_at_or_before_it() -> None:
    grid, values = equity_on_grid(ints(0, 5 * S, 10 * S, 12 * S, 25 * S), floats(100, 101, 102, 103, 104),
                                  start_ns=0, end_ns=29 * S, interval_ns=10 * S)
    # 0 -> sample at 0; 10 s -> the sample exactly at 10 s; 20 s -> 12 s; 29 s is a partial interval: no point.
    assert grid.tolist() == [0, 10 * S, 20 * S]
    assert values.tolist() == [100, 102, 103]


def test_a_grid_point_before_the_first_sample_takes_the_first_sample() -> None:
    _, values = equity_on_grid(ints(3 * S, 4 * S), floats(50, 60), start_ns=0, end_ns=4 * S, interval_ns=2 * S)
    assert values.tolist() == [50, 50, 60]


def test_interval_returns_skip_intervals_that_start_without_equity() -> None:
    assert interval_returns(floats(100, 110, 0, 0, 5)).tolist() == pytest.approx([0.1, -1.0])


def test_statistics_of_returns() -> None:
    returns = floats(0.01, -0.02, 0.03)
    stats = return_stats(returns, periods=4)
    mean = 0.02 / 3
    deviation = math.sqrt(((0.01 - mean) ** 2 + (-0.02 - mean) ** 2 + (0.03 - mean) ** 2) / 2)
    downside = math.sqrt(0.02 ** 2 / 3)
    assert stats.count == 3 and stats.best == 0.03 and stats.worst == -0.02
    assert stats.volatility == pytest.approx(deviation * 2)
    assert stats.sharpe == pytest.approx(mean / deviation * 2)
    assert stats.sortino == pytest.approx(mean / downside * 2)


def test_sortino_needs_a_losing_interval_and_everything_needs_two_returns() -> None:
    assert return_stats(floats(0.01, 0.02), periods=1).sortino is None
    one = return_stats(floats(0.01), periods=1)
    assert (one.volatility, one.sharpe, one.best) == (None, None, 0.01)
    assert return_stats(floats(), periods=1).best is None


def test_annualized_return() -> None:
    assert annualized_return(1.1, NS_PER_YEAR) == pytest.approx(0.1)
    assert annualized_return(1.21, 2 * NS_PER_YEAR) == pytest.approx(0.1)
    assert annualized_return(1.1, NS_PER_YEAR // 2) == pytest.approx(0.21)
    assert annualized_return(0.0, NS_PER_YEAR) == -1.0
    assert annualized_return(1.1, 0) is None
    assert annualized_return(2.0, S) is None  # 2 ** 31,536,000: beyond floats


@pytest.mark.parametrize(("span_s", "interval_s"), [
    (10, 1), (1_999, 1), (2_000, 10), (3_600, 10), (86_400, 300), (7 * 86_400, 900), (30 * 86_400, 3_600),
    (90 * 86_400, 14_400), (365 * 86_400, 86_400), (3 * 365 * 86_400, 86_400)])
def test_automatic_interval_is_the_longest_giving_200_returns(span_s: int, interval_s: int) -> None:
    assert choose_returns_interval_ns(span_s * S) == interval_s * S


def test_periods_per_year_counts_a_365_day_year() -> None:
    assert periods_per_year(86_400 * S) == 365
    assert periods_per_year(60 * S) == 525_600


def test_drawdown_is_a_fraction_of_the_running_peak() -> None:
    assert drawdown_series(floats(100, 120, 90, 130, 65)).tolist() == pytest.approx([0, 0, 0.25, 0, 0.5])
    assert max_drawdown(floats(100, 120, 90, 130, 65)) == pytest.approx(0.5)
    assert max_drawdown(floats()) is None


def test_drawdown_duration_runs_from_the_last_sample_at_the_peak_to_recovery() -> None:
    ts = ints(0, 10 * S, 20 * S, 30 * S, 40 * S, 50 * S, 60 * S)
    # Peak 100 held until 10 s, under water at 20-30 s, back to exactly 100 at 40 s (recovered: 30 s),
    # a new peak at 50 s, then under water to the end of the run at 100 s (50 s).
    equity = floats(100, 100, 90, 95, 100, 110, 105)
    assert max_drawdown_duration_s(ts, equity, end_ns=100 * S) == 50.0
    assert max_drawdown_duration_s(ts, equity, end_ns=60 * S) == 30.0
    assert max_drawdown_duration_s(ts[:2], equity[:2], end_ns=100 * S) == 0.0
    assert max_drawdown_duration_s(ints(), floats(), end_ns=S) is None
