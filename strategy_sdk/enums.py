"""The order vocabulary a strategy uses. Values equal the engine's (veloz.order_types), which a test
checks, so the engine passes them through without translation."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["OrderStatus", "OrderType", "PositionSide", "Side", "TimeInForce", "TriggerSource"]


class Side(IntEnum):
    BUY = 0
    SELL = 1

    @property
    def sign(self) -> int:
        """+1 for BUY, -1 for SELL."""
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(IntEnum):
    """Binance names; STOP_LIMIT is Binance futures' STOP, TAKE_PROFIT a take-profit limit."""

    MARKET = 0
    LIMIT = 1
    STOP_MARKET = 2
    STOP_LIMIT = 3
    TAKE_PROFIT = 4
    TAKE_PROFIT_MARKET = 5


class TimeInForce(IntEnum):
    GTC = 0
    IOC = 1
    FOK = 2
    GTX = 3  # post-only: rejected instead of taking liquidity


class PositionSide(IntEnum):
    BOTH = 0  # one-way mode
    LONG = 1  # hedge mode
    SHORT = 2


class TriggerSource(IntEnum):
    LAST_TRADE = 0
    MARK_PRICE = 1


class OrderStatus(IntEnum):
    NEW = 0  # sent, not yet acknowledged by the venue
    ACCEPTED = 1
    PARTIALLY_FILLED = 2
    FILLED = 3
    CANCELED = 4
    REJECTED = 5
    EXPIRED = 6
    PENDING_CANCEL = 7
    PENDING_AMEND = 8

    @property
    def is_open(self) -> bool:
        return self not in (OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED)
