"""Order enums, with the same values as csrc/veloz/order_types.hpp and exec_report.hpp."""

from __future__ import annotations

from enum import IntEnum


class OrderSide(IntEnum):
    BUY = 0
    SELL = 1


class OrderType(IntEnum):
    MARKET = 0
    LIMIT = 1
    STOP_MARKET = 2
    STOP_LIMIT = 3  # Binance "STOP"
    TAKE_PROFIT = 4  # limit
    TAKE_PROFIT_MARKET = 5


class TimeInForce(IntEnum):
    GTC = 0
    IOC = 1
    FOK = 2
    GTX = 3  # post-only


class PositionSide(IntEnum):
    BOTH = 0
    LONG = 1
    SHORT = 2


class TriggerSource(IntEnum):
    LAST_TRADE = 0
    MARK_PRICE = 1


class OrderStatus(IntEnum):
    NEW = 0
    ACCEPTED = 1
    PARTIALLY_FILLED = 2
    FILLED = 3
    CANCELED = 4
    REJECTED = 5
    EXPIRED = 6
    PENDING_CANCEL = 7
    PENDING_AMEND = 8


class FeeAsset(IntEnum):
    BASE = 0
    QUOTE = 1
    MARGIN = 2


class ReportKind(IntEnum):
    ACCEPTED = 0
    REJECTED = 1
    FILL = 2
    CANCELED = 3
    EXPIRED = 4
    AMENDED = 5
    CANCEL_REJECTED = 6
    AMEND_REJECTED = 7
    TRIGGERED = 8


class RejectReason(IntEnum):
    NONE = 0
    POST_ONLY_WOULD_TAKE = 1
    REDUCE_ONLY_REJECTED = 2
    STOP_WOULD_TRIGGER = 3
    UNKNOWN_ORDER = 4
    NO_LIQUIDITY = 5
    FOK_NOT_FILLABLE = 6
    IOC_REMAINDER = 7
    REDUCE_ONLY_CLOSED = 8
