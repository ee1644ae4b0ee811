"""Raw Binance WebSocket captures (hftbacktest, cryptofeed) -> the catalog's canonical tables.

    instruments = capture_instruments(path, exchange_info)      # symbol -> Instrument
    result = import_capture(path, instruments)
    result.tables["BTCUSDT"]["depth"]                            # pa.Table, receive order

What becomes what (docs/data.md has the full mapping):

* ``depthUpdate`` -> depth rows, kind 0 (one per level; first_update_id U, update_id u,
  prev_update_id pu, or -1 on spot). A REST snapshot line -> depth rows, kind 2 (update_id
  lastUpdateId). Partial-depth streams (``@depth5`` ...) are not diffs and are skipped.
* ``trade`` -> trades; ``aggTrade`` -> agg_trades; ``bookTicker`` -> book_ticker.
* ``kline`` and anything else is counted in ``skipped``, not converted.

Times: ``ts_ns`` is the event time ``E`` for every frame that has one (trades included, even
though they also carry the trade time ``T``: one clock per stream type). Spot bookTicker frames
have no event time, so their ``ts_ns`` is the local receive time; REST snapshots use their ``E``
(else ``T``) when present, else the receive time. ``local_ts_ns`` is always the capture's
receive time. Prices and quantities become ticks and lots of the symbol's instrument exactly;
an off-grid value, a missing field or bad JSON is a CaptureFormatError naming file and line.

Tables are built whole in memory (about 70 bytes per depth level) before anything is written,
so a bad line anywhere means nothing reaches the catalog.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa

from veloz.data.captures import (CaptureFrame, check_snapshot_file, cryptofeed_snapshot_path, detect_format,
                                 read_cryptofeed_snapshots, read_hftbacktest)
# The ws-only reader: the importer reads frames and snapshots apart so that an error names the
# right file of the pair.
from veloz.data.captures import _read_cryptofeed_ws as read_cryptofeed_ws
from veloz.data.schema import DEPTH_SNAPSHOT, DEPTH_UPDATE, schema_for
from veloz.errors import CaptureFormatError, DecimalFormatError, InstrumentError
from veloz.instruments import Instrument, Market, load_exchange_info

__all__ = ["CaptureImport", "capture_instruments", "cryptofeed_exchange_info_path", "import_capture",
           "import_captures"]

IMPORTED_TYPES = ("depth", "trades", "agg_trades", "book_ticker")
_PARTIAL_DEPTH_STREAM = re.compile(r"depth\d+(@\d+ms)?")
_decode = msgspec.json.Decoder().decode


# A symbol-less snapshot line waiting for its file to end: (file, frame, decoded payload).
_PendingSnapshot = tuple[Path, CaptureFrame, dict[str, Any]]


class _FrameError(Exception):
    """A problem with one frame; the caller adds the file and line."""


@dataclass
class CaptureImport:
    """Tables built from one or more captures, before they are written anywhere.

    ``tables``: symbol -> data type -> table in receive order (the catalog sorts on write), except
    that a snapshot line naming no symbol is appended when its file ends (see ``attribute_snapshots``).
    ``frames``: frames converted, by kind. ``skipped``: frames not converted, by reason
    (``kline``, ``partial_depth``, ``other_symbol``, ``unattributed_snapshot``, an event name...).
    """

    tables: dict[str, dict[str, pa.Table]] = field(default_factory=dict)
    instruments: dict[str, Instrument] = field(default_factory=dict)
    frames: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def rows(self) -> dict[tuple[str, str], int]:
        return {(symbol, data_type): table.num_rows
                for symbol, by_type in self.tables.items() for data_type, table in by_type.items()}

    def extend(self, other: CaptureImport) -> None:
        """Adds another capture's tables (e.g. the next day's file of the same socket)."""
        for symbol, by_type in other.tables.items():
            mine = self.tables.setdefault(symbol, {})
            for data_type, table in by_type.items():
                mine[data_type] = pa.concat_tables([mine[data_type], table]) if data_type in mine else table
        for symbol, instrument in other.instruments.items():
            if self.instruments.setdefault(symbol, instrument) != instrument:
                raise InstrumentError(f"{symbol}: the captures were given different instruments")
        self.frames.update(other.frames)
        self.skipped.update(other.skipped)


class _Columns:
    """Growing int64 / int8 columns of one data type (compact arrays, not lists of Python ints)."""

    def __init__(self, data_type: str) -> None:
        self.schema = schema_for(data_type)
        self.columns = {f.name: array("b" if f.type == pa.int8() else "q") for f in self.schema}

    def table(self) -> pa.Table:
        arrays = [pa.array(np.frombuffer(self.columns[f.name], dtype=np.int8 if f.type == pa.int8() else np.int64))
                  for f in self.schema]
        return pa.Table.from_arrays(arrays, schema=self.schema)

    def __len__(self) -> int:
        return len(self.columns["ts_ns"])


def _field(data: dict[str, Any], name: str) -> Any:
    try:
        return data[name]
    except KeyError:
        raise _FrameError(f"field '{name}' is missing") from None


_INT64 = range(-(2**63), 2**63)


def _integer(data: dict[str, Any], name: str) -> int:
    value = _field(data, name)
    if isinstance(value, bool) or not isinstance(value, int) or value not in _INT64:
        raise _FrameError(f"field '{name}' must be a 64-bit integer, not {value!r}")
    return value


def _exchange_ns(data: dict[str, Any], name: str) -> int:
    """An exchange time in ns. Binance sends ms, or µs on spot streams opened with
    timeUnit=MICROSECOND; the magnitude tells which (ms stay below 1e14 until year 5138)."""
    value = _integer(data, name)
    ns = value * 1_000_000 if value < 10**14 else value * 1_000
    if not 0 <= ns < 2**63:
        raise _FrameError(f"field '{name}' is not a time in ms or µs since 1970: {value}")
    return ns


def _decimal(data: dict[str, Any], name: str) -> str:
    value = _field(data, name)
    if not isinstance(value, str):
        raise _FrameError(f"field '{name}' must be a decimal string, not {value!r}")
    return value


class _SymbolTables:
    """The four tables of one symbol, with its instrument's exact conversions."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.to_ticks = instrument.price_to_ticks
        self.to_lots = instrument.qty_to_lots
        self.tables = {data_type: _Columns(data_type) for data_type in IMPORTED_TYPES}

    def _levels(self, levels: Any, name: str) -> tuple[list[int], list[int]]:
        if not isinstance(levels, list):
            raise _FrameError(f"field '{name}' must be a list of [price, qty], not {levels!r}"[:200])
        try:
            return [self.to_ticks(level[0]) for level in levels], [self.to_lots(level[1]) for level in levels]
        except (DecimalFormatError, TypeError, IndexError, KeyError):
            pass
        for index, level in enumerate(levels):  # the slow path only to say which level was bad
            for position, convert in ((0, self.to_ticks), (1, self.to_lots)):
                where = f"{name}[{index}][{position}]"
                if not isinstance(level, list) or len(level) < 2:
                    raise _FrameError(f"field '{name}[{index}]' must be [price, qty], not {level!r}")
                if not isinstance(level[position], str):
                    raise _FrameError(f"field '{where}' must be a decimal string, not {level[position]!r}")
                try:
                    convert(level[position])
                except DecimalFormatError as exc:
                    raise _FrameError(f"field '{where}': {exc}") from None
        raise AssertionError("unreachable: a level failed to convert, then converted")

    def add_depth(self, ts: int, local: int, first_id: int, last_id: int, prev_id: int, kind: int,
                  bids: Any, asks: Any, names: tuple[str, str]) -> None:
        bid_px, bid_qty = self._levels(bids, names[0])
        ask_px, ask_qty = self._levels(asks, names[1])
        n = len(bid_px) + len(ask_px)
        cols = self.tables["depth"].columns
        for name, value in (("ts_ns", ts), ("local_ts_ns", local), ("first_update_id", first_id),
                            ("update_id", last_id), ("prev_update_id", prev_id)):
            cols[name].extend([value] * n)
        cols["kind"].extend([kind] * n)
        cols["side"].extend([1] * len(bid_px) + [-1] * len(ask_px))
        cols["px"].extend(bid_px + ask_px)
        cols["qty"].extend(bid_qty + ask_qty)

    def price(self, data: dict[str, Any], name: str) -> int:
        try:
            return self.to_ticks(_decimal(data, name))
        except DecimalFormatError as exc:
            raise _FrameError(f"field '{name}': {exc}") from None

    def qty(self, data: dict[str, Any], name: str) -> int:
        try:
            return self.to_lots(_decimal(data, name))
        except DecimalFormatError as exc:
            raise _FrameError(f"field '{name}': {exc}") from None

    def append(self, data_type: str, values: Sequence[int]) -> None:
        for column, value in zip(self.tables[data_type].columns.values(), values):
            column.append(value)


