"""The InstrumentInfo a strategy sees (strategy_sdk.InstrumentInfo), over veloz's Instrument."""

from __future__ import annotations

import numbers
from decimal import Decimal, InvalidOperation

from veloz.instruments import Instrument

__all__ = ["InstrumentInfo"]


class InstrumentInfo:
    __slots__ = ("_instrument", "_price_step", "_qty_step", "_tick", "_lot")

    def __init__(self, instrument: Instrument) -> None:
        self._instrument = instrument
        self._tick = Decimal(instrument.tick_size)
        self._lot = Decimal(instrument.lot_size)

    @property
    def symbol(self) -> str:
        return self._instrument.symbol

    @property
    def market(self) -> str:
        return self._instrument.market

    @property
    def tick_size(self) -> Decimal:
        return self._tick

    @property
    def lot_size(self) -> Decimal:
        return self._lot

    @property
    def min_qty_lots(self) -> int:
        return self._instrument.qty_to_lots(self._instrument.min_qty)

    @property
    def step_lots(self) -> int:
        return self._instrument.step_lots

    @property
    def contract_size(self) -> int | None:
        return self._instrument.contract_size

    def ticks(self, price: str | Decimal | float) -> int:
        return _steps(price, self._tick, "price", self.symbol)

    def lots(self, qty: str | Decimal | float) -> int:
        return _steps(qty, self._lot, "quantity", self.symbol)

    def price(self, ticks: int) -> float:
        return float(self._tick * ticks)

    def qty(self, lots: int) -> float:
        return float(self._lot * lots)

    def __repr__(self) -> str:
        return f"InstrumentInfo({self.symbol} {self.market} tick={self._tick} lot={self._lot})"


def _steps(value: str | Decimal | float, step: Decimal, what: str, symbol: str) -> int:
    try:
        # A float goes through its shortest repr, so 0.1 is 0.1 and not 0.1000000000000000055...
        if isinstance(value, numbers.Integral):
            exact = Decimal(int(value))
        elif isinstance(value, numbers.Real) and not isinstance(value, Decimal):
            exact = Decimal(repr(float(value)))  # numpy floats too
        else:
            exact = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{symbol}: {what} {value!r} is not a decimal number") from None
    if not exact.is_finite():
        raise ValueError(f"{symbol}: {what} {value!r} is not finite")
    steps, remainder = divmod(exact, step)
    if remainder != 0:
        raise ValueError(f"{symbol}: {what} {value} is not a multiple of {step}")
    return int(steps)
