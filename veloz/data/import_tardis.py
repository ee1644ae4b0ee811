"""Tardis.dev CSV datasets of Binance markets -> canonical catalog tables.

Three Tardis data types, told apart by their header: ``incremental_book_L2`` and
``book_snapshot_<N>`` become ``depth`` rows, ``trades`` become ``trades`` rows. Files may be gzip
compressed (``.csv.gz``, as Tardis serves them). Timestamps are microseconds (Tardis's format);
``timestamp`` is the exchange time, ``local_timestamp`` Tardis's receive time.

Depth rows keep the file's order: it is the order the book must be applied in, and exchange
timestamps can step back (e.g. a REST snapshot stamped with its arrival time). The mapping and what
is refused are described in docs/importers.md.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyarrow as pa

from veloz.data.import_fields import (FieldError, FileClock, GridFields, Row, boolean, integer, numbered_lines,
                                      parse_rows, plain_decimal, sort_canonical, to_table)
from veloz.data.schema import DEPTH, DEPTH_SNAPSHOT, DEPTH_UPDATE, TRADES
from veloz.errors import ImportFormatError
from veloz.instruments import MARKETS, Instrument, Market

__all__ = ["TRADE_ID_METADATA_KEY", "import_tardis"]

_log = logging.getLogger(__name__)

# Tardis's exchange id for each Binance market.
TARDIS_EXCHANGES: dict[Market, str] = {"spot": "binance", "usdm": "binance-futures", "coinm": "binance-delivery"}
_INCREMENTAL_HEADER = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount"
_TRADES_HEADER = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount"
_SNAPSHOT_PREFIX = "exchange,symbol,timestamp,local_timestamp,"
# Set on a trades table whose trade_id is a running row number because the file's ids are not
# all integers; absent when trade_id is the exchange's own id.
TRADE_ID_METADATA_KEY = b"veloz.trade_id"
_NO_ID = -1  # Tardis carries no Binance update ids (U / u / pu)


def import_tardis(path: str | Path, instrument: Instrument, market: Market, symbol: str) -> dict[str, pa.Table]:
    """Reads one Tardis CSV(.gz) of ``symbol`` on ``market``: ``{"depth": ...}`` for
    incremental_book_L2 and book_snapshot_N files, ``{"trades": ...}`` for trades files.
    Raises ImportFormatError naming the file (and line) for anything refused."""
    path = Path(path)
    if market not in MARKETS:
        raise ImportFormatError(f"{path}: market must be one of {', '.join(MARKETS)}, not {market!r}")
    if instrument.market != market or instrument.symbol != symbol:
        raise ImportFormatError(f"{path}: the instrument is {instrument.symbol} ({instrument.market}) but the "
                                f"import is for {symbol} ({market}); its grid would misread the prices")
    with _open_lines(path) as lines:
        header = next(lines, None)
        if header is None:
            raise ImportFormatError(f"{path}: empty file; a Tardis CSV starts with a header line")
        number, text = header
        reader = _TardisRows(path, instrument, market, symbol)
        if text == _INCREMENTAL_HEADER:
            return {"depth": reader.incremental_book(lines)}
        if text == _TRADES_HEADER:
            return {"trades": reader.trades(lines)}
        levels = _snapshot_levels(text)
        if levels is not None:
            return {"depth": reader.book_snapshots(lines, levels)}
        raise ImportFormatError(f"{path}, line {number}: not a Tardis incremental_book_L2, book_snapshot_N or trades "
                                f"header: {text[:120]!r}")


@contextmanager
def _open_lines(path: Path) -> Iterator[Iterator[tuple[int, str]]]:
    opener: Callable[[], IO[str]]
    if path.name.endswith(".csv.gz"):
        def opener() -> IO[str]:
            return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    elif path.suffix == ".csv":
        def opener() -> IO[str]:
            return open(path, encoding="utf-8-sig", newline="")
    else:
        raise ImportFormatError(f"{path}: expected a Tardis .csv or .csv.gz file")
    try:
        text = opener()
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror}") from exc
    with text:
        yield numbered_lines(str(path), text)


def _snapshot_levels(header: str) -> int | None:
    """N of a book_snapshot_N header (asks[i].price, asks[i].amount, bids[i].price, bids[i].amount
    for i < N), or None."""
    if not header.startswith(_SNAPSHOT_PREFIX):
        return None
    names = header[len(_SNAPSHOT_PREFIX):].split(",")
    levels = len(names) // 4
    expected = [f"{side}[{i}].{field}" for i in range(levels) for side in ("asks", "bids")
                for field in ("price", "amount")]
    return levels if levels > 0 and names == expected else None


class _TardisRows:
    """Row parsers of one file; the shared columns (exchange, symbol, timestamps) are checked here."""

    def __init__(self, path: Path, instrument: Instrument, market: Market, symbol: str) -> None:
        self.where = str(path)
        self.grid = GridFields(instrument)
        self.clock = FileClock(fixed_unit="us")
        self.exchange = TARDIS_EXCHANGES[market]
        self.symbol = symbol

    def _times(self, f: list[str]) -> tuple[int, int]:
        # Tardis writes exchange ids in lower case and Binance symbols in upper case.
        if f[0] != self.exchange:
            raise FieldError("exchange", f"{f[0]!r} is not {self.exchange!r}, Tardis's name for this market")
        if f[1].upper() != self.symbol.upper():
            raise FieldError("symbol", f"{f[1]!r} is not {self.symbol}")
        return self.clock.to_ns("timestamp", f[2]), self.clock.to_ns("local_timestamp", f[3])

    def _price(self, column: str, text: str) -> int:
        return self.grid.price(column, plain_decimal(text))

    def _qty(self, column: str, text: str) -> int:
        return self.grid.qty(column, plain_decimal(text))

    def incremental_book(self, lines: Iterator[tuple[int, str]]) -> pa.Table:
        # Tardis: rows before the first snapshot are updates buffered before it and are skipped; a
        # run of is_snapshot rows after updates is a new snapshot and replaces the book.
        seen_snapshot = False
        previous: tuple[bool, int, int] | None = None  # (is_snapshot, ts, local ts) of the last kept row
        skipped = 0

        def parse(f: list[str]) -> Row | None:
            nonlocal seen_snapshot, previous, skipped
            ts, local_ts = self._times(f)
            snapshot = boolean("is_snapshot", f[4])
            side = _book_side(f[5])
            if not snapshot and not seen_snapshot:
                skipped += 1
                return None
            if snapshot and previous is not None and previous[0] and previous[1:] != (ts, local_ts):
                # The canonical rows mark one snapshot by shared timestamps (see docs/importers.md);
                # a run that changes them could not be told from two snapshots.
                raise FieldError("local_timestamp", "a run of is_snapshot rows changes timestamp midway; "
                                 "cannot tell one snapshot from two")
            seen_snapshot = seen_snapshot or snapshot
            previous = (snapshot, ts, local_ts)
            return (ts, local_ts, _NO_ID, _NO_ID, _NO_ID, DEPTH_SNAPSHOT if snapshot else DEPTH_UPDATE, side,
                    self._price("price", f[6]), self._qty("amount", f[7]))

        rows = parse_rows(self.where, lines, 8, parse)
        if not seen_snapshot and skipped:
            raise ImportFormatError(f"{self.where}: {skipped} book updates and no snapshot; a book cannot be "
                                    f"built from updates alone")
        if skipped:
            _log.info("%s: skipped %d updates before the first snapshot (as Tardis documents)", self.where, skipped)
        return to_table(rows, DEPTH)

    def book_snapshots(self, lines: Iterator[tuple[int, str]], levels: int) -> pa.Table:
        snapshots: list[list[Row]] = []
        previous_times: tuple[int, int] | None = None

        def parse(f: list[str]) -> Row | None:
            nonlocal previous_times
            ts, local_ts = self._times(f)
            bids: list[Row] = []
            asks: list[Row] = []
            for level in range(levels):
                column = 4 + 4 * level
                for side, out, offset, name in ((-1, asks, 0, "asks"), (1, bids, 2, "bids")):
                    price, amount = f[column + offset], f[column + offset + 1]
                    if not price and not amount:
                        continue  # fewer than N levels on this side
                    label = f"{name}[{level}]"
                    out.append((ts, local_ts, _NO_ID, _NO_ID, _NO_ID, DEPTH_SNAPSHOT, side,
                                self._price(f"{label}.price", price), self._qty(f"{label}.amount", amount)))
            if not bids and not asks:
                raise FieldError("asks[0].price", "a snapshot with no levels cannot be stored as depth rows")
            if previous_times == (ts, local_ts):
                # Same instant as the previous snapshot: that one was replaced before anything could
                # see it, and sharing timestamps would merge the two into one snapshot.
                snapshots.pop()
            snapshots.append(bids + asks)
            previous_times = (ts, local_ts)
            return None

        parse_rows(self.where, lines, 4 + 4 * levels, parse)
        return to_table([row for snapshot in snapshots for row in snapshot], DEPTH)

    def trades(self, lines: Iterator[tuple[int, str]]) -> pa.Table:
        raw_ids: list[str] = []

        def parse(f: list[str]) -> Row:
            ts, local_ts = self._times(f)
            raw_ids.append(f[4])
            qty = self._qty("amount", f[7])
            if qty == 0:
                raise FieldError("amount", "a trade of quantity 0")
            return (ts, local_ts, 0, self._price("price", f[6]), qty, _aggressor_side(f[5]))

        rows = parse_rows(self.where, lines, 8, parse)
        ids = _trade_ids(raw_ids)
        numbered = ids is None
        if ids is None:
            ids = list(range(1, len(rows) + 1))
        table = to_table([(r[0], r[1], trade_id, *r[3:]) for r, trade_id in zip(rows, ids)], TRADES)
        table = sort_canonical(table, "trades")
        if numbered:
            table = table.replace_schema_metadata(
                {TRADE_ID_METADATA_KEY: b"row number in the file: its ids are not all integers"})
        return table


def _trade_ids(raw: list[str]) -> list[int] | None:
    """The file's ids as integers, or None when any is not one (then rows are numbered instead)."""
    try:
        return [integer("id", text, minimum=0) for text in raw]
    except FieldError:
        return None


def _book_side(text: str) -> int:
    if text == "bid":
        return 1
    if text == "ask":
        return -1
    raise FieldError("side", f"{text!r} is not bid or ask")


def _aggressor_side(text: str) -> int:
    # Tardis's side is the taker's. "unknown" has no canonical value: refused, not guessed.
    if text == "buy":
        return 1
    if text == "sell":
        return -1
    raise FieldError("side", f"{text!r} is not buy or sell (an unknown aggressor cannot be stored)")
