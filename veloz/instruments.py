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


def _filters(symbol_doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["filterType"]: f for f in symbol_doc.get("filters", []) if "filterType" in f}


def _require(doc: dict[str, Any], key: str, where: str) -> Any:
    if key not in doc:
        raise InstrumentError(f"{where}: field '{key}' is missing")
    return doc[key]


def detect_market(doc: dict[str, Any], url: str | None = None) -> Market:
    """spot, usdm or coinm: from the REST URL the document came from when known, else from the
    document's own shape. File paths are never consulted: a folder name proves nothing."""
    if url:
        for market, marker in (("coinm", "/dapi/"), ("usdm", "/fapi/"), ("spot", "/api/v3/")):
            if marker in url:
                return market  # type: ignore[return-value]
    symbols = doc.get("symbols") or []
    if symbols and "contractSize" in symbols[0]:
        return "coinm"
    if symbols and "contractType" in symbols[0]:
        return "usdm"
    if symbols and ("isSpotTradingAllowed" in symbols[0] or "baseAssetPrecision" in symbols[0]):
        return "spot"
    raise InstrumentError("cannot tell the market of this exchangeInfo document; pass market=")


def instrument_from_symbol(symbol_doc: dict[str, Any], market: Market) -> Instrument:
    symbol = _require(symbol_doc, "symbol", "exchangeInfo symbol")
    filters = _filters(symbol_doc)
    price_filter = filters.get("PRICE_FILTER")
    lot_filter = filters.get("LOT_SIZE")
    if price_filter is None or lot_filter is None:
        raise InstrumentError(f"{symbol}: PRICE_FILTER and LOT_SIZE filters are required")
    tick = _require(price_filter, "tickSize", f"{symbol} PRICE_FILTER")
    step = _require(lot_filter, "stepSize", f"{symbol} LOT_SIZE")
    if market == "spot":
        lot = format(Decimal(1).scaleb(-int(_require(symbol_doc, "baseAssetPrecision", symbol))), "f")
        notional_filter = filters.get("NOTIONAL") or filters.get("MIN_NOTIONAL") or {}
        min_notional = notional_filter.get("minNotional", "0")
    else:
        lot = step
        min_notional = filters.get("MIN_NOTIONAL", {}).get("notional", "0")  # futures key is `notional`
    contract_size = symbol_doc.get("contractSize") if market == "coinm" else None
    return Instrument(
        symbol=symbol,
        market=market,
        base_asset=_require(symbol_doc, "baseAsset", symbol),
        quote_asset=_require(symbol_doc, "quoteAsset", symbol),
        margin_asset=symbol_doc.get("marginAsset", _require(symbol_doc, "quoteAsset", symbol)),
        tick_size=tick,
        step_size=step,
        lot_size=lot,
        min_qty=_require(lot_filter, "minQty", f"{symbol} LOT_SIZE"),
        min_notional=str(min_notional),
        contract_size=int(contract_size) if contract_size is not None else None,
        status=symbol_doc.get("status", symbol_doc.get("contractStatus", "TRADING")),
    )


def parse_exchange_info(doc: dict[str, Any], market: Market | None = None, url: str | None = None) -> dict[str, Instrument]:
    """Instruments by symbol from a parsed exchangeInfo document."""
    if not isinstance(doc, dict) or not isinstance(doc.get("symbols"), list):
        raise InstrumentError("not an exchangeInfo document: no 'symbols' list")
    resolved: Market = market or detect_market(doc, url)
    return {s["symbol"]: instrument_from_symbol(s, resolved) for s in doc["symbols"] if "symbol" in s}


def load_exchange_info(path: str | Path, market: Market | None = None) -> dict[str, Instrument]:
    """Reads an exchangeInfo JSON file, or a cryptofeed recording of one (`<url> -> <ts>: <json>`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"{path} is not a JSON text file (byte {exc.start} is not UTF-8)") from exc
    except OSError as exc:
        raise InstrumentError(f"cannot read exchangeInfo file {path}: {exc.strerror}") from exc
    url = None
    stripped = text.lstrip()
    if stripped and not stripped.startswith("{"):
        head, sep, body = stripped.partition(": {")
        if not sep or " -> " not in head:
            raise InstrumentError(f"{path}: neither JSON nor a '<url> -> <ts>: <json>' recording")
        url = head.split(" -> ")[0]
        stripped = "{" + body.splitlines()[0] if "\n" in body else "{" + body
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise InstrumentError(f"{path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    return parse_exchange_info(doc, market, url)
