"""Reading a backtest's data from the Parquet catalog: one instrument's streams over a time range,
in chunks (memory stays flat however long the range)."""

from __future__ import annotations

from collections.abc import Iterator

from veloz.backtest.feeds import STREAM_OF, Chunk, as_chunk
from veloz.backtest.runner import InstrumentData
from veloz.data.catalog import Catalog
from veloz.errors import BacktestError

__all__ = ["instrument_data", "parse_instrument_key"]


def parse_instrument_key(key: str) -> tuple[str, str, str]:
    """"binance:usdm:BTCUSDT" -> ("binance", "usdm", "BTCUSDT")."""
    parts = key.split(":")
    if len(parts) != 3 or not all(parts):
        raise BacktestError(f"--instrument {key!r}: expected venue:market:symbol, e.g. binance:usdm:BTCUSDT")
    return parts[0], parts[1], parts[2]


def instrument_data(catalog: Catalog, key: str, start_ns: int | None, end_ns: int | None,
                    batch_rows: int = 1 << 20) -> InstrumentData:
    venue, market, symbol = parse_instrument_key(key)
    types = catalog.data_types(venue, market, symbol)
    if not types:
        raise BacktestError(f"the catalog at {catalog.root} has no data for {key}")
    instrument = catalog.instrument(venue, market, symbol)
    streams = {
        data_type: _chunks(catalog, venue, market, symbol, data_type, start_ns, end_ns, batch_rows)
        for data_type in types if data_type in STREAM_OF
    }
    if not streams:
        raise BacktestError(f"{key}: none of the catalog's data types {sorted(types)} can be replayed "
                            f"(replayable: {sorted(STREAM_OF)})")
    return InstrumentData(instrument, streams)


def _chunks(catalog: Catalog, venue: str, market: str, symbol: str, data_type: str, start_ns: int | None,
            end_ns: int | None, batch_rows: int) -> Iterator[Chunk]:
    for batch in catalog.scan(venue, market, symbol, data_type, start_ns=start_ns, end_ns=end_ns,
                              batch_rows=batch_rows):
        yield as_chunk(batch)
