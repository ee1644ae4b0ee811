"""Order management: every order of a run and the state machine that moves it.

States NEW -> ACCEPTED -> PARTIALLY_FILLED -> FILLED | CANCELED | REJECTED | EXPIRED, plus
PENDING_CANCEL and PENDING_AMEND. Venue reports may come late, twice or out of order; each ends
in the right state and every fill applies exactly once (docs/oms.md has the full table).

    oms = OrderManager(client_id_prefix="run42-")
    oid = oms.submit(0, OrderSide.BUY, OrderType.LIMIT, qty=10, price=618_000, ts_ns=now)
    oms.mark_sent(oid, now)
    oms.fill(oid, trade_id=77, price=618_000, qty=4, ts_ns=later)     # before the ack: implies it
    oms.ack(oid, later)                                               # -> ReportOutcome.LATE
    view = oms.order(oid)            # live view: view.status, view.filled_qty, view.avg_fill_price
    table = oms.orders_array()       # all orders as a numpy structured array (ORDER_DTYPE)

Every event returns a ReportOutcome (APPLIED, DUPLICATE or LATE). A refused event raises an
OrderError subclass naming the order, its state and the event, and changes nothing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from veloz._native.oms import ORDER_DTYPE, OrderManager, OrderView
from veloz.errors import (
    ClientOrderIdInUseError,
    InvalidOrderError,
    OrderError,
    OrderStateError,
    OverfillError,
    UnknownOrderError,
)
from veloz.order_types import (
    OrderEvent,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    ReportOutcome,
    TimeInForce,
    TriggerSource,
)

__all__ = [
    "ORDER_DTYPE",
    "ClientOrderIdInUseError",
    "InvalidOrderError",
    "OrderError",
    "OrderEvent",
    "OrderManager",
    "OrderSide",
    "OrderStateError",
    "OrderStatus",
    "OrderType",
    "OrderView",
    "OverfillError",
    "PositionSide",
    "ReportOutcome",
    "TimeInForce",
    "TriggerSource",
    "UnknownOrderError",
    "avg_fill_prices",
]


def avg_fill_prices(orders: npt.NDArray[np.void]) -> npt.NDArray[np.float64]:
    """Average fill price in ticks of each row of ``orders_array()``; NaN where nothing filled.

    The exact notional is ``fill_notional_hi * 2**64 + fill_notional_lo``; this float version is
    exact to about 15 significant digits.
    """
    notional = orders["fill_notional_hi"].astype(np.float64) * 2.0**64 + orders["fill_notional_lo"].astype(np.float64)
    filled = orders["filled_qty"]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(filled > 0, notional / filled, np.nan)
