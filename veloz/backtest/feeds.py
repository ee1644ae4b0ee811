"""Data for the replay driver: which catalog data types become which driver streams, and how a
chunk of catalog columns maps onto the driver's column slots (csrc/veloz/replay_types.hpp)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import pyarrow as pa

__all__ = ["CHUNK_COLUMNS", "STREAM_OF", "Chunk", "as_chunk", "chunk_arguments"]

Chunk = Mapping[str, np.ndarray]

# catalog data type -> driver stream kind
STREAM_OF = {
    "trades": "trades",
    "agg_trades": "trades",
    "depth": "depth",
    "book_ticker": "book_ticker",
    "mark_price": "mark_price",
    "funding": "funding",
}

# driver slot -> catalog column, per data type
CHUNK_COLUMNS: dict[str, dict[str, str]] = {
    "trades": {"seq": "trade_id", "v0": "px", "v1": "qty", "side": "side"},
    "agg_trades": {"seq": "trade_id", "v0": "px", "v1": "qty", "side": "side"},
    "depth": {"seq": "update_id", "v0": "px", "v1": "qty", "side": "side", "kind": "kind"},
    "book_ticker": {"seq": "update_id", "v0": "bid_px", "v1": "bid_qty", "v2": "ask_px", "v3": "ask_qty"},
    "mark_price": {"v0": "mark_px", "v1": "index_px", "v2": "funding_rate_e8", "v3": "next_funding_ts_ns"},
    "funding": {"v0": "rate_e8", "v1": "mark_px"},
}


def as_chunk(batch: pa.RecordBatch | pa.Table | Chunk) -> Chunk:
    """Columns as numpy arrays (zero copy where Arrow allows)."""
    if isinstance(batch, (pa.RecordBatch, pa.Table)):
        return {name: np.asarray(batch.column(name)) for name in batch.schema.names}
    return batch


def chunk_arguments(data_type: str, chunk: Chunk) -> dict[str, Any]:
    """Keyword arguments for ReplayDriver.set_chunk."""
    slots = CHUNK_COLUMNS[data_type]
    missing = [column for column in ("ts_ns", "local_ts_ns", *slots.values()) if column not in chunk]
    if missing:
        raise ValueError(f"{data_type} data lacks column(s) {', '.join(missing)}")
    out: dict[str, Any] = {"ts": chunk["ts_ns"], "local_ts": chunk["local_ts_ns"]}
    for slot, column in slots.items():
        out[slot] = chunk[column]
    return out


def non_empty(chunks: Iterable[Chunk]) -> Iterator[Chunk]:
    """Skips empty chunks, so a stream is never handed zero rows."""
    for chunk in chunks:
        if len(chunk["ts_ns"]):
            yield chunk
