"""Instruments and their fixed-point grids, built from Binance ``exchangeInfo`` documents.

Prices are integer *ticks* (multiples of ``tick_size``) and quantities integer *lots* (multiples of
``lot_size``). Conversion is exact, with no float on the way; an off-grid value is an error that
names the value and the instrument.

``lot_size`` is the quantity unit of market data and accounting. On futures it is the LOT_SIZE
``stepSize`` (every resting quantity is a multiple of it). On spot, book quantities are finer than
the order step (real 2024 BTCUSDT depth shows 25.426189 against a step of 0.00001), so the unit is
``10**-baseAssetPrecision`` and ``step_size`` is kept separately for order validation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

from veloz._native.fixed import DecimalGrid
from veloz.errors import DecimalFormatError, InstrumentError

Market = Literal["spot", "usdm", "coinm"]
MARKETS: tuple[Market, ...] = ("spot", "usdm", "coinm")


@dataclass(frozen=True)
class Instrument:
    symbol: str
    market: Market
    base_asset: str
    quote_asset: str
    margin_asset: str
    tick_size: str  # price step, e.g. "0.1"
    step_size: str  # order quantity step (LOT_SIZE)
    lot_size: str  # fixed-point quantity unit (see module docstring)
    min_qty: str
    min_notional: str  # "0" when the venue sets none
    contract_size: int | None = None  # COIN-M: quote value of one contract (e.g. 100 USD)
    status: str = "TRADING"
    price_grid: DecimalGrid = field(init=False, repr=False, compare=False)
    lot_grid: DecimalGrid = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.market not in MARKETS:
            raise InstrumentError(f"{self.symbol}: market must be one of {MARKETS}, not {self.market!r}")
        for name in ("tick_size", "step_size", "lot_size", "min_qty", "min_notional"):
            value = getattr(self, name)
            if not isinstance(value, str):  # a float may already have lost the exact step
                raise InstrumentError(f"{self.symbol}: {name} must be a decimal string, not {value!r}")
        try:
            price_grid = DecimalGrid(self.tick_size, f"{self.symbol} price")
            lot_grid = DecimalGrid(self.lot_size, f"{self.symbol} quantity")
            step = Decimal(self.step_size)
        except (DecimalFormatError, InvalidOperation) as exc:
            raise InstrumentError(f"{self.symbol}: {exc}") from exc
        if step <= 0 or step % Decimal(self.lot_size) != 0:
            raise InstrumentError(f"{self.symbol}: step size {self.step_size} is not a multiple of lot {self.lot_size}")
        object.__setattr__(self, "price_grid", price_grid)
        object.__setattr__(self, "lot_grid", lot_grid)

    @property
    def price_precision(self) -> int:
        """Decimals of a price (from the tick size, never from the venue's pricePrecision)."""
        return self.price_grid.scale

    @property
    def qty_precision(self) -> int:
        """Decimals of a quantity (from the lot size)."""
        return self.lot_grid.scale

    @property
    def step_lots(self) -> int:
        """The order quantity step in lots."""
        return self.lot_grid.to_steps(self.step_size)

    def price_to_ticks(self, price: str) -> int:
        return self.price_grid.to_steps(price)

    def ticks_to_price(self, ticks: int) -> str:
        return self.price_grid.format(ticks)

    def qty_to_lots(self, qty: str) -> int:
        return self.lot_grid.to_steps(qty)

    def lots_to_qty(self, lots: int) -> str:
        return self.lot_grid.format(lots)


_JSON_TYPES = {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object",
               type(None): "null"}


def _describe(value: Any) -> str:
    """A wrong value as written in the JSON, and its JSON type."""
    return f"{json.dumps(value, default=repr)[:40]} ({_JSON_TYPES.get(type(value), type(value).__name__)})"


def _require(doc: dict[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise InstrumentError(f"{where}: field '{key}' is missing")
    return doc[key]


def _string(doc: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = doc.get(key, default) if default is not None else _require(doc, key, where)
    if not isinstance(value, str):
        raise InstrumentError(f"{where}: field '{key}' must be a string, not {_describe(value)}")
    return value


_PLAIN_DECIMAL = re.compile(r"\d+(?:\.\d+)?")


def _decimal(doc: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
    # Binance sends decimals as strings; a JSON number means the document went through a float
    # somewhere, which can change the value, so it is refused rather than converted.
    value = doc.get(key, default) if default is not None else _require(doc, key, where)
    if not isinstance(value, str) or not _PLAIN_DECIMAL.fullmatch(value):
        raise InstrumentError(f"{where}: field '{key}' must be a decimal string such as \"0.10\", "
                              f"not {_describe(value)}")
    return value


def _integer(doc: dict[str, Any], key: str, where: str, lo: int, hi: int | None = None) -> int:
    value = _require(doc, key, where)
    if (isinstance(value, bool) or not isinstance(value, int) or value < lo
            or (hi is not None and value > hi)):
        wanted = f"an integer from {lo} to {hi}" if hi is not None else f"an integer >= {lo}"
        raise InstrumentError(f"{where}: field '{key}' must be {wanted}, not {_describe(value)}")
    return value


def _filters(symbol_doc: dict[str, Any], symbol: str) -> dict[str, dict[str, Any]]:
    filters = symbol_doc.get("filters", [])
    if not isinstance(filters, list):
        raise InstrumentError(f"{symbol}: field 'filters' must be an array, not {_describe(filters)}")
    by_type: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(filters):
        if not isinstance(entry, dict):
            raise InstrumentError(f"{symbol}: filters[{index}] must be an object, not {_describe(entry)}")
        if "filterType" in entry:
            by_type[_string(entry, "filterType", f"{symbol} filters[{index}]")] = entry
    return by_type


def _document_market(doc: dict[str, Any], url: str | None) -> Market | None:
    """The market a document says it describes (its URL, else its first symbol's shape), or None."""
    if url:
        for market, marker in (("coinm", "/dapi/"), ("usdm", "/fapi/"), ("spot", "/api/v3/")):
            if marker in url:
                return market  # type: ignore[return-value]
    symbols = doc.get("symbols")
    first = symbols[0] if isinstance(symbols, list) and symbols else None
    if not isinstance(first, dict):
        return None
    if "contractSize" in first:
        return "coinm"
    if "contractType" in first:
        return "usdm"
    if "isSpotTradingAllowed" in first or "baseAssetPrecision" in first:
        return "spot"
    return None


def detect_market(doc: dict[str, Any], url: str | None = None) -> Market:
    """spot, usdm or coinm: from the REST URL the document came from when known, else from the
    document's own shape. File paths are never consulted: a folder name proves nothing."""
    market = _document_market(doc, url) if isinstance(doc, dict) else None
    if market is None:
        raise InstrumentError("cannot tell the market (spot, usdm or coinm) of this exchangeInfo document; "
                              "give it explicitly (market=, or --market on the command line)")
    return market


def instrument_from_symbol(symbol_doc: dict[str, Any], market: Market) -> Instrument:
    symbol = _string(symbol_doc, "symbol", "exchangeInfo symbol")
    if not symbol:
        raise InstrumentError("exchangeInfo symbol: field 'symbol' is empty")
    filters = _filters(symbol_doc, symbol)
    price_filter = filters.get("PRICE_FILTER")
    lot_filter = filters.get("LOT_SIZE")
    if price_filter is None or lot_filter is None:
        raise InstrumentError(f"{symbol}: PRICE_FILTER and LOT_SIZE filters are required")
    tick = _decimal(price_filter, "tickSize", f"{symbol} PRICE_FILTER")
    step = _decimal(lot_filter, "stepSize", f"{symbol} LOT_SIZE")
    min_qty = _decimal(lot_filter, "minQty", f"{symbol} LOT_SIZE")
    contract_size = None
    if market == "spot":
        lot = format(Decimal(1).scaleb(-_integer(symbol_doc, "baseAssetPrecision", symbol, 0, 18)), "f")
        notional_type = "NOTIONAL" if "NOTIONAL" in filters else "MIN_NOTIONAL"
        min_notional = _decimal(filters.get(notional_type, {}), "minNotional", f"{symbol} {notional_type}", "0")
    else:
        lot = step
        # The futures MIN_NOTIONAL key is `notional`.
        min_notional = _decimal(filters.get("MIN_NOTIONAL", {}), "notional", f"{symbol} MIN_NOTIONAL", "0")
        if market == "coinm":
            contract_size = _integer(symbol_doc, "contractSize", symbol, 1)
    quote_asset = _string(symbol_doc, "quoteAsset", symbol)
    status_key = "status" if "status" in symbol_doc else "contractStatus"  # COIN-M: contractStatus
    return Instrument(
        symbol=symbol,
        market=market,
        base_asset=_string(symbol_doc, "baseAsset", symbol),
        quote_asset=quote_asset,
        margin_asset=_string(symbol_doc, "marginAsset", symbol, default=quote_asset),
        tick_size=tick,
        step_size=step,
        lot_size=lot,
        min_qty=min_qty,
        min_notional=min_notional,
        contract_size=contract_size,
        status=_string(symbol_doc, status_key, symbol, default="TRADING"),
    )


def parse_exchange_info(doc: dict[str, Any], market: Market | None = None, url: str | None = None) -> dict[str, Instrument]:
    """Instruments by symbol from a parsed exchangeInfo document.

    ``market`` is the market the caller expects; it is required only when the document does not
    say (by its URL or shape), and an error when the document says otherwise: a spot document read
    as futures would give a wrong lot.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("symbols"), list):
        raise InstrumentError("not an exchangeInfo document: no 'symbols' list")
    for index, symbol_doc in enumerate(doc["symbols"]):
        if not isinstance(symbol_doc, dict):
            raise InstrumentError(f"symbols[{index}] must be an object, not {_describe(symbol_doc)}")
    described = _document_market(doc, url)
    if market is not None and described is not None and market != described:
        raise InstrumentError(f"the document describes {described} instruments, not {market}")
    resolved: Market = market or detect_market(doc, url)
    instruments: dict[str, Instrument] = {}
    for index, symbol_doc in enumerate(doc["symbols"]):
        try:
            instrument = instrument_from_symbol(symbol_doc, resolved)
        except InstrumentError as exc:
            if isinstance(symbol_doc.get("symbol"), str) and symbol_doc["symbol"]:
                raise  # the message already names the symbol
            raise InstrumentError(f"symbols[{index}]: {exc}") from None
        instruments[instrument.symbol] = instrument
    return instruments


def load_exchange_info(path: str | Path, market: Market | None = None) -> dict[str, Instrument]:
    """Reads an exchangeInfo JSON file, or a cryptofeed recording of one (`<url> -> <ts>: <json>`).
    Every problem is an InstrumentError naming the file (and the symbol and field when there is one)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"{path} is not a JSON text file (byte {exc.start} is not UTF-8)") from exc
    except OSError as exc:
        raise InstrumentError(f"cannot read exchangeInfo file {path}: {exc.strerror}") from exc
    url = None
    stripped = text.lstrip()
    if stripped and not stripped.startswith(("{", "[")):  # not JSON: maybe a cryptofeed recording
        head, sep, body = stripped.partition(": {")
        if not sep or " -> " not in head:
            raise InstrumentError(f"{path}: neither JSON nor a '<url> -> <ts>: <json>' recording")
        url = head.split(" -> ")[0]
        stripped = "{" + body.splitlines()[0] if "\n" in body else "{" + body
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise InstrumentError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    try:
        return parse_exchange_info(doc, market, url)
    except InstrumentError as exc:
        raise InstrumentError(f"{path}: {exc}") from None
