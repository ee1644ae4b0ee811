"""The market-data catalog: Parquet day files (zstd) under one root directory.

    catalog = Catalog("data/catalog")
    catalog.write("binance", "usdm", "BTCUSDT", "trades", table, instrument)
    for batch in catalog.scan("binance", "usdm", "BTCUSDT", "trades", start_ns, end_ns):
        ...                                    # pyarrow RecordBatches of at most batch_rows rows

Layout, schemas and guarantees: docs/data.md. The layout lives in ``partitions``, the write path
(validation, merge, atomic replace) in ``catalog_write``, the read path (pruned streaming scan)
in ``catalog_read``; this class ties them to one root and keeps each symbol's instrument.json.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from veloz.data.catalog_read import CatalogScan, file_ts_bounds
from veloz.data.catalog_write import (ROW_GROUP_ROWS, dedupe_and_sort, merge_into_day_file, replace_atomically,
                                      validate_table)
from veloz.data.partitions import (NS_PER_DAY, SeriesKey, day_files, day_of_ns, day_path, days_overlapping,
                                   instrument_path, series_keys)
from veloz.data.schema import instrument_from_dict, instrument_to_dict, schema_for
from veloz.errors import CatalogError, InstrumentError
from veloz.instruments import Instrument

__all__ = ["Catalog", "CatalogEntry", "CatalogScan", "WriteResult"]


@dataclass(frozen=True)
class WriteResult:
    """What one ``Catalog.write`` did: rows given, rows new to the catalog, day files rewritten."""

    rows_in: int
    rows_added: int
    files_written: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class CatalogEntry:
    """One stored series, summarised from file footers (no data is read)."""

    venue: str
    market: str
    symbol: str
    data_type: str
    first_date: dt.date
    last_date: dt.date
    files: int
    rows: int
    bytes: int
    first_ts_ns: int | None  # None when every file is empty
    last_ts_ns: int | None

    def to_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["first_date"] = self.first_date.isoformat()
        doc["last_date"] = self.last_date.isoformat()
        return doc


class Catalog:
    """Parquet day files under ``root``; see the module docstring. One writer at a time per
    series: two processes merging into the same day file at once can lose one's rows."""

    def __init__(self, root: str | Path, *, row_group_rows: int = ROW_GROUP_ROWS) -> None:
        if row_group_rows < 1:
            raise CatalogError(f"row_group_rows must be >= 1, not {row_group_rows}")
        self.root = Path(root)
        self.row_group_rows = row_group_rows

    def __repr__(self) -> str:
        return f"Catalog({str(self.root)!r})"

    # --- writing -------------------------------------------------------------------------------

    def write(self, venue: str, market: str, symbol: str, data_type: str, table: pa.Table,
              instrument: Instrument) -> WriteResult:
        """Validates ``table`` against the data type's schema, then merges its rows into the day
        files of their UTC dates: rows already stored are not stored twice. The first write of a
        symbol stores its instrument; a later write with a different instrument is an error."""
        key = SeriesKey(venue, market, symbol, data_type)
        if instrument.symbol != symbol or instrument.market != market:
            raise CatalogError(f"instrument {instrument.market} {instrument.symbol} given for data of "
                               f"{market} {symbol}")
        rows = dedupe_and_sort(validate_table(table, data_type), data_type)
        self.check_instrument(venue, market, symbol, instrument)
        if rows.num_rows == 0:
            return WriteResult(0, 0)
        self._store_instrument(instrument_path(self.root, venue, market, symbol), instrument)
        days = rows.column("ts_ns").to_numpy() // NS_PER_DAY
        # Rows are sorted by ts_ns, so each UTC day is one contiguous slice.
        bounds = [0, *(np.flatnonzero(np.diff(days)) + 1).tolist(), rows.num_rows]
        added, written = 0, []
        for start, stop in zip(bounds[:-1], bounds[1:]):
            path = day_path(self.root, key, day_of_ns(int(days[start]) * NS_PER_DAY))
            before, after = merge_into_day_file(path, rows.slice(start, stop - start), data_type,
                                                self.row_group_rows)
            if after != before:
                written.append(path)
            added += after - before
        return WriteResult(table.num_rows, added, written)

    def check_instrument(self, venue: str, market: str, symbol: str, instrument: Instrument) -> None:
        """Raises CatalogError if the symbol's stored instrument differs from ``instrument`` (a
        symbol with no data yet accepts any). Lets a multi-table import check before writing."""
        path = instrument_path(self.root, venue, market, symbol)
        if not path.exists():
            return
        stored = self._load_instrument_doc(path)
        given = instrument_to_dict(instrument)
        if stored != given:
            changes = [f"{name} {stored.get(name)!r} stored, {given.get(name)!r} given"
                       for name in sorted(set(stored) | set(given)) if stored.get(name) != given.get(name)]
            raise CatalogError(f"{path} holds a different instrument for {symbol} ({'; '.join(changes)}): "
                               "its stored ticks and lots would be misread; use another catalog or venue")

    @staticmethod
    def _store_instrument(path: Path, instrument: Instrument) -> None:
        if path.exists():
            return  # check_instrument has already found it equal
        text = json.dumps(instrument_to_dict(instrument), indent=2, sort_keys=True) + "\n"

        def write_json(handle: IO[bytes]) -> None:
            handle.write(text.encode("utf-8"))

        try:
            replace_atomically(path, write_json)
        except OSError as exc:
            raise CatalogError(f"cannot write {path}: {exc}") from exc

    @staticmethod
    def _load_instrument_doc(path: Path) -> dict[str, Any]:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CatalogError(f"{path}: unreadable instrument file ({exc})") from exc
        if not isinstance(doc, dict):
            raise CatalogError(f"{path}: an instrument file holds a JSON object, not {type(doc).__name__}")
        return doc

    # --- reading -------------------------------------------------------------------------------

    def instrument(self, venue: str, market: str, symbol: str) -> Instrument:
        """The instrument stored with the symbol's data (its tick and lot grids)."""
        path = instrument_path(self.root, venue, market, symbol)
        if not path.exists():
            raise CatalogError(f"no instrument for {venue} {market} {symbol} in {self.root} ({path} is missing)")
        doc = self._load_instrument_doc(path)
        try:
            return instrument_from_dict(doc)
        except (TypeError, InstrumentError) as exc:
            raise CatalogError(f"{path}: not a valid instrument ({exc})") from exc

    def scan(self, venue: str, market: str, symbol: str, data_type: str, start_ns: int | None = None,
             end_ns: int | None = None, columns: Sequence[str] | None = None,
             batch_rows: int = 1_000_000) -> CatalogScan:
        """Record batches of at most ``batch_rows`` rows with ``start_ns <= ts_ns < end_ns``
        (either bound may be None), in the canonical order. Only day files overlapping the range
        are opened and only row groups whose ts_ns statistics overlap it are read. An unknown
        series yields nothing."""
        key = SeriesKey(venue, market, symbol, data_type)
        files = [path for _, path in days_overlapping(day_files(self.root, key), start_ns, end_ns)]
        return CatalogScan(files, data_type, start_ns, end_ns, columns, batch_rows)

    def scan_arrays(self, venue: str, market: str, symbol: str, data_type: str, start_ns: int | None = None,
                    end_ns: int | None = None, columns: Sequence[str] | None = None,
                    batch_rows: int = 1_000_000) -> Iterator[dict[str, npt.NDArray[Any]]]:
        """As ``scan``, each batch as a dict of numpy arrays by column (what the replay driver eats)."""
        for batch in self.scan(venue, market, symbol, data_type, start_ns, end_ns, columns, batch_rows):
            yield {name: column.to_numpy(zero_copy_only=False)
                   for name, column in zip(batch.schema.names, batch.columns)}

    def read(self, venue: str, market: str, symbol: str, data_type: str, start_ns: int | None = None,
             end_ns: int | None = None, columns: Sequence[str] | None = None) -> pa.Table:
        """The whole range as one table: for small ranges and tests; prefer ``scan`` for long ones."""
        batches = list(self.scan(venue, market, symbol, data_type, start_ns, end_ns, columns))
        schema = schema_for(data_type)
        if columns is not None:
            schema = pa.schema([schema.field(name) for name in columns])
        return pa.Table.from_batches(batches, schema=schema)

    def time_range(self, venue: str, market: str, symbol: str, data_type: str) -> tuple[int, int] | None:
        """(first ts_ns, last ts_ns) stored for the series, or None when it holds no rows."""
        files = day_files(self.root, SeriesKey(venue, market, symbol, data_type))
        bounds = [b for b in (file_ts_bounds(path, data_type) for _, path in files) if b is not None]
        if not bounds:
            return None
        return min(b[1] for b in bounds), max(b[2] for b in bounds)

    def entries(self) -> list[CatalogEntry]:
        """Every stored series with its dates, file count, rows, bytes and first/last ts_ns."""
        entries = []
        for key in series_keys(self.root):
            files = day_files(self.root, key)
            bounds = [file_ts_bounds(path, key.data_type) for _, path in files]
            known = [b for b in bounds if b is not None]
            entries.append(CatalogEntry(
                venue=key.venue, market=key.market, symbol=key.symbol, data_type=key.data_type,
                first_date=files[0][0], last_date=files[-1][0], files=len(files),
                rows=sum(b[0] for b in known), bytes=sum(path.stat().st_size for _, path in files),
                first_ts_ns=min((b[1] for b in known), default=None),
                last_ts_ns=max((b[2] for b in known), default=None),
            ))
        return entries
