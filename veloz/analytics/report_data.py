"""The data a report embeds: bounded chart series, fill markers, metrics and round trips.

Times are milliseconds since the Unix epoch (JavaScript's unit; nanoseconds would not fit a double
exactly), values are rounded to 10 significant digits to keep the file small.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa

from veloz.analytics.catalog import METRICS_BY_KEY
from veloz.analytics.columns import (EQUITY_COLUMNS, FILLS_COLUMNS, ORDERS_COLUMNS, POSITIONS_COLUMNS, FloatArray,
                                     IntArray, float_column, int_column, require_columns, str_column, time_order)
from veloz.analytics.downsample import MAX_POINTS_PER_SERIES, evenly_spaced_indices, min_max_indices
from veloz.analytics.drawdown import drawdown_series
from veloz.analytics.metrics_json import to_json_ready
from veloz.analytics.round_trips import RoundTrip, round_trips

NS_PER_MS = 1_000_000
# Fill markers per instrument and round trips in the trades table; past these, a report shows an
# evenly spaced subset of the markers and the trips with the largest |net PnL|, and says so.
MAX_MARKERS_PER_INSTRUMENT = 5_000
MAX_TRADE_ROWS = 10_000
CHART_DIGITS = 10

PRICE_SERIES_COLUMNS = ("ts_ns", "instrument", "price")
TRADE_COLUMNS = ("id", "instrument", "direction", "open_ms", "close_ms", "holding_s", "max_position",
                 "entry_price", "exit_price", "gross_pnl", "fees", "net_pnl")


def _compact(values: FloatArray) -> list[float | None]:
    return [float(f"{v:.{CHART_DIGITS}g}") if math.isfinite(v) else None for v in values.tolist()]


def _series(ts_ns: IntArray, values: FloatArray) -> dict[str, Any]:
    """A chart line, min/max-downsampled to MAX_POINTS_PER_SERIES points."""
    keep = min_max_indices(ts_ns, values, MAX_POINTS_PER_SERIES)
    return {"t": (ts_ns[keep] // NS_PER_MS).tolist(), "v": _compact(values[keep]), "points": int(values.size)}


def _rows_of(table: pa.Table, instrument_column: list[str], instrument: str) -> IntArray:
    return np.array([i for i, name in enumerate(instrument_column) if name == instrument], dtype=np.int64)


def _price_line(instrument: str, *, price_series: pa.Table | None, positions: pa.Table,
                fills: pa.Table) -> tuple[str, dict[str, Any]]:
    """The instrument's price line and where it came from: the given price series, else the
    positions' mark prices, else the fill prices."""
    sources: list[tuple[str, pa.Table | None, str]] = [("price series", price_series, "price"),
                                                       ("mark price", positions, "mark_price"),
                                                       ("fill prices", fills, "price")]
    for label, table, price_column in sources:
        if table is None or table.num_rows == 0:
            continue
        rows = _rows_of(table, str_column(table, "instrument"), instrument)
        if rows.size == 0:
            continue
        ts_ns = int_column(table, "ts_ns")[rows]
        order = time_order(ts_ns)
        return label, _series(ts_ns[order], float_column(table, price_column)[rows][order])
    return "none", {"t": [], "v": [], "points": 0}


