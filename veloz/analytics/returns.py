"""Interval returns on a fixed time grid, and the statistics annualized from them.

Crypto trades every day, so a year is 365 days of 86,400 s; an interval of ``dt`` seconds gives
``365 * 86400 / dt`` periods per year. Definitions are in docs/metrics.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from veloz.analytics.columns import FloatArray, IntArray

NS_PER_SECOND = 1_000_000_000
SECONDS_PER_YEAR = 365 * 86_400
NS_PER_YEAR = SECONDS_PER_YEAR * NS_PER_SECOND

# Candidate intervals for an automatic choice, shortest first: 1 s, 10 s, 1 min, 5 min, 15 min,
# 1 h, 4 h, 1 day.
AUTO_INTERVALS_NS = tuple(s * NS_PER_SECOND for s in (1, 10, 60, 300, 900, 3_600, 14_400, 86_400))
# The automatic interval is the longest that still gives this many returns: enough for a stable
# standard deviation, and as coarse as possible so the bid/ask bounce of marked positions does not
# pass for volatility.
MIN_AUTO_INTERVALS = 200

# A per-interval standard deviation below this is zero up to float rounding of the equity: ratios
# divided by it (Sharpe, Sortino) would be noise, so they are undefined instead.
ZERO_DEVIATION = 1e-12


def choose_returns_interval_ns(span_ns: int) -> int:
    """The longest candidate interval giving at least MIN_AUTO_INTERVALS returns over the span
    (1 s when even that gives fewer)."""
    chosen = AUTO_INTERVALS_NS[0]
    for interval_ns in AUTO_INTERVALS_NS:
        if span_ns // interval_ns >= MIN_AUTO_INTERVALS:
            chosen = interval_ns
    return chosen


def periods_per_year(interval_ns: int) -> float:
    return NS_PER_YEAR / interval_ns


def equity_on_grid(ts_ns: IntArray, equity: FloatArray, *, start_ns: int, end_ns: int,
                   interval_ns: int) -> tuple[IntArray, FloatArray]:
    """Equity at ``start_ns + k * interval_ns`` for every k with the point at or before ``end_ns``.

    Each grid point takes the last equity sample at or before it (the value in force then); a point
    before the first sample takes the first sample, which is the initial equity. ``ts_ns`` must be
    sorted and non-empty. A trailing partial interval is not a grid point.
    """
    if interval_ns <= 0:
        raise ValueError(f"returns interval must be > 0 ns, not {interval_ns}")
    count = (end_ns - start_ns) // interval_ns + 1 if end_ns >= start_ns else 0
    grid = start_ns + interval_ns * np.arange(count, dtype=np.int64)
    last_at_or_before = np.searchsorted(ts_ns, grid, side="right") - 1
    return grid, equity[np.maximum(last_at_or_before, 0)]


def interval_returns(grid_equity: FloatArray) -> FloatArray:
    """Simple returns between consecutive grid points, ``E[k] / E[k-1] - 1``.

    Intervals that start at an equity <= 0 have no defined return and are left out. A ratio beyond
    the float range (from a next-to-zero equity) is infinite, and the statistics it enters are None.
    """
    before = grid_equity[:-1]
    after = grid_equity[1:]
    defined = before > 0
    with np.errstate(over="ignore"):
        return after[defined] / before[defined] - 1.0


@dataclass(frozen=True)
class ReturnStats:
    count: int
    volatility: float | None  # annualized standard deviation (ddof=1)
    sharpe: float | None  # annualized, risk-free rate 0
    sortino: float | None  # annualized, target 0, downside deviation over all intervals
    best: float | None
    worst: float | None


def return_stats(returns: FloatArray, periods: float) -> ReturnStats:
    count = int(returns.size)
    if count == 0:
        return ReturnStats(0, None, None, None, None, None)
    best, worst = float(returns.max()), float(returns.min())
    if count < 2:
        return ReturnStats(count, None, None, None, best, worst)
    if not np.isfinite(returns).all():  # see interval_returns: nothing finite can be said
        return ReturnStats(count, None, None, None, best if math.isfinite(best) else None, worst)
    root_periods = math.sqrt(periods)
    with np.errstate(over="ignore", invalid="ignore"):  # squares of huge returns: inf, then None
        mean = float(returns.mean())
        deviation = float(returns.std(ddof=1))
        downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    if not (math.isfinite(mean) and math.isfinite(deviation) and math.isfinite(downside)):
        return ReturnStats(count, None, None, None, best, worst)
    return ReturnStats(
        count=count,
        volatility=deviation * root_periods,
        sharpe=mean / deviation * root_periods if deviation >= ZERO_DEVIATION else None,
        sortino=mean / downside * root_periods if downside >= ZERO_DEVIATION else None,
        best=best,
        worst=worst,
    )


def annualized_return(growth: float, span_ns: int) -> float | None:
    """CAGR: ``growth ** (1 / years) - 1`` with ``growth = final / initial equity``.

    None when the span is not positive or the figure overflows a float (a short run compounded to
    a year); -1.0 when everything was lost (growth <= 0), where the power is undefined.
    """
    if span_ns <= 0:
        return None
    if growth <= 0:
        return -1.0
    exponent = math.log(growth) * NS_PER_YEAR / span_ns
    if exponent > math.log(np.finfo(np.float64).max):
        return None
    return math.expm1(exponent)
