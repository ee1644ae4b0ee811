"""Typed numpy views of the backtest's Arrow tables, with the columns each table must carry.

The backtest writes these tables (docs/metrics.md, "Input tables"); the analytics read only the
columns named here, so extra columns are allowed. A table with no rows may omit columns: an engine
that never filled writes an empty fills table, and its schema is irrelevant then.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa

EQUITY_COLUMNS = ("ts_ns", "equity", "wallet", "unrealized_pnl", "realized_pnl", "fees", "funding",
                  "gross_exposure")
FILLS_COLUMNS = ("ts_ns", "order_id", "instrument", "side", "price", "qty", "notional", "fee", "is_maker",
                 "decision_mid", "realized_pnl", "position_after")
ORDERS_COLUMNS = ("order_id", "instrument", "side", "order_type", "status", "qty", "filled_qty",
                  "created_ns", "last_update_ns")
POSITIONS_COLUMNS = ("ts_ns", "instrument", "qty", "entry_price", "mark_price", "unrealized_pnl",
                     "realized_pnl")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# Float columns where a missing value means "unknown" rather than a broken table.
_NULLABLE_FLOATS = frozenset({"decision_mid"})


def require_columns(table: pa.Table, columns: Sequence[str], table_name: str) -> None:
    """Raise ValueError naming every column the table lacks (tables without rows are exempt)."""
    if table.num_rows == 0:
        return
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise ValueError(f"{table_name} table lacks column(s) {', '.join(missing)}; "
                         f"it has {', '.join(table.column_names) or 'none'}")


def float_column(table: pa.Table, name: str) -> FloatArray:
    """A float64 copy of a column; nulls become NaN where that means 'unknown', else ValueError."""
    if table.num_rows == 0 and name not in table.column_names:
        return np.empty(0, dtype=np.float64)
    column = table.column(name)
    if column.null_count and name not in _NULLABLE_FLOATS:
        raise ValueError(f"column {name} has {column.null_count} null value(s)")
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def int_column(table: pa.Table, name: str) -> IntArray:
    if table.num_rows == 0 and name not in table.column_names:
        return np.empty(0, dtype=np.int64)
    column = table.column(name)
    if column.null_count:
        raise ValueError(f"column {name} has {column.null_count} null value(s)")
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.int64)


def bool_column(table: pa.Table, name: str) -> BoolArray:
    if table.num_rows == 0 and name not in table.column_names:
        return np.empty(0, dtype=np.bool_)
    column = table.column(name)
    if column.null_count:
        raise ValueError(f"column {name} has {column.null_count} null value(s)")
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.bool_)


def str_column(table: pa.Table, name: str) -> list[str]:
    if table.num_rows == 0 and name not in table.column_names:
        return []
    column = table.column(name)
    if column.null_count:
        raise ValueError(f"column {name} has {column.null_count} null value(s)")
    return [str(v) for v in column.to_pylist()]


def time_order(ts_ns: IntArray) -> IntArray:
    """Row order by time; stable, so rows with equal timestamps keep the engine's order."""
    return np.argsort(ts_ns, kind="stable").astype(np.int64)