def _instrument_data(instrument: str, *, fills: pa.Table, fill_instruments: list[str], positions: pa.Table,
                     price_series: pa.Table | None, start_ns: int, end_ns: int) -> dict[str, Any]:
    rows = _rows_of(fills, fill_instruments, instrument)
    ts_ns = int_column(fills, "ts_ns")[rows]
    order = time_order(ts_ns)
    rows, ts_ns = rows[order], ts_ns[order]
    position = float_column(fills, "position_after")[rows]
    # A step line that starts flat at the run's start and holds the last position to its end.
    step_ts = np.concatenate(([min(start_ns, int(ts_ns[0]) if ts_ns.size else start_ns)], ts_ns,
                              [max(end_ns, int(ts_ns[-1]) if ts_ns.size else end_ns)]))
    step_values = np.concatenate(([0.0], position, [position[-1] if position.size else 0.0]))
    shown = evenly_spaced_indices(rows.size, MAX_MARKERS_PER_INSTRUMENT)
    marker_rows = rows[shown]
    source, price = _price_line(instrument, price_series=price_series, positions=positions, fills=fills)
    return {
        "name": instrument,
        "price_source": source,
        "price": price,
        "position": _series(step_ts.astype(np.int64), step_values),
        "fills": {
            "t": (ts_ns[shown] // NS_PER_MS).tolist(),
            "price": _compact(float_column(fills, "price")[marker_rows]),
            "side": int_column(fills, "side")[marker_rows].tolist(),
            "qty": _compact(float_column(fills, "qty")[marker_rows]),
            "shown": int(marker_rows.size),
            "total": int(rows.size),
        },
    }


def _trade_row(number: int, trip: RoundTrip, end_ns: int) -> list[Any]:
    return [number, trip.instrument, "long" if trip.direction > 0 else "short", trip.open_ns // NS_PER_MS,
            None if trip.close_ns is None else trip.close_ns // NS_PER_MS, trip.holding_time_s(end_ns),
            trip.max_abs_position, trip.entry_price, trip.exit_price, trip.gross_pnl, trip.fees, trip.net_pnl]


def _trades(trips: list[RoundTrip], end_ns: int) -> dict[str, Any]:
    numbered = list(enumerate(trips, start=1))
    if len(numbered) > MAX_TRADE_ROWS:
        numbered = sorted(numbered, key=lambda pair: -abs(pair[1].net_pnl))[:MAX_TRADE_ROWS]
        numbered.sort(key=lambda pair: pair[0])
    return {"columns": list(TRADE_COLUMNS), "rows": [_trade_row(n, t, end_ns) for n, t in numbered],
            "total": len(trips)}


def _metric_rows(metrics: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, value in metrics.items():
        info = METRICS_BY_KEY.get(key)
        rows.append({"key": key, "label": info.label if info else key, "unit": info.unit.value if info else None,
                     "meaning": info.meaning if info else "", "value": to_json_ready(value)})
    return rows


def _order_counts(orders: pa.Table) -> dict[str, dict[str, int]]:
    """How many orders ended in each status, and of each type."""
    return {column: dict(sorted(Counter(str_column(orders, column)).items())) for column in ("status", "order_type")}


def build_report_data(*, equity: pa.Table, fills: pa.Table, orders: pa.Table, positions: pa.Table,
                      metrics: Mapping[str, Any], run_info: Mapping[str, Any],
                      price_series: pa.Table | None) -> dict[str, Any]:
    """Everything the report's script draws, as JSON-ready objects."""
    require_columns(equity, EQUITY_COLUMNS, "equity")
    require_columns(fills, FILLS_COLUMNS, "fills")
    require_columns(positions, POSITIONS_COLUMNS, "positions")
    require_columns(orders, ORDERS_COLUMNS, "orders")
    if price_series is not None:
        require_columns(price_series, PRICE_SERIES_COLUMNS, "price_series")
    start_ns, end_ns = int(run_info["start_ns"]), int(run_info["end_ns"])
    equity_ts = int_column(equity, "ts_ns")
    order = time_order(equity_ts)
    equity_ts, equity_values = equity_ts[order], float_column(equity, "equity")[order]
    fill_instruments = str_column(fills, "instrument")
    instruments = sorted(set(fill_instruments) | set(str_column(positions, "instrument"))
                         | set(str_column(price_series, "instrument") if price_series is not None else []))
    return {
        "title": str(run_info.get("name") or "VeloZ backtest report"),
        "currency": str(run_info.get("account_currency") or ""),
        "run": to_json_ready(run_info),
        "start_ms": start_ns // NS_PER_MS,
        "end_ms": end_ns // NS_PER_MS,
        "metrics": _metric_rows(metrics),
        "equity": _series(equity_ts, equity_values),
        # Negative fractions, so the chart hangs below zero like the losses it shows.
        "drawdown": _series(equity_ts, -drawdown_series(equity_values)),
        "instruments": [_instrument_data(name, fills=fills, fill_instruments=fill_instruments, positions=positions,
                                         price_series=price_series, start_ns=start_ns, end_ns=end_ns)
                        for name in instruments],
        "trades": _trades(round_trips(fills), end_ns),
        "orders": _order_counts(orders),
        "limits": {"points_per_series": MAX_POINTS_PER_SERIES, "markers_per_instrument": MAX_MARKERS_PER_INSTRUMENT,
                   "trade_rows": MAX_TRADE_ROWS},
    }
