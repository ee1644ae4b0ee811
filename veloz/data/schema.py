"""The catalog's canonical tables: one Arrow schema per data type, shared by every importer,
the catalog reader and writer, the data checks and the replay driver.

Prices are integer ticks and quantities integer lots of the instrument's grid (stored beside the
data in ``instrument.json``); timestamps are int64 nanoseconds since the Unix epoch (UTC).
``ts_ns`` is the exchange's event time; ``local_ts_ns`` the time the record was received
(equal to ``ts_ns`` when the source does not say). Rows are sorted by
(ts_ns, local_ts_ns, sequence column) within a file.

Sides: ``side`` is +1 / -1. For trades +1 means the buyer was the aggressor (Binance ``m`` false),
-1 the seller. For depth +1 is a bid level, -1 an ask level.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pyarrow as pa

from veloz.instruments import Instrument

I64 = pa.int64()
I8 = pa.int8()

# Depth row kinds.
DEPTH_UPDATE = 0  # a level's new absolute quantity (0 deletes it)
DEPTH_SNAPSHOT = 2  # a level of a full snapshot; a run of snapshot rows replaces the book

TRADES = pa.schema([
    ("ts_ns", I64), ("local_ts_ns", I64), ("trade_id", I64),
    ("px", I64), ("qty", I64), ("side", I8),
])
# Binance aggTrades: trade_id is the aggregate id.
AGG_TRADES = pa.schema([
    ("ts_ns", I64), ("local_ts_ns", I64), ("trade_id", I64),
    ("px", I64), ("qty", I64), ("side", I8),
    ("first_trade_id", I64), ("last_trade_id", I64),
])
# One row per price level of a diff or snapshot message; rows of one message share the ids.
# first_update_id / prev_update_id are -1 when the source does not carry them (U / pu).
DEPTH = pa.schema([
    ("ts_ns", I64), ("local_ts_ns", I64),
    ("first_update_id", I64), ("update_id", I64), ("prev_update_id", I64),
    ("kind", I8), ("side", I8), ("px", I64), ("qty", I64),
])
BOOK_TICKER = pa.schema([
    ("ts_ns", I64), ("local_ts_ns", I64), ("update_id", I64),
    ("bid_px", I64), ("bid_qty", I64), ("ask_px", I64), ("ask_qty", I64),
])
# ts_ns is the open time; close_ts_ns the last nanosecond of the bar (Binance close_time).
# Quote volumes are in 1e-8 units of the quote asset.
KLINES = pa.schema([
    ("ts_ns", I64), ("local_ts_ns", I64), ("close_ts_ns", I64),
    ("open", I64), ("high", I64), ("low", I64), ("close", I64),
    ("volume", I64), ("quote_volume_e8", I64), ("trade_count", I64),
    ("taker_buy_volume", I64), ("taker_buy_quote_volume_e8", I64),
])
# A funding settlement: rate in 1e-8 units (0.0001 -> 10000); mark_px 0 when unknown.
FUNDING = pa.schema([
    ("ts_ns", I64), ("local_ts_ns", I64), ("rate_e8", I64), ("mark_px", I64),
])
MARK_PRICE = pa.schema([
    ("ts_ns", I64), ("local_ts_ns", I64), ("mark_px", I64), ("index_px", I64),
    ("funding_rate_e8", I64), ("next_funding_ts_ns", I64),
])

# Data type name -> schema. Klines are stored per interval as "klines_1m", "klines_1h", ...
SCHEMAS: dict[str, pa.Schema] = {
    "trades": TRADES,
    "agg_trades": AGG_TRADES,
    "depth": DEPTH,
    "book_ticker": BOOK_TICKER,
    "funding": FUNDING,
    "mark_price": MARK_PRICE,
}
KLINE_INTERVALS = ("1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d")

# The column that orders rows with equal timestamps, per data type.
SEQUENCE_COLUMN = {
    "trades": "trade_id", "agg_trades": "trade_id", "depth": "update_id", "book_ticker": "update_id",
    "funding": None, "mark_price": None,
}

# --- Binance bookDepth archives (added with the archive importers) -------------------------------
# data.binance.vision `bookDepth` is NOT a book of price levels: every ~30 s it gives, per percentage
# band around the mid (-5 .. +5, sometimes finer), the resting quantity and notional within that
# band. It cannot feed DEPTH (no prices), so it has its own type. One row per band per sample:
# percentage_e8 is the signed band in 1e-8 of a percent (-5 -> -500000000; negative = bid side),
# qty the base quantity in lots, notional_e8 the quote notional in 1e-8 of the quote asset.
BOOK_DEPTH_PCT = pa.schema([
    ("ts_ns", I64), ("local_ts_ns", I64), ("percentage_e8", I64), ("qty", I64), ("notional_e8", I64),
])
SCHEMAS["book_depth_pct"] = BOOK_DEPTH_PCT
SEQUENCE_COLUMN["book_depth_pct"] = "percentage_e8"
# --- end of the bookDepth block -------------------------------------------------------------------


def schema_for(data_type: str) -> pa.Schema:
    """The schema of a data type name (``klines_<interval>`` included)."""
    if data_type.startswith("klines_") and data_type[len("klines_"):] in KLINE_INTERVALS:
        return KLINES
    try:
        return SCHEMAS[data_type]
    except KeyError:
        known = sorted(SCHEMAS) + [f"klines_{i}" for i in KLINE_INTERVALS]
        raise ValueError(f"unknown data type {data_type!r}; known: {', '.join(known)}") from None


def instrument_to_dict(instrument: Instrument) -> dict[str, Any]:
    """What ``instrument.json`` holds: the fields that rebuild the Instrument exactly."""
    return {k: v for k, v in asdict(instrument).items() if k not in ("price_grid", "lot_grid")}


def instrument_from_dict(doc: dict[str, Any]) -> Instrument:
    return Instrument(**doc)
