"""report.html without a browser: self-contained (no URL), safe embedding of the data, bounded size
on large runs, the right price source, atomic writes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from test_metrics_builders import Fill, Order, equity_table, fills_table, orders_table, positions_table

from veloz.analytics import compute_metrics, write_report_html
from veloz.analytics import report_data
from veloz.analytics.downsample import MAX_POINTS_PER_SERIES, evenly_spaced_indices, min_max_indices
from veloz.analytics.report import embed_json, render_report_html

S = 1_000_000_000
START = 1_723_075_200 * S  # 2024-08-08 00:00 UTC
DATA_SCRIPT = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.DOTALL)


def small_run(name: str = "small run") -> dict[str, Any]:
    equity = equity_table([START + i * 60 * S for i in range(5)], [1000.0, 1010.0, 990.0, 1020.0, 1015.0])
    fills = fills_table([
        Fill(START + 30 * S, +1, 1.0, 100.0, 1.0, fee=0.1, decision_mid=99.9),
        Fill(START + 90 * S, -1, 2.0, 101.0, -1.0, fee=0.2, realized_pnl=1.0, decision_mid=101.1),
        Fill(START + 200 * S, +1, 1.0, 99.0, 0.0, fee=0.1, realized_pnl=2.0, decision_mid=99.0),
    ])
    orders = orders_table([Order("FILLED", 1.0, 1.0), Order("FILLED", 2.0, 2.0), Order("FILLED", 1.0, 1.0)])
    positions = positions_table([START, START + 120 * S], [0.0, -1.0], [100.0, 100.5])
    run_info = {"name": name, "start_ns": START, "end_ns": START + 240 * S, "account_currency": "USDT",
                "initial_equity": 1000.0, "instruments": ["BTCUSDT"], "parameters": {"spread_bps": 2}}
    metrics = compute_metrics(equity, fills, orders, start_ns=START, end_ns=START + 240 * S)
    return {"equity": equity, "fills": fills, "orders": orders, "positions": positions, "metrics": metrics,
            "run_info": run_info}


def embedded_data(page: str) -> Any:
    match = DATA_SCRIPT.search(page)
    assert match is not None
    return json.loads(match.group(1))


def test_the_page_references_no_url() -> None:
    page = render_report_html(**small_run())
    assert re.findall(r"https?://", page, re.IGNORECASE) == []
    assert re.findall(r"\b(?:src|href)\s*=", page, re.IGNORECASE) == []  # no scripts, styles, fonts or images fetched
    assert "@import" not in page and "<link" not in page.lower()
    # The only url() is the charts' reference to a clip path inside the page itself.
    assert set(re.findall(r"url\(([^)]*)\)", page)) <= {"#' + clipId + '"}


def test_text_that_would_end_the_script_is_escaped() -> None:
    name = "</script><script>document.title='pwned'</script><!-- & \u2028 {{JS}}"
    page = render_report_html(**small_run(name))
    assert page.count("</script>") == 3  # the error handler, the data and the report script: nothing else
    assert "pwned'</script>" not in page
    data = embedded_data(page)
    assert data["title"] == name and data["run"]["name"] == name
    assert "<title>&lt;/script&gt;&lt;script&gt;" in page  # the title is HTML-escaped
    assert page.count("(function () {") == 1  # {{JS}} inside the name was not expanded


def test_embed_json_round_trips_and_has_no_markup_characters() -> None:
    document = {"a": "<b>&</b>", "b": [1.5, None, "\u2029"]}
    text = embed_json(document)
    assert not set(text) & set("<>&\u2028\u2029")
    assert json.loads(text) == document


def test_embedded_data_holds_metrics_series_fills_and_round_trips() -> None:
    run = small_run()
    data = embedded_data(render_report_html(**run))
    assert [row["key"] for row in data["metrics"]] == list(run["metrics"])
    assert data["equity"]["t"][0] == START // 1_000_000 and data["equity"]["v"] == [1000, 1010, 990, 1020, 1015]
    assert min(data["drawdown"]["v"]) == pytest.approx(-20 / 1010)
    (instrument,) = data["instruments"]
    assert instrument["name"] == "BTCUSDT" and instrument["price_source"] == "mark price"
    assert instrument["fills"]["side"] == [1, -1, 1] and instrument["fills"]["total"] == 3
    # A step line: flat at the start, each fill's position, held to the end.
    assert instrument["position"]["v"] == [0.0, 1.0, -1.0, 0.0, 0.0]
    assert [row[2] for row in data["trades"]["rows"]] == ["long", "short"] and data["trades"]["total"] == 2
    assert data["orders"] == {"status": {"FILLED": 3}, "order_type": {"LIMIT": 3}}


def test_price_line_prefers_the_given_series_then_marks_then_fills() -> None:
    run = small_run()
    prices = pa.table({"ts_ns": pa.array([START, START + 10 * S], pa.int64()), "instrument": ["BTCUSDT"] * 2,
                       "price": [99.5, 99.6]})
    given = embedded_data(render_report_html(**run, price_series=prices))["instruments"][0]
    assert (given["price_source"], given["price"]["v"]) == ("price series", [99.5, 99.6])
    run["positions"] = positions_table([], [], [])
    from_fills = embedded_data(render_report_html(**run))["instruments"][0]
    assert (from_fills["price_source"], from_fills["price"]["v"]) == ("fill prices", [100.0, 101.0, 99.0])


def test_a_large_run_stays_small_and_keeps_its_extremes(tmp_path: Path) -> None:
    count = 400_000  # 4.6 days of 1 s samples
    ts = START + np.arange(count, dtype=np.int64) * S
    equity_values = 10_000 + np.cumsum(np.random.default_rng(7).normal(0, 1, count))
    equity_values[123_457] = 20_000.0  # a one-sample spike must survive downsampling
    equity = equity_table(ts.tolist(), equity_values.tolist())
    lots = np.tile([1, -1], 15_000)  # 15,000 round trips of one lot
    position = np.cumsum(lots) * 0.001
    fill_ts = ts[np.sort(np.random.default_rng(9).choice(count, 30_000, replace=False))]
    fills = fills_table([Fill(int(t), int(side), 0.001, 60_000.0, float(p))
                         for t, side, p in zip(fill_ts, lots, position, strict=True)])
    path = tmp_path / "report.html"
    metrics = compute_metrics(equity, fills, orders_table([]), start_ns=START, end_ns=int(ts[-1]))
    write_report_html(path, equity=equity, fills=fills, orders=orders_table([]),
                      positions=positions_table([], [], []), metrics=metrics,
                      run_info={"start_ns": START, "end_ns": int(ts[-1])})
    page = path.read_text()
    data = embedded_data(page)
    (instrument,) = data["instruments"]
    series = [data["equity"], data["drawdown"], instrument["price"], instrument["position"]]
    assert all(len(s["t"]) == len(s["v"]) <= MAX_POINTS_PER_SERIES for s in series)
    assert max(data["equity"]["v"]) == 20_000.0 and data["equity"]["points"] == count
    assert instrument["fills"]["shown"] == report_data.MAX_MARKERS_PER_INSTRUMENT
    assert data["trades"]["total"] > report_data.MAX_TRADE_ROWS >= len(data["trades"]["rows"])
    assert len(page.encode()) < 2_500_000


def test_trade_rows_past_the_bound_keep_the_largest_results(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_data, "MAX_TRADE_ROWS", 2)
    run = small_run()
    run["fills"] = fills_table([
        Fill(START + 1 * S, +1, 1.0, 100.0, 1.0), Fill(START + 2 * S, -1, 1.0, 100.0, 0.0, realized_pnl=1.0),
        Fill(START + 3 * S, +1, 1.0, 100.0, 1.0), Fill(START + 4 * S, -1, 1.0, 100.0, 0.0, realized_pnl=-5.0),
        Fill(START + 5 * S, +1, 1.0, 100.0, 1.0), Fill(START + 6 * S, -1, 1.0, 100.0, 0.0, realized_pnl=3.0),
    ])
    trades = embedded_data(render_report_html(**run))["trades"]
    assert trades["total"] == 3 and [row[0] for row in trades["rows"]] == [2, 3]  # -5 and +3, in trip order


def test_min_max_downsampling_keeps_each_buckets_extremes() -> None:
    ts = np.arange(100_000, dtype=np.int64)
    values = np.sin(ts / 500.0)
    values[777] = 5.0
    values[50_001] = -5.0
    keep = min_max_indices(ts, values, 1_000)
    assert keep.size <= 1_000 and np.all(np.diff(keep) > 0)
    assert {0, 777, 50_001, 99_999} <= set(keep.tolist())
    assert min_max_indices(ts[:10], values[:10], 1_000).tolist() == list(range(10))
    same_instant = np.zeros(5_000, dtype=np.int64)
    assert min_max_indices(same_instant, values[:5_000], 100).size <= 100


def test_evenly_spaced_indices() -> None:
    assert evenly_spaced_indices(5, 10).tolist() == [0, 1, 2, 3, 4]
    picked = evenly_spaced_indices(1_000, 4)
    assert picked.tolist() == [0, 333, 666, 999]


def test_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "report.html"
    write_report_html(path, **small_run())
    before = path.read_bytes()

    def interrupted(source: str, destination: str) -> None:
        raise OSError("interrupted")

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(OSError):
        write_report_html(path, **small_run("another name"))
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["report.html"]


def test_run_info_must_say_when_the_run_started_and_ended() -> None:
    run = small_run()
    del run["run_info"]["end_ns"]
    with pytest.raises(KeyError):
        render_report_html(**run)
