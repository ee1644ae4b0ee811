"""Reading a backtest's data from the Parquet catalog: one instrument's streams over a time range,
in chunks (memory stays flat however long the range)."""

from __future__ import annotations

from collections.abc import Iterator

from veloz.backtest.feeds import STREAM_OF, Chunk
from veloz.backtest.runner import InstrumentData
from veloz.data.catalog import Catalog
from veloz.errors import BacktestError

__all__ = ["data_types", "instrument_data", "parse_instrument_key", "time_span"]


def parse_instrument_key(key: str) -> tuple[str, str, str]:
    """"binance:usdm:BTCUSDT" -> ("binance", "usdm", "BTCUSDT")."""
    parts = key.split(":")
    if len(parts) != 3 or not all(parts):
        raise BacktestError(f"--instrument {key!r}: expected venue:market:symbol, e.g. binance:usdm:BTCUSDT")
    return parts[0].lower(), parts[1].lower(), parts[2].upper()  # Binance symbols are upper case


def instrument_data(catalog: Catalog, key: str, start_ns: int | None, end_ns: int | None,
                    batch_rows: int = 1 << 18) -> InstrumentData:
    venue, market, symbol = parse_instrument_key(key)
    types = data_types(catalog, venue, market, symbol)
    if not types:
        known = sorted({f"{e.venue}:{e.market}:{e.symbol}" for e in catalog.entries()})
        raise BacktestError(f"the catalog at {catalog.root} has no data for {key}; it has: "
                            f"{', '.join(known) if known else 'nothing'}")
    instrument = catalog.instrument(venue, market, symbol)
    streams = {
        data_type: _chunks(catalog, venue, market, symbol, data_type, start_ns, end_ns, batch_rows)
        for data_type in types if data_type in STREAM_OF
    }
    if not streams:
        raise BacktestError(f"{key}: none of the catalog's data types {sorted(types)} can be replayed "
                            f"(replayable: {sorted(STREAM_OF)})")
    return InstrumentData(instrument, streams)


def data_types(catalog: Catalog, venue: str, market: str, symbol: str) -> list[str]:
    return sorted({e.data_type for e in catalog.entries() if (e.venue, e.market, e.symbol) == (venue, market, symbol)})


def time_span(catalog: Catalog, keys: list[str]) -> tuple[int, int] | None:
    """First and last timestamp over every replayable series of these instruments."""
    firsts, lasts = [], []
    wanted = {parse_instrument_key(key) for key in keys}
    for entry in catalog.entries():
        if (entry.venue, entry.market, entry.symbol) in wanted and entry.data_type in STREAM_OF \
                and entry.first_ts_ns is not None and entry.last_ts_ns is not None:
            firsts.append(entry.first_ts_ns)
            lasts.append(entry.last_ts_ns)
    return (min(firsts), max(lasts)) if firsts else None


def _chunks(catalog: Catalog, venue: str, market: str, symbol: str, data_type: str, start_ns: int | None,
            end_ns: int | None, batch_rows: int) -> Iterator[Chunk]:
    yield from catalog.scan_arrays(venue, market, symbol, data_type, start_ns=start_ns, end_ns=end_ns,
                                   batch_rows=batch_rows)
