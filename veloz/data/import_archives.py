"""Binance public-archive files (data.binance.vision) -> canonical catalog tables.

One call reads one file, a ``.zip`` as downloaded or the bare ``.csv`` inside one, and returns
``{data type: table}`` in the exact schema of ``veloz.data.schema``. The data type comes from the
file name (``BTCUSDT-1m-2020-01-01.zip`` -> ``klines_1m``) unless it is given. The whole file is
checked before anything is returned: any bad row refuses the file, naming the file and the line.
The column mapping, timestamp rules and refusals are described in docs/importers.md.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from veloz.data.archive_files import ArchiveName, open_archive_lines, parse_archive_name, verify_checksum
from veloz.data.import_fields import (FieldError, FileClock, GridFields, Row, boolean, check_decimal, integer,
                                      looks_like_header, parse_rows, sort_canonical, to_table)
from veloz.data.schema import KLINE_INTERVALS, schema_for
from veloz.errors import ImportFormatError
from veloz.instruments import MARKETS, Instrument, Market

__all__ = ["SUPPORTED_DATA_TYPES", "import_binance_archive"]

# Binance's word in a file name -> the canonical data type (kline intervals are handled apart).
_KIND_TO_DATA_TYPE = {
    "trades": "trades", "aggTrades": "agg_trades", "bookTicker": "book_ticker",
    "bookDepth": "book_depth_pct", "fundingRate": "funding",
}
SUPPORTED_DATA_TYPES = (*_KIND_TO_DATA_TYPE.values(), *(f"klines_{i}" for i in KLINE_INTERVALS))
# Binance intervals the canonical schema has no klines_<interval> type for.
_UNSUPPORTED_INTERVALS = ("3d", "1w", "1mo")
# These archives use kline file names (BTCUSDT-1m-...) but hold prices without trades or volume:
# only their folder tells them apart, and importing one as klines would be silently wrong.
_PRICE_KLINE_FOLDERS = ("markPriceKlines", "indexPriceKlines", "premiumIndexKlines")
_FUTURES_ONLY = ("book_ticker", "book_depth_pct", "funding")
_DEPTH_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")


def import_binance_archive(path: str | Path, instrument: Instrument, market: Market, symbol: str,
                           data_type: str | None = None) -> dict[str, pa.Table]:
    """Reads one data.binance.vision file of ``symbol`` on ``market`` into canonical tables.

    ``data_type`` (one of SUPPORTED_DATA_TYPES) is needed only when the file name does not follow
    Binance's pattern; it must agree with the name when both say. A ``.CHECKSUM`` beside the file is
    verified first. Raises ImportFormatError naming the file (and line) for anything refused.
    """
    path = Path(path)
    _check_target(path, instrument, market, symbol)
    resolved = _resolve_data_type(path, parse_archive_name(path.name), data_type, symbol, market)
    verify_checksum(path)
    parsers = _RowParsers(instrument)
    columns, parse = parsers.layout(resolved, market)
    with open_archive_lines(path) as (where, lines):
        first = next(lines, None)
        if first is not None and looks_like_header(first[1]):
            found = len(first[1].split(","))
            if found != columns:
                raise ImportFormatError(f"{where}, line {first[0]}: the header has {found} columns; "
                                        f"a {market} {resolved} archive has {columns}: {first[1][:120]!r}")
            body = lines
        else:
            body = itertools.chain([first] if first is not None else [], lines)
        rows = parse_rows(where, body, columns, parse)
    table = to_table(rows, schema_for(resolved))
    return {resolved: sort_canonical(table, resolved)}


def _check_target(path: Path, instrument: Instrument, market: Market, symbol: str) -> None:
    if market not in MARKETS:
        raise ImportFormatError(f"{path}: market must be one of {', '.join(MARKETS)}, not {market!r}")
    if instrument.market != market or instrument.symbol != symbol:
        raise ImportFormatError(f"{path}: the instrument is {instrument.symbol} ({instrument.market}) but the "
                                f"import is for {symbol} ({market}); its grid would misread the prices")


def _resolve_data_type(path: Path, name: ArchiveName | None, data_type: str | None, symbol: str,
                       market: Market) -> str:
    if any(part in _PRICE_KLINE_FOLDERS for part in path.parts):
        raise ImportFormatError(f"{path}: mark/index/premium price klines are not trade klines; no importer "
                                f"for them yet")
    named = _data_type_of(path, name) if name is not None else None
    if name is not None and name.symbol != symbol:
        raise ImportFormatError(f"{path}: the file name says symbol {name.symbol}, not {symbol}")
    if data_type is not None and data_type not in SUPPORTED_DATA_TYPES:
        raise ImportFormatError(f"{path}: data type {data_type!r} is not read from Binance archives; "
                                f"supported: {', '.join(SUPPORTED_DATA_TYPES)}")
    if named is not None and data_type is not None and named != data_type:
        raise ImportFormatError(f"{path}: the file name says {named}, but data_type={data_type!r} was given")
    resolved = data_type or named
    if resolved is None:
        raise ImportFormatError(f"{path}: cannot tell the data type from the name (expected "
                                f"<SYMBOL>-<kind>-<date>.zip); pass data_type=")
    if market == "spot" and resolved in _FUTURES_ONLY:
        raise ImportFormatError(f"{path}: Binance publishes {resolved} archives for futures only, not spot")
    return resolved


def _data_type_of(path: Path, name: ArchiveName) -> str:
    if name.kind in _KIND_TO_DATA_TYPE:
        return _KIND_TO_DATA_TYPE[name.kind]
    if name.kind in KLINE_INTERVALS:
        return f"klines_{name.kind}"
    if name.kind in _UNSUPPORTED_INTERVALS:
        raise ImportFormatError(f"{path}: {name.kind} klines have no canonical type; intervals: "
                                f"{', '.join(KLINE_INTERVALS)}")
    raise ImportFormatError(f"{path}: Binance {name.kind!r} archives are not imported; supported kinds: "
                            f"{', '.join(_KIND_TO_DATA_TYPE)} and kline intervals")


def _utc_seconds_ns(column: str, text: str) -> int:
    """bookDepth's ``YYYY-MM-DD HH:MM:SS`` (UTC, whole seconds) -> epoch nanoseconds."""
    match = _DEPTH_TIME.fullmatch(text)
    try:
        if match is None:
            raise ValueError("not YYYY-MM-DD HH:MM:SS")
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
    except ValueError as exc:
        raise FieldError(column, f"{text!r} is not a UTC time ({exc})") from None
    return int(moment.timestamp()) * 1_000_000_000


