"""Bounded-size chart series: keep the extremes of each time bucket so spikes survive."""

from __future__ import annotations

import numpy as np

from veloz.analytics.columns import FloatArray, IntArray

# Points per chart series in a report: a few per horizontal pixel of a wide screen, and small
# enough that a month of 1 s equity samples still makes a report of well under a megabyte per series.
MAX_POINTS_PER_SERIES = 5_000


def min_max_indices(ts_ns: IntArray, values: FloatArray, max_points: int = MAX_POINTS_PER_SERIES) -> IntArray:
    """Indices of at most ``max_points`` samples (sorted by time) that keep the series' shape.

    The time span is cut into ``(max_points - 2) // 2`` equal buckets; each keeps its first lowest
    and first highest sample, and the first and last samples are always kept. A series that is
    already small enough is kept whole.
    """
    count = values.size
    if count <= max_points:
        return np.arange(count, dtype=np.int64)
    if max_points < 4:
        raise ValueError(f"max_points must be >= 4, not {max_points}")
    buckets = (max_points - 2) // 2
    span = float(ts_ns[-1] - ts_ns[0])
    if span > 0:
        position = (ts_ns - ts_ns[0]).astype(np.float64) / span
        bucket = np.minimum((position * buckets).astype(np.int64), buckets - 1)
    else:  # every sample at one instant: bucket by row instead
        bucket = np.arange(count, dtype=np.int64) * buckets // count
    lowest = _first_per_bucket(np.lexsort((values, bucket)), bucket)  # lexsort is stable: ties keep time order
    highest = _first_per_bucket(np.lexsort((-values, bucket)), bucket)
    return np.unique(np.concatenate((lowest, highest, [0, count - 1]))).astype(np.int64)


def _first_per_bucket(order: IntArray, bucket: IntArray) -> IntArray:
    """The first index of each bucket in ``order`` (which is sorted by bucket first)."""
    starts = np.flatnonzero(np.diff(bucket[order], prepend=-1) != 0)
    return order[starts]


def evenly_spaced_indices(count: int, max_points: int) -> IntArray:
    """At most ``max_points`` indices spread evenly over ``range(count)``, first and last included."""
    if count <= max_points:
        return np.arange(count, dtype=np.int64)
    return np.unique(np.round(np.linspace(0, count - 1, max_points)).astype(np.int64))