class _Importer:
    def __init__(self, instruments: Mapping[str, Instrument], symbol: str | None) -> None:
        self.instruments = instruments
        self.only = symbol.upper() if symbol else None
        self.symbols: dict[str, _SymbolTables] = {}
        self.frames: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()

    def tables_for(self, symbol: str) -> _SymbolTables:
        tables = self.symbols.get(symbol)
        if tables is None:
            instrument = self.instruments.get(symbol)
            if instrument is None:
                raise _FrameError(f"no instrument for {symbol} in the exchangeInfo given "
                                  f"({len(self.instruments)} symbols)")
            tables = self.symbols[symbol] = _SymbolTables(instrument)
        return tables

    def read_file(self, path: Path, frames: Iterable[CaptureFrame], pending: list[_PendingSnapshot],
                  tagged: set[str]) -> None:
        for frame in frames:
            try:
                self.convert(frame, pending, path, tagged)
            except _FrameError as exc:
                raise CaptureFormatError(f"{path}:{frame.line}: {exc}") from None

    def convert(self, frame: CaptureFrame, pending: list[_PendingSnapshot], path: Path,
                tagged: set[str]) -> None:
        try:
            doc = _decode(frame.payload)
        except msgspec.DecodeError as exc:
            raise _FrameError(f"invalid JSON ({exc})") from None
        if not isinstance(doc, dict):
            raise _FrameError(f"a frame is a JSON object, not {type(doc).__name__}")
        stream = doc.get("stream")
        data = doc["data"] if isinstance(stream, str) and "data" in doc else doc
        if not isinstance(data, dict):
            raise _FrameError("field 'data' must be an object")
        stream_kind = stream.partition("@")[2] if isinstance(stream, str) else ""
        event = data.get("e")
        symbol = data.get("s", data.get("symbol", frame.symbol))
        if symbol is not None:
            if not isinstance(symbol, str) or not symbol:
                raise _FrameError(f"field 's' must be a symbol name, not {symbol!r}")
            symbol = symbol.upper()
            tagged.add(symbol)
        if _PARTIAL_DEPTH_STREAM.fullmatch(stream_kind):
            self.skipped["partial_depth"] += 1
            return
        is_snapshot = event is None and "lastUpdateId" in data
        if symbol is None and is_snapshot:
            pending.append((path, frame, data))  # attributed once the whole file is seen
            return
        kind = self._kind(event, data, is_snapshot)
        if kind is None:
            self.skipped[str(event or "unknown")] += 1
            return
        if symbol is None:
            raise _FrameError(f"{kind} frame names no symbol (no 's' field, no stream name)")
        if self.only is not None and symbol != self.only:
            self.skipped["other_symbol"] += 1
            return
        self.add(kind, self.tables_for(symbol), data, frame.local_ns)

    @staticmethod
    def _kind(event: Any, data: dict[str, Any], is_snapshot: bool) -> str | None:
        if event == "depthUpdate":
            return "depth"
        if event in ("trade", "aggTrade", "bookTicker"):
            return {"trade": "trade", "aggTrade": "agg_trade", "bookTicker": "book_ticker"}[event]
        if event is None and {"u", "b", "B", "a", "A"} <= data.keys():
            return "book_ticker"  # spot bookTicker frames carry no event type
        if is_snapshot:
            return "snapshot"
        return None

    def add(self, kind: str, tables: _SymbolTables, data: dict[str, Any], local: int) -> None:
        self.frames[kind] += 1
        market = tables.instrument.market
        if kind == "depth":
            futures = "pu" in data
            if futures != (market != "spot") or ("ps" in data) != (market == "coinm"):
                shape = "coinm" if "ps" in data else "usdm" if futures else "spot"
                raise _FrameError(f"a {shape} depth frame, but the instrument {tables.instrument.symbol} "
                                  f"is {market}: wrong exchangeInfo?")
            tables.add_depth(_exchange_ns(data, "E"), local, _integer(data, "U"), _integer(data, "u"),
                             _integer(data, "pu") if futures else -1, DEPTH_UPDATE,
                             _field(data, "b"), _field(data, "a"), ("b", "a"))
        elif kind == "snapshot":
            ts = _exchange_ns(data, "E") if "E" in data else _exchange_ns(data, "T") if "T" in data else local
            tables.add_depth(ts, local, -1, _integer(data, "lastUpdateId"), -1, DEPTH_SNAPSHOT,
                             _field(data, "bids"), _field(data, "asks"), ("bids", "asks"))
        elif kind == "trade":
            tables.append("trades", (_exchange_ns(data, "E"), local, _integer(data, "t"), tables.price(data, "p"),
                                     tables.qty(data, "q"), _aggressor(data)))
        elif kind == "agg_trade":
            tables.append("agg_trades", (_exchange_ns(data, "E"), local, _integer(data, "a"),
                                         tables.price(data, "p"), tables.qty(data, "q"), _aggressor(data),
                                         _integer(data, "f"), _integer(data, "l")))
        else:  # book_ticker; spot frames have no E: the receive time stands in
            ts = _exchange_ns(data, "E") if "E" in data or market != "spot" else local
            tables.append("book_ticker", (ts, local, _integer(data, "u"), tables.price(data, "b"),
                                          tables.qty(data, "B"), tables.price(data, "a"), tables.qty(data, "A")))

    def attribute_snapshots(self, pending: list[_PendingSnapshot], tagged: set[str]) -> None:
        """A snapshot line names no symbol: it is the file's symbol when the file has only one;
        with several it could be anyone's, so it is skipped (and counted) rather than guessed."""
        for path, frame, data in pending:
            if len(tagged) != 1:
                self.skipped["unattributed_snapshot"] += 1
                continue
            symbol = next(iter(tagged))
            if self.only is not None and symbol != self.only:
                self.skipped["other_symbol"] += 1
                continue
            try:
                self.add("snapshot", self.tables_for(symbol), data, frame.local_ns)
            except _FrameError as exc:
                raise CaptureFormatError(f"{path}:{frame.line}: {exc}") from None

    def result(self) -> CaptureImport:
        tables = {symbol: {dt: cols.table() for dt, cols in st.tables.items() if len(cols)}
                  for symbol, st in self.symbols.items()}
        instruments = {symbol: st.instrument for symbol, st in self.symbols.items()}
        return CaptureImport({s: t for s, t in tables.items() if t}, instruments, self.frames, self.skipped)


