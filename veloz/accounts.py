"""Balances and positions: spot balances with order locks, and USD-M / COIN-M perpetual futures
positions with margin, PnL, funding and liquidation prices (docs/accounting.md).

Money is ``int`` in units of 1e-8 of an asset (:func:`to_e8` / :func:`from_e8` convert exactly),
prices are ticks and quantities lots (COIN-M: contracts) of an
:class:`~veloz.instruments.Instrument`. One call reads one balance or position (a NamedTuple) or
all of them (a numpy structured array).

    spot = SpotAccount()
    add_spot_instrument(spot, 0, btcusdt_spot)
    spot.deposit("USDT", to_e8("1000"))
    spot.place_order(order_id=1, instrument=0, side=OrderSide.BUY, limit_price=6_000_000, qty=1_000_000)
    spot.apply_fill(1, trade_id=7, instrument=0, side=OrderSide.BUY, price=5_999_000, qty=1_000_000, fee=1_000)

    usdm = FuturesAccount("usdm")
    add_futures_instrument(usdm, 0, btcusdt_perp, leverage=10)
    usdm.deposit(to_e8("10000"))
    usdm.apply_fill(1, 1, 0, OrderSide.BUY, price=600_000, qty=1_000, fee=2_400_000)
    usdm.position(0)                    # Position(qty=1000, entry_price=600000, unrealized_pnl=...)
    usdm.apply_funding(0, mark_price=600_000, rate=rate_to_e8("0.0001"), funding_time_ns=...)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import IntEnum

from veloz._native.accounts import BALANCE_DTYPE, MAX_LEVERAGE, POSITION_DTYPE, FuturesAccount, SpotAccount
from veloz._types import FuturesSummary, Position, SpotBalance, SpotOrderLock
from veloz.errors import AccountError
from veloz.instruments import Instrument
from veloz.order_types import FeeAsset, OrderSide, PositionSide  # re-exported: the shared vocabulary

__all__ = [
    "BALANCE_DTYPE",
    "MAX_LEVERAGE",
    "POSITION_DTYPE",
    "AccountError",
    "FeeAsset",
    "FuturesAccount",
    "FuturesSummary",
    "MarginType",
    "OrderSide",
    "Position",
    "PositionSide",
    "SpotAccount",
    "SpotBalance",
    "SpotOrderLock",
    "add_futures_instrument",
    "add_spot_instrument",
    "from_e8",
    "rate_to_e8",
    "to_e8",
]

E8 = Decimal(100_000_000)


class MarginType(IntEnum):
    CROSS = 0
    ISOLATED = 1


def to_e8(amount: str | int | Decimal) -> int:
    """An exact amount of an asset in 1e-8 units: ``to_e8("0.00012345") == 12345``. Finer than 1e-8
    is an error, never a silent rounding."""
    try:
        value = Decimal(amount) * E8
    except InvalidOperation as exc:
        raise AccountError(f"{amount!r} is not a decimal amount") from exc
    if not value.is_finite() or value != value.to_integral_value():
        raise AccountError(f"{amount!r} is finer than 1e-8 of an asset")
    return int(value)


def from_e8(units: int) -> Decimal:
    """1e-8 units back to an exact Decimal amount."""
    return Decimal(units) / E8


def rate_to_e8(rate: str | Decimal) -> int:
    """A rate (funding, maintenance) x 1e8, exactly: ``rate_to_e8("-0.00003449") == -3449``."""
    return to_e8(rate)


def add_spot_instrument(account: SpotAccount, instrument_id: int, instrument: Instrument) -> None:
    """Registers a spot :class:`Instrument` under the engine's index ``instrument_id``."""
    if instrument.market != "spot":
        raise AccountError(f"{instrument.symbol} is a {instrument.market} instrument, not spot")
    account.add_instrument(instrument_id, instrument.tick_size, instrument.lot_size, instrument.base_asset,
                           instrument.quote_asset)


def add_futures_instrument(
    account: FuturesAccount,
    instrument_id: int,
    instrument: Instrument,
    *,
    leverage: int = 20,
    isolated: bool = False,
    maintenance_rate: int = 400_000,
    maintenance_amount: int = 0,
) -> None:
    """Registers a USD-M or COIN-M :class:`Instrument` under the engine's index ``instrument_id``,
    with its risk settings (``maintenance_rate`` x 1e8; ``maintenance_amount`` in 1e-8 units)."""
    if instrument.market != account.market:
        raise AccountError(f"{instrument.symbol} is a {instrument.market} instrument; the account is {account.market}")
    account.add_instrument(instrument_id, instrument.tick_size, instrument.lot_size, instrument.contract_size or 0,
                           leverage=leverage, isolated=isolated, maintenance_rate=maintenance_rate,
                           maintenance_amount=maintenance_amount)
