"""Small canonical tables for the catalog and checks tests, built column by column."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from veloz.data.schema import schema_for
from veloz.instruments import Instrument

NS = 1_000_000_000
# 2024-08-08 23:59:00 UTC: a minute before midnight, so day splits are easy to provoke.
T0 = 1_723_161_540 * NS


def usdm_btcusdt() -> Instrument:
    return Instrument(symbol="BTCUSDT", market="usdm", base_asset="BTC", quote_asset="USDT", margin_asset="USDT",
                      tick_size="0.10", step_size="0.001", lot_size="0.001", min_qty="0.001", min_notional="100")


def spot_btcusdt() -> Instrument:
    return Instrument(symbol="BTCUSDT", market="spot", base_asset="BTC", quote_asset="USDT", margin_asset="USDT",
                      tick_size="0.01", step_size="0.00001", lot_size="0.00000001", min_qty="0.00001",
                      min_notional="5")


def table(data_type: str, rows: Sequence[Sequence[int]]) -> pa.Table:
    """A table of the data type from row tuples in schema column order."""
    schema = schema_for(data_type)
    columns: list[Sequence[int]] = list(zip(*rows)) if rows else [[] for _ in schema]
    return pa.table([pa.array(list(values), type=f.type) for values, f in zip(columns, schema)], schema=schema)


def trades(rows: Sequence[Sequence[int]]) -> pa.Table:
    """(ts_ns, local_ts_ns, trade_id, px, qty, side) rows."""
    return table("trades", rows)


def rows_of(tbl: pa.Table) -> list[tuple[int, ...]]:
    return list(zip(*(tbl.column(name).to_pylist() for name in tbl.column_names)))
