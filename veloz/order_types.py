"""Order vocabulary shared by the order state machine, matching and accounting.

Python mirrors of the enums in csrc/veloz/order_types.hpp (the compiled modules check at import
that every value agrees), plus the order state machine's events and report outcomes.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = [
    "FeeAsset",
    "OrderEvent",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "PositionSide",
    "RejectReason",
    "ReportKind",
    "ReportOutcome",
    "TimeInForce",
    "TriggerSource",
]


class OrderSide(IntEnum):
    BUY = 0
    SELL = 1


class OrderType(IntEnum):
    """Binance names; STOP_LIMIT is Binance futures' STOP, TAKE_PROFIT is a take-profit limit."""

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
    GTX = 3  # post-only


class PositionSide(IntEnum):
    BOTH = 0  # one-way mode
    LONG = 1  # hedge mode
    SHORT = 2


class TriggerSource(IntEnum):
    """What a stop or take-profit triggers on (Binance workingType CONTRACT_PRICE / MARK_PRICE)."""

    LAST_TRADE = 0
    MARK_PRICE = 1


class OrderStatus(IntEnum):
    NEW = 0  # created locally, not yet acknowledged by the venue
    ACCEPTED = 1
    PARTIALLY_FILLED = 2
    FILLED = 3
    CANCELED = 4
    REJECTED = 5
    EXPIRED = 6
    PENDING_CANCEL = 7
    PENDING_AMEND = 8

    @property
    def is_terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset({OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED})


class FeeAsset(IntEnum):
    """The asset a commission is charged in."""

    BASE = 0
    QUOTE = 1
    MARGIN = 2


class OrderEvent(IntEnum):
    """What happened to an order: our requests and the venue's reports (docs/oms.md)."""

    SUBMIT = 0
    MARK_SENT = 1
    ACK = 2
    REJECT = 3
    FILL = 4
    CANCEL_REQUEST = 5
    CANCEL_ACK = 6
    CANCEL_REJECT = 7
    AMEND_REQUEST = 8
    AMEND_ACK = 9
    AMEND_REJECT = 10
    EXPIRE = 11


class ReportOutcome(IntEnum):
    """What an accepted event did. Refused events raise instead (veloz.errors.OrderError)."""

    APPLIED = 0
    DUPLICATE = 1  # a report already applied (the same trade id, a second ack...): ignored, counted
    LATE = 2  # a report the order has moved past (a cancel-ack after FILLED...): ignored, counted


class ReportKind(IntEnum):
    """What a simulated-venue ExecReport says happened (csrc/veloz/exec_report.hpp)."""

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
    """Why the simulated venue rejected or expired an order (docs/matching.md)."""

    NONE = 0
    POST_ONLY_WOULD_TAKE = 1
    REDUCE_ONLY_REJECTED = 2
    STOP_WOULD_TRIGGER = 3
    UNKNOWN_ORDER = 4
    NO_LIQUIDITY = 5
    FOK_NOT_FILLABLE = 6
    IOC_REMAINDER = 7
    REDUCE_ONLY_CLOSED = 8