def _aggressor(data: dict[str, Any]) -> int:
    """+1 when the buyer took liquidity (m false: the buyer was not the maker), else -1."""
    maker = _field(data, "m")
    if not isinstance(maker, bool):
        raise _FrameError(f"field 'm' must be true or false, not {maker!r}")
    return -1 if maker else 1


def _sources(path: Path, fmt: str, snapshots: Path | None) -> Iterator[tuple[Path, Iterable[CaptureFrame]]]:
    detected = detect_format(path)
    if fmt != "auto" and fmt != detected:
        raise CaptureFormatError(f"{path} is a capture in {detected} format, not {fmt}")
    if detected == "hftbacktest":
        if snapshots is not None:
            raise CaptureFormatError(f"{path}: an hftbacktest capture carries its own snapshot; "
                                     "a snapshot file is for cryptofeed captures")
        yield path, read_hftbacktest(path)
        return
    yield path, read_cryptofeed_ws(path)
    snapshot_path = snapshots or cryptofeed_snapshot_path(path)
    if snapshot_path is not None:
        check_snapshot_file(snapshot_path)
        yield snapshot_path, read_cryptofeed_snapshots(snapshot_path)


def import_capture(path: str | Path, instruments: Mapping[str, Instrument], *, fmt: str = "auto",
                   symbol: str | None = None, snapshots: str | Path | None = None) -> CaptureImport:
    """Converts one capture (a cryptofeed capture with its ``X.http.0.0`` snapshots, or those of
    ``snapshots``) into canonical tables, for every symbol in it or only ``symbol``."""
    if fmt not in ("auto", "hftbacktest", "cryptofeed"):
        raise CaptureFormatError(f"capture format must be auto, hftbacktest or cryptofeed, not {fmt!r}")
    importer = _Importer(instruments, symbol)
    for source, frames in _sources(Path(path), fmt, Path(snapshots) if snapshots else None):
        pending: list[_PendingSnapshot] = []
        tagged: set[str] = set()
        importer.read_file(source, frames, pending, tagged)
        importer.attribute_snapshots(pending, tagged)
    result = importer.result()
    if symbol is not None and not result.tables:
        raise InstrumentError(f"{path}: no frames for {symbol.upper()}")
    return result


