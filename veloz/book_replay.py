"""Rebuild an order book from a raw capture and report what happened (``veloz book replay``)."""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from veloz._native.book import BinanceBookFeed
from veloz.data.captures import CaptureFrame, read_capture
from veloz.errors import InstrumentError, MessageError
from veloz.instruments import Instrument, Market, load_exchange_info

_LEVEL = re.compile(rb'\["(\d+(?:\.\d+)?)","(\d+(?:\.\d+)?)"')
_PROBE_FRAMES = 5000
_MAX_ERRORS_KEPT = 5


@dataclass
class ReplayReport:
    file: str
    symbol: str
    market: str
    tick_size: str
    lot_size: str
    grid_source: str  # "exchangeInfo <file>" or "inferred from the capture"
    messages: int = 0
    depth_updates: int = 0
    applied: int = 0
    buffered: int = 0
    stale: int = 0
    gaps: int = 0
    snapshots: int = 0
    book_tickers: int = 0
    trades: int = 0
    other: int = 0
    bbo_checks: int = 0
    bbo_mismatches: int = 0
    crossed: int = 0
    rejected: int = 0
    skipped_other_symbols: int = 0
    state: str = ""
    first_mismatch: dict[str, Any] | None = None
    errors: list[str] = field(default_factory=list)
    top_bids: list[tuple[str, str]] = field(default_factory=list)
    top_asks: list[tuple[str, str]] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        """Every frame decoded, the book never disagreed nor crossed, and it ends synchronised."""
        return (self.rejected == 0 and self.bbo_mismatches == 0 and self.crossed == 0
                and self.state != "needs_snapshot")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["top_bids"] = [list(level) for level in self.top_bids]
        out["top_asks"] = [list(level) for level in self.top_asks]
        return out


@dataclass(frozen=True)
class _Probe:
    symbols: list[str]
    market: Market | None
    price_decimals: int
    qty_decimals: int


def _decimals(text: bytes, *, significant: bool) -> int:
    _, _, frac = text.partition(b".")
    return len(frac.rstrip(b"0")) if significant else len(frac)


def _probe(path: Path, snapshots: Path | None, symbol: str | None) -> _Probe:
    """Reads the start of the capture: which symbols, which market, how fine the prices are."""
    symbols: dict[str, None] = {}
    market: Market | None = None
    price_dec = qty_dec = 0
    for frame in itertools.islice(read_capture(path, snapshots), _PROBE_FRAMES):
        if frame.symbol:
            symbols.setdefault(frame.symbol)
        if symbol and frame.symbol not in (None, symbol):
            continue
        payload = frame.payload
        is_depth = b'"depthUpdate"' in payload
        if is_depth and market is None:
            market = "coinm" if b'"ps":' in payload else "usdm" if b'"pu":' in payload else "spot"
        if is_depth or b'"lastUpdateId"' in payload:
            for price, qty in _LEVEL.findall(payload):
                # Prices: the finest digit actually used (the tick). Quantities: the wire's fixed
                # width, which is the asset precision on spot; stripping zeros would guess too coarse.
                price_dec = max(price_dec, _decimals(price, significant=True))
                qty_dec = max(qty_dec, _decimals(qty, significant=False))
    return _Probe(list(symbols), market, price_dec, qty_dec)


def _unit(decimals: int) -> str:
    return "1" if decimals == 0 else "0." + "0" * (decimals - 1) + "1"


def resolve_instrument(
    path: Path, snapshots: Path | None, symbol: str | None, market: Market | None, exchange_info: Path | None
) -> tuple[Instrument, str]:
    probe = _probe(path, snapshots, symbol)
    if symbol is None:
        if len(probe.symbols) > 1:
            raise InstrumentError(f"{path} holds several symbols ({', '.join(probe.symbols)}): choose one with --symbol")
        if not probe.symbols:
            raise InstrumentError(f"{path}: no symbol found in the first frames; pass --symbol")
        symbol = probe.symbols[0]
    elif probe.symbols and symbol not in probe.symbols:
        raise InstrumentError(f"{path} has no frames for {symbol} (it has {', '.join(probe.symbols)})")
    if exchange_info is not None:
        instruments = load_exchange_info(exchange_info, market)
        if symbol not in instruments:
            raise InstrumentError(f"{symbol} is not in {exchange_info}")
        instrument = instruments[symbol]
        if probe.market and instrument.market != probe.market:
            raise InstrumentError(f"{exchange_info} describes {symbol} on {instrument.market}, "
                                  f"but the capture's depth frames are {probe.market}")
        return instrument, f"exchangeInfo {exchange_info}"
    resolved = market or probe.market
    if resolved is None:
        raise InstrumentError(f"{path}: no depth frames to tell the market from; pass --market")
    unit_price, unit_qty = _unit(probe.price_decimals), _unit(probe.qty_decimals)
    instrument = Instrument(symbol=symbol, market=resolved, base_asset="", quote_asset="", margin_asset="",
                            tick_size=unit_price, step_size=unit_qty, lot_size=unit_qty, min_qty=unit_qty,
                            min_notional="0")
    return instrument, "inferred from the capture (price: finest digit used; quantity: decimals on the wire)"


def replay(
    path: str | Path,
    *,
    symbol: str | None = None,
    market: Market | None = None,
    exchange_info: str | Path | None = None,
    snapshots: str | Path | None = None,
    extra_files: list[str | Path] | None = None,
    strict: bool = False,
    top_n: int = 5,
) -> ReplayReport:
    """Replays `path` (then each of `extra_files`, continuing the same book) through the feed."""
    path = Path(path)
    snapshot_path = Path(snapshots) if snapshots else None
    instrument, source = resolve_instrument(path, snapshot_path, symbol.upper() if symbol else None, market,
                                            Path(exchange_info) if exchange_info else None)
    feed = BinanceBookFeed(instrument.market, instrument.symbol, instrument.tick_size, instrument.lot_size)
    report = ReplayReport(str(path), instrument.symbol, instrument.market, instrument.tick_size,
                          instrument.lot_size, source)
    started = time.perf_counter()
    for file in [path, *(Path(f) for f in extra_files or [])]:
        frames = read_capture(file, snapshot_path if file == path else None)
        _feed_frames(feed, frames, file, instrument.symbol, report, strict)
    report.elapsed_s = round(time.perf_counter() - started, 4)
    counters = feed.counters()
    for key in ("messages", "depth_updates", "applied", "buffered", "stale", "gaps", "snapshots", "book_tickers",
                "trades", "other", "bbo_checks", "bbo_mismatches", "crossed", "rejected"):
        setattr(report, key, counters[key])
    report.state = feed.state
    report.first_mismatch = feed.first_mismatch()
    book = feed.book
    for side, out in ((0, report.top_bids), (1, report.top_asks)):
        prices, qtys = book.top(side, top_n)
        out.extend((instrument.ticks_to_price(int(p)), instrument.lots_to_qty(int(q))) for p, q in zip(prices, qtys))
    return report


def _feed_frames(feed: BinanceBookFeed, frames: Any, file: Path, symbol: str, report: ReplayReport,
                 strict: bool) -> None:
    apply = feed.apply
    frame: CaptureFrame
    for frame in frames:
        if frame.symbol is not None and frame.symbol != symbol:
            report.skipped_other_symbols += 1
            continue
        try:
            apply(frame.payload)
        except MessageError as exc:
            if strict:
                raise MessageError(exc.field, f"{file}:{frame.line}: {exc.reason}", exc.excerpt) from None
            if len(report.errors) < _MAX_ERRORS_KEPT:
                report.errors.append(f"{file}:{frame.line}: {exc}")
