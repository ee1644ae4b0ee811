"""Rebuild an order book from a raw capture and report what happened (``veloz book replay``)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from veloz._native.book import BinanceBookFeed
from veloz.data.captures import (CaptureFrame, check_snapshot_file, cryptofeed_snapshot_path, detect_format,
                                 read_capture)
from veloz.errors import CaptureFormatError, InstrumentError, MessageError
from veloz.instruments import Instrument, Market, load_exchange_info

_LEVEL = re.compile(rb'\["(\d+(?:\.\d+)?)","(\d+(?:\.\d+)?)"')
# Frames of the chosen symbol held back, before replaying, to infer its market and grid from.
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
    unattributed_snapshots: int = 0  # symbol-less snapshots skipped: another symbol's frames preceded them
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


class _GridEvidence:
    """What the first frames of the chosen symbol say about its market and how fine its prices are."""

    def __init__(self) -> None:
        self.market: Market | None = None
        self.price_decimals = 0
        self.qty_decimals = 0

    def observe(self, payload: bytes) -> None:
        is_depth = b'"depthUpdate"' in payload
        if is_depth and self.market is None:
            self.market = "coinm" if b'"ps":' in payload else "usdm" if b'"pu":' in payload else "spot"
        if is_depth or b'"lastUpdateId"' in payload:
            for price, qty in _LEVEL.findall(payload):
                # Prices: the finest digit actually used (the tick). Quantities: the wire's fixed
                # width, which is the asset precision on spot; stripping zeros would guess too coarse.
                self.price_decimals = max(self.price_decimals, _decimals(price, significant=True))
                self.qty_decimals = max(self.qty_decimals, _decimals(qty, significant=False))


def _decimals(text: bytes, *, significant: bool) -> int:
    _, _, frac = text.partition(b".")
    return len(frac.rstrip(b"0")) if significant else len(frac)


def _unit(decimals: int) -> str:
    return "1" if decimals == 0 else "0." + "0" * (decimals - 1) + "1"


def _is_bare_snapshot(payload: bytes) -> bool:
    """A REST depth snapshot: it has an update id and no event type, and names no symbol."""
    return b'"lastUpdateId"' in payload and b'"e":' not in payload


def _several_symbols(files: list[Path], symbols: Iterable[str]) -> InstrumentError:
    holds = f"{files[0]} holds" if len(files) == 1 else f"{', '.join(map(str, files))} hold"
    return InstrumentError(f"{holds} several symbols ({', '.join(symbols)}): choose one with --symbol")


class _Replay:
    """Routes each frame of the captures to the chosen symbol's feed, once that symbol's market
    and grid are known.

    The symbol is `--symbol`, or the first one a frame names; without `--symbol` a frame of a
    second symbol, anywhere, is an error. The feed starts after `_PROBE_FRAMES` frames of the
    symbol (or at the end of the files): they are held back, then applied in order.
    """

    def __init__(self, files: list[Path], symbol: str | None, market: Market | None,
                 instruments: dict[str, Instrument] | None, exchange_info: Path | None, strict: bool) -> None:
        self.files = files
        self.requested = symbol
        self.symbol = symbol
        self.market = market
        self.instruments = instruments
        self.exchange_info = exchange_info
        self.strict = strict
        self.symbols_seen: dict[str, None] = {symbol: None} if symbol else {}  # in order of appearance
        self.frames_read = 0
        self.frames_of_symbol = 0
        self.skipped_other_symbols = 0
        self.unattributed_snapshots = 0
        self.errors: list[str] = []
        self.held: list[tuple[Path, CaptureFrame]] = []
        self.evidence = _GridEvidence()
        self.feed: BinanceBookFeed | None = None
        self.instrument: Instrument | None = None
        self.grid_source = ""

    def run(self, snapshots: Path | None) -> None:
        for index, file in enumerate(self.files):
            self._replay_file(file, read_capture(file, snapshots if index == 0 else None))
        if self.requested and self.frames_of_symbol == 0 and self.skipped_other_symbols:
            others = ", ".join(s for s in self.symbols_seen if s != self.requested)
            names = ", ".join(str(f) for f in self.files)
            raise InstrumentError(f"{names}: no frames for {self.requested} (the capture has {others})")
        if self.feed is None:
            self._start_feed()

    def _replay_file(self, file: Path, frames: Iterable[CaptureFrame]) -> None:
        other_symbol_in_file = False  # once true, a symbol-less snapshot here may be another symbol's
        apply = self.feed.apply if self.feed is not None else None
        for frame in frames:
            self.frames_read += 1
            tagged = frame.symbol
            if tagged is not None:
                if self.symbol is None:
                    self.symbol = tagged
                    self.symbols_seen[tagged] = None
                if tagged != self.symbol:
                    other_symbol_in_file = True
                    self._skip_other_symbol(tagged)
                    continue
                self.frames_of_symbol += 1
            elif other_symbol_in_file and _is_bare_snapshot(frame.payload):
                self.unattributed_snapshots += 1
                continue
            if apply is None:
                self._hold(file, frame)
                if self.feed is not None:
                    apply = self.feed.apply
                continue
            try:
                apply(frame.payload)
            except MessageError as exc:
                self._rejected(file, frame, exc)

    def _skip_other_symbol(self, tagged: str) -> None:
        self.skipped_other_symbols += 1
        self.symbols_seen.setdefault(tagged)
        # Without --symbol, a second symbol is an error; within the opening frames it waits for the
        # end of the probe so that it can name every symbol they hold.
        if self.requested is None and (self.feed is not None or self.frames_read >= _PROBE_FRAMES):
            raise _several_symbols(self.files, self.symbols_seen)

    def _hold(self, file: Path, frame: CaptureFrame) -> None:
        self.held.append((file, frame))
        self.evidence.observe(frame.payload)
        if len(self.held) >= _PROBE_FRAMES:
            self._start_feed()

    def _start_feed(self) -> None:
        if self.requested is None and len(self.symbols_seen) > 1:
            raise _several_symbols(self.files, self.symbols_seen)
        if self.symbol is None:
            raise InstrumentError(f"{self.files[0]}: no frame names its symbol (by its stream name); pass --symbol")
        self.instrument, self.grid_source = self._resolve_instrument(self.symbol)
        instrument = self.instrument
        self.feed = BinanceBookFeed(instrument.market, instrument.symbol, instrument.tick_size, instrument.lot_size)
        held, self.held = self.held, []
        for file, frame in held:
            try:
                self.feed.apply(frame.payload)
            except MessageError as exc:
                self._rejected(file, frame, exc)

    def _resolve_instrument(self, symbol: str) -> tuple[Instrument, str]:
        seen = self.evidence.market  # from the symbol's depth frames; None when it has none yet
        if self.market is not None and seen is not None and self.market != seen:
            raise InstrumentError(f"--market {self.market} contradicts the capture: its {symbol} depth frames "
                                  f"are {seen}")
        if self.instruments is not None:
            if symbol not in self.instruments:
                raise InstrumentError(f"{symbol} is not in {self.exchange_info}")
            instrument = self.instruments[symbol]
            if seen is not None and instrument.market != seen:
                raise InstrumentError(f"{self.exchange_info} describes {symbol} on {instrument.market}, "
                                      f"but the capture's depth frames are {seen}")
            return instrument, f"exchangeInfo {self.exchange_info}"
        market = self.market or seen
        if market is None:
            raise InstrumentError(f"{self.files[0]}: no {symbol} depth frames to tell the market from; pass --market")
        unit_price, unit_qty = _unit(self.evidence.price_decimals), _unit(self.evidence.qty_decimals)
        instrument = Instrument(symbol=symbol, market=market, base_asset="", quote_asset="", margin_asset="",
                                tick_size=unit_price, step_size=unit_qty, lot_size=unit_qty, min_qty=unit_qty,
                                min_notional="0")
        return instrument, "inferred from the capture (price: finest digit used; quantity: decimals on the wire)"

    def _rejected(self, file: Path, frame: CaptureFrame, exc: MessageError) -> None:
        if self.strict:
            raise MessageError(exc.field, f"{file}:{frame.line}: {exc.reason}", exc.excerpt) from None
        if len(self.errors) < _MAX_ERRORS_KEPT:
            self.errors.append(f"{file}:{frame.line}: {exc}")


def _check_files(files: list[Path], snapshots: Path | None) -> None:
    """Every capture (and snapshot file) exists, is a readable regular file and is in a format we
    read, before any frame is replayed: a bad second file must not waste the first one's replay."""
    formats = [detect_format(file) for file in files]
    if snapshots is not None:
        if formats[0] != "cryptofeed":
            raise CaptureFormatError(f"{files[0]} is an {formats[0]} capture, which carries its own snapshot: "
                                     "a snapshots file (--snapshots) only goes with a cryptofeed capture")
        check_snapshot_file(snapshots)
    for index, (file, fmt) in enumerate(zip(files, formats)):
        beside = cryptofeed_snapshot_path(file) if fmt == "cryptofeed" else None
        if beside is not None and not (index == 0 and snapshots is not None):
            check_snapshot_file(beside)


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
    """Replays `path` (then each of `extra_files`, continuing the same book) through the feed.

    Every file is checked before any frame is replayed. Without `symbol`, the capture must hold one
    symbol; with it, frames of other symbols are skipped and it is an error only if none is found.
    `market` must agree with the capture's depth frames and with `exchange_info`; it decides only
    when they do not say.
    """
    if top_n < 0:
        raise ValueError(f"top_n must be >= 0, not {top_n}")
    if symbol is not None:
        symbol = symbol.strip().upper()
        if not symbol:
            raise InstrumentError("the symbol is empty: name the one to rebuild (e.g. BTCUSDT), or omit it "
                                  "for a single-symbol capture")
    files = [Path(path), *(Path(f) for f in extra_files or [])]
    snapshot_path = Path(snapshots) if snapshots is not None else None
    _check_files(files, snapshot_path)
    info_path = Path(exchange_info) if exchange_info is not None else None
    instruments = load_exchange_info(info_path, market) if info_path is not None else None
    if instruments is not None and symbol is not None and symbol not in instruments:
        raise InstrumentError(f"{symbol} is not in {info_path}")

    started = time.perf_counter()
    run = _Replay(files, symbol, market, instruments, info_path, strict)
    run.run(snapshot_path)
    assert run.feed is not None and run.instrument is not None  # _Replay.run starts the feed or raises
    feed, instrument = run.feed, run.instrument
    report = ReplayReport(str(files[0]), instrument.symbol, instrument.market, instrument.tick_size,
                          instrument.lot_size, run.grid_source)
    report.elapsed_s = round(time.perf_counter() - started, 4)
    counters = feed.counters()
    for key in ("messages", "depth_updates", "applied", "buffered", "stale", "gaps", "snapshots", "book_tickers",
                "trades", "other", "bbo_checks", "bbo_mismatches", "crossed", "rejected"):
        setattr(report, key, counters[key])
    report.skipped_other_symbols = run.skipped_other_symbols
    report.unattributed_snapshots = run.unattributed_snapshots
    report.errors = run.errors
    report.state = feed.state
    report.first_mismatch = feed.first_mismatch()
    book = feed.book
    for side, out in ((0, report.top_bids), (1, report.top_asks)):
        # Never ask for more levels than the book holds: top() allocates n rows up front.
        prices, qtys = book.top(side, min(top_n, book.level_count(side)))
        out.extend((instrument.ticks_to_price(int(p)), instrument.lots_to_qty(int(q))) for p, q in zip(prices, qtys))
    return report
