"""Drawdowns of the equity curve: depth below the running peak, and time spent below it."""

from __future__ import annotations

import numpy as np

from veloz.analytics.columns import FloatArray, IntArray
from veloz.analytics.returns import NS_PER_SECOND


def drawdown_series(equity: FloatArray) -> FloatArray:
    """``1 - E[i] / max(E[0..i])`` per sample: 0 at a peak, 0.25 when 25 % below it.

    Zero where the running peak is not positive, since a fraction of it means nothing there.
    """
    peak = np.maximum.accumulate(equity) if equity.size else equity
    drawdown = np.zeros_like(equity)
    positive = peak > 0
    drawdown[positive] = 1.0 - equity[positive] / peak[positive]
    return drawdown


def max_drawdown(equity: FloatArray) -> float | None:
    """The deepest drawdown as a fraction of the peak; None without samples."""
    if equity.size == 0:
        return None
    return float(drawdown_series(equity).max())


def max_drawdown_duration_s(ts_ns: IntArray, equity: FloatArray, end_ns: int) -> float | None:
    """The longest time below a previous peak, in seconds.

    An episode runs from the last sample at the peak to the first sample back at or above it, or to
    ``end_ns`` (the later of it and the last sample) when equity never recovers. None without
    samples; 0.0 when equity never fell below a peak.
    """
    if equity.size == 0:
        return None
    underwater = equity < np.maximum.accumulate(equity)
    if not underwater.any():
        return 0.0
    index = np.arange(equity.size)
    # For each sample, the index of the latest sample at a peak (sample 0 always is one).
    last_peak = np.maximum.accumulate(np.where(underwater, 0, index))
    # Episodes are maximal runs of underwater samples: [first, after) in index terms.
    edges = np.diff(np.concatenate(([False], underwater, [False])).astype(np.int8))
    firsts = np.flatnonzero(edges == 1)
    afters = np.flatnonzero(edges == -1)
    episode_start_ns = ts_ns[last_peak[firsts]]
    end_of_run_ns = max(int(end_ns), int(ts_ns[-1]))
    recovered = afters < equity.size
    episode_end_ns = np.full(firsts.size, end_of_run_ns, dtype=np.int64)
    episode_end_ns[recovered] = ts_ns[afters[recovered]]
    return float((episode_end_ns - episode_start_ns).max()) / NS_PER_SECOND