class _RowParsers:
    """One method per archive layout: the text fields of a row -> a tuple in the schema's column
    order. Column names in errors are Binance's (futures spelling)."""

    def __init__(self, instrument: Instrument) -> None:
        self.grid = GridFields(instrument)
        self.clock = FileClock()  # one per file: the file's first timestamp fixes ms or us

    def layout(self, data_type: str, market: Market) -> tuple[int, Callable[[list[str]], Row | None]]:
        """(column count, row parser) of a data type's archive on a market."""
        spot = market == "spot"
        if data_type.startswith("klines_"):
            return 12, self.kline
        layouts: dict[str, tuple[int, Callable[[list[str]], Row | None]]] = {
            # spot: id,price,qty,quoteQty,time,isBuyerMaker,isBestMatch
            # UM:   id,price,qty,quote_qty,time,is_buyer_maker  (COIN-M: base_qty, qty in contracts)
            "trades": (7, self.spot_trade) if spot else (6, self.futures_trade),
            # spot: aggTradeId,price,qty,firstTradeId,lastTradeId,time,isBuyerMaker,isBestMatch
            # futures: agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker
            "agg_trades": (8, self.spot_agg_trade) if spot else (7, self.agg_trade),
            "book_ticker": (7, self.book_ticker),
            "book_depth_pct": (4, self.book_depth),
            "funding": (3, self.funding),
        }
        return layouts[data_type]

    def kline(self, f: list[str]) -> Row:
        # open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,
        # taker_buy_quote_volume,ignore. On COIN-M, volume is contracts and the two "quote" columns
        # are base-asset amounts (Binance's layout); they are stored as they are.
        ts = self.clock.to_ns("open_time", f[0])
        close_ts = self.clock.end_to_ns("close_time", f[6])
        if close_ts < ts:
            raise FieldError("close_time", f"{f[6]} is before open_time {f[0]}")
        grid = self.grid
        return (ts, ts, close_ts,
                grid.price("open", f[1]), grid.price("high", f[2]), grid.price("low", f[3]), grid.price("close", f[4]),
                grid.qty("volume", f[5]), grid.e8("quote_volume", f[7]), integer("count", f[8], minimum=0),
                grid.qty("taker_buy_volume", f[9]), grid.e8("taker_buy_quote_volume", f[10]))

    def _trade(self, trade_id: str, price: str, qty: str, time: str, buyer_maker: str) -> Row:
        ts = self.clock.to_ns("time", time)
        return (ts, ts, integer("id", trade_id, minimum=0), self.grid.price("price", price),
                self._traded_qty(qty), _aggressor_side(buyer_maker))

    def spot_trade(self, f: list[str]) -> Row:
        check_decimal("quote_qty", f[3])
        boolean("is_best_match", f[6])
        return self._trade(f[0], f[1], f[2], f[4], f[5])

    def futures_trade(self, f: list[str]) -> Row:
        check_decimal("quote_qty", f[3])
        return self._trade(f[0], f[1], f[2], f[4], f[5])

    def agg_trade(self, f: list[str]) -> Row:
        ts = self.clock.to_ns("transact_time", f[5])
        first = integer("first_trade_id", f[3], minimum=0)
        last = integer("last_trade_id", f[4], minimum=0)
        if last < first:
            raise FieldError("last_trade_id", f"{last} is below first_trade_id {first}")
        return (ts, ts, integer("agg_trade_id", f[0], minimum=0), self.grid.price("price", f[1]),
                self._traded_qty(f[2]), _aggressor_side(f[6]), first, last)

    def spot_agg_trade(self, f: list[str]) -> Row:
        boolean("is_best_match", f[7])
        return self.agg_trade(f[:7])

    def book_ticker(self, f: list[str]) -> Row:
        # update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time
        self.clock.to_ns("transaction_time", f[5])  # checked, not stored: the schema keeps one exchange time
        ts = self.clock.to_ns("event_time", f[6])
        grid = self.grid
        return (ts, ts, integer("update_id", f[0], minimum=0), grid.price("best_bid_price", f[1]),
                grid.qty("best_bid_qty", f[2]), grid.price("best_ask_price", f[3]), grid.qty("best_ask_qty", f[4]))

    def book_depth(self, f: list[str]) -> Row:
        # timestamp,percentage,depth,notional
        ts = _utc_seconds_ns("timestamp", f[0])
        percentage = self.grid.e8("percentage", f[1], signed=True)
        if percentage == 0:
            raise FieldError("percentage", "a band of 0 % has no side")
        return (ts, ts, percentage, self.grid.qty("depth", f[2]), self.grid.e8("notional", f[3]))

    def funding(self, f: list[str]) -> Row:
        # calc_time,funding_interval_hours,last_funding_rate; the interval is not in the schema.
        ts = self.clock.to_ns("calc_time", f[0])
        integer("funding_interval_hours", f[1], minimum=1)
        return (ts, ts, self.grid.e8("last_funding_rate", f[2], signed=True), 0)

    def _traded_qty(self, text: str) -> int:
        lots = self.grid.qty("qty", text)
        if lots == 0:
            raise FieldError("qty", "a trade of quantity 0")
        return lots


def _aggressor_side(buyer_maker: str) -> int:
    # The buyer resting (maker) means the seller hit the bid: seller aggressor -> -1.
    return -1 if boolean("is_buyer_maker", buyer_maker) else 1
