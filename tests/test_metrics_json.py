"""metrics.json: the same bytes for the same input, nothing but JSON numbers and nulls, written whole."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from veloz.analytics import write_metrics_json
from veloz.analytics.metrics_json import canonical_float

RUN = {"start_ns": 1_723_075_200_000_000_000, "end_ns": 1_723_078_800_000_000_000, "initial_equity": 10_000.0,
       "account_currency": "USDT", "instruments": ["BTCUSDT"], "parameters": {"spread_bps": 2.5, "size": 0.01}}


def test_same_input_same_bytes_whatever_the_key_order(tmp_path: Path) -> None:
    metrics = {"sharpe": 1.234567890123456, "num_trades": 3, "calmar": None, "total_return": 0.1 + 0.2}
    write_metrics_json(tmp_path / "a.json", metrics, RUN)
    write_metrics_json(tmp_path / "b.json", dict(reversed(list(metrics.items()))), dict(reversed(list(RUN.items()))))
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    text = (tmp_path / "a.json").read_text()
    assert text.endswith("}\n")
    document = json.loads(text)
    assert list(document) == ["format_version", "metrics", "run"]
    assert list(document["metrics"]) == sorted(metrics)
    assert document["metrics"] == {"calmar": None, "num_trades": 3, "sharpe": 1.23456789012, "total_return": 0.3}
    assert document["run"]["start_ns"] == RUN["start_ns"]  # ints stay exact, even beyond 2**53


def test_floats_are_written_to_twelve_significant_digits() -> None:
    assert canonical_float(0.1 + 0.2) == 0.3
    assert canonical_float(1e-15 / 3) == 3.33333333333e-16
    assert canonical_float(123456789.123456789) == 123456789.123
    assert canonical_float(-0.0) == 0.0 and str(canonical_float(-0.0)) == "0.0"
    assert canonical_float(float("nan")) is None and canonical_float(float("-inf")) is None


def test_numpy_values_nan_and_paths_become_json(tmp_path: Path) -> None:
    write_metrics_json(tmp_path / "m.json", {"x": np.float64("nan"), "n": np.int64(7), "ok": np.bool_(True)},
                       {"path": tmp_path, "sizes": (np.float32(0.5), 2), "grid": np.array([1.0, 2.0])})
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["metrics"] == {"n": 7, "ok": True, "x": None}
    assert document["run"] == {"grid": [1.0, 2.0], "path": str(tmp_path), "sizes": [0.5, 2]}


def test_values_without_a_json_form_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="cannot write"):
        write_metrics_json(tmp_path / "m.json", {"x": object()}, {})
    with pytest.raises(TypeError, match="keys must be strings"):
        write_metrics_json(tmp_path / "m.json", {}, {"parameters": {1: "a"}})
    assert not (tmp_path / "m.json").exists()


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "metrics.json"
    write_metrics_json(target, {"a": 1}, {})
    before = target.read_bytes()
    assert (target.stat().st_mode & 0o777) == 0o644

    def interrupted(source: str, destination: str) -> None:
        raise OSError("disk went away")

    monkeypatch.setattr(os, "replace", interrupted)  # the new content is on disk, the rename fails
    with pytest.raises(OSError, match="disk went away"):
        write_metrics_json(target, {"a": 2}, {})
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["metrics.json"]
