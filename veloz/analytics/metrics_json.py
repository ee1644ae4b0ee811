"""metrics.json: the metrics and the run's description, byte-identical for identical input."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from veloz.analytics.atomic_write import write_bytes_atomically

# Floats are written with 12 significant digits: far beyond what any metric means, and short enough
# that the last bits of float arithmetic (which can differ between numpy builds) never show.
SIGNIFICANT_DIGITS = 12
FORMAT_VERSION = 1


def write_metrics_json(path: str | os.PathLike[str], metrics: Mapping[str, Any], run_info: Mapping[str, Any]) -> None:
    """Write ``{"format_version": 1, "metrics": {...}, "run": {...}}`` atomically.

    Keys are sorted, floats rounded to 12 significant digits, NaN and infinities written as null,
    -0.0 as 0.0; numpy scalars and arrays, tuples and paths are converted to JSON types. Anything
    else raises TypeError, so a value that has no stable text never reaches the file.
    """
    document = {"format_version": FORMAT_VERSION, "metrics": to_json_ready(metrics), "run": to_json_ready(run_info)}
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True, allow_nan=False) + "\n"
    write_bytes_atomically(path, text.encode("ascii"))


def canonical_float(value: float) -> float | None:
    """The float as written: 12 significant digits, no negative zero, None when not finite."""
    if not math.isfinite(value):
        return None
    rounded = float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return rounded + 0.0  # -0.0 + 0.0 is 0.0


def to_json_ready(value: Any) -> Any:
    """The value as JSON-ready Python objects, with floats in canonical form."""
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return canonical_float(float(value))
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"metrics.json keys must be strings, not {key!r}")
            plain[key] = to_json_ready(item)
        return plain
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_json_ready(item) for item in value]
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to metrics.json")