def import_captures(paths: Sequence[str | Path], instruments: Mapping[str, Instrument], *, fmt: str = "auto",
                    symbol: str | None = None) -> CaptureImport:
    """Several captures (e.g. consecutive days of one socket) into one set of tables."""
    combined = CaptureImport()
    for path in paths:
        combined.extend(import_capture(path, instruments, fmt=fmt, symbol=symbol))
    return combined


def cryptofeed_exchange_info_path(ws_path: Path) -> Path | None:
    """``BINANCE_FUTURES.ws.1.0`` -> ``BINANCE_FUTURES.0`` (cryptofeed's exchangeInfo recording) if it exists."""
    if ".ws." not in ws_path.name:
        return None
    candidate = ws_path.with_name(ws_path.name.split(".ws.")[0] + ".0")
    return candidate if candidate.is_file() else None


def capture_instruments(path: str | Path, exchange_info: str | Path | None = None,
                        market: Market | None = None) -> dict[str, Instrument]:
    """The instruments for a capture: from ``exchange_info`` when given, else from the
    exchangeInfo a cryptofeed capture recorded beside it. An hftbacktest capture carries none."""
    path = Path(path)
    if exchange_info is not None:
        return load_exchange_info(exchange_info, market)
    fmt = detect_format(path)
    recorded = cryptofeed_exchange_info_path(path) if fmt == "cryptofeed" else None
    if recorded is not None:
        return load_exchange_info(recorded, market)
    if fmt == "cryptofeed":
        raise InstrumentError(f"{path}: no exchangeInfo recording ({path.name.split('.ws.')[0]}.0) beside it; "
                              "give an exchangeInfo file (--exchange-info)")
    raise InstrumentError(f"{path}: an hftbacktest capture records no exchangeInfo; give one (--exchange-info) "
                          "for its tick and lot sizes")
