"""Exceptions raised by VeloZ. Each names what was wrong and where."""

from __future__ import annotations

from strategy_sdk.errors import OrderRejected as _SdkOrderRejected
from veloz.order_types import OrderEvent, OrderStatus


class VelozError(Exception):
    """Base class for VeloZ errors."""


class DecimalFormatError(VelozError, ValueError):
    """A decimal string is not a plain number, is too large, or is off the instrument's grid."""


class MessageError(VelozError, ValueError):
    """A market-data frame was rejected: malformed JSON, a missing or mistyped field, another
    symbol, a negative quantity or an off-grid price. Nothing was applied.

    Attributes: ``field`` (e.g. ``"b[3][0]"``; empty for JSON syntax errors), ``reason``,
    ``excerpt`` (the start of the frame).
    """

    def __init__(self, field: str, reason: str, excerpt: str) -> None:
        self.field = field
        self.reason = reason
        self.excerpt = excerpt
        where = f"field '{field}': " if field else ""
        super().__init__(f"rejected message: {where}{reason}; message: {excerpt}")


class InstrumentError(VelozError, ValueError):
    """An instrument definition (exchangeInfo) is missing or invalid."""


class OrderRejectedError(VelozError, _SdkOrderRejected, ValueError):
    """An order command was refused before it was sent (bad quantity, price, parameters, or an
    unknown order id). Nothing was sent and nothing changed."""


class AccountError(VelozError, ValueError):
    """An accounting operation was refused: unknown instrument, asset or order, a non-positive
    quantity or price, a placement the free balance cannot cover, a fill that does not fit its
    order, ... The message names what was wrong. The account is unchanged."""


class CaptureFormatError(VelozError, ValueError):
    """A capture file is not in a format we read, is not a readable regular file, or a line is not
    framed as its format says. Names the file, and the line when there is one."""


class OrderError(VelozError, ValueError):
    """The order state machine refused an event; nothing changed.

    Attributes: ``code`` (e.g. ``"illegal_transition"``), ``event`` (an OrderEvent), and for an
    existing order ``order_id``, ``client_order_id`` and ``status`` (an OrderStatus) at the time,
    else None. The message names all of them.
    """

    def __init__(self, message: str, code: str, event: int, order_id: int | None = None,
                 client_order_id: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.event = OrderEvent(event)
        self.order_id = order_id
        self.client_order_id = client_order_id
        self.status = None if status is None else OrderStatus(status)

    def __reduce__(self) -> tuple[type[OrderError], tuple[object, ...]]:
        return (type(self), (self.args[0], self.code, int(self.event), self.order_id, self.client_order_id,
                             None if self.status is None else int(self.status)))


class OrderStateError(OrderError):
    """The event is not allowed in the order's state (e.g. cancel of a FILLED order, a second cancel
    while one is pending, a fill of a REJECTED order)."""


class OverfillError(OrderError):
    """Fills would exceed the order's quantity; the fill (or amend) was not applied."""


class InvalidOrderError(OrderError):
    """Bad input: a quantity or price that is not positive, an enum out of range, an invalid client
    order id, an amend of a non-LIMIT order."""


class ClientOrderIdInUseError(InvalidOrderError):
    """The client order id was already used in this run, by a live or a finished order."""


class UnknownOrderError(OrderError, LookupError):
    """No order has this id."""


class BacktestError(VelozError):
    """A backtest could not run as configured: unknown strategy, bad parameters, no data in the
    range, an unreadable data file. The message says which."""


class StrategyFailed(VelozError):
    """The strategy's own code raised; the run stopped there. ``strategy_traceback`` is the
    strategy's traceback; the outputs written are complete up to that point."""

    def __init__(self, message: str, strategy_traceback: str) -> None:
        super().__init__(message)
        self.strategy_traceback = strategy_traceback


class ImportFormatError(VelozError, ValueError):
    """An importer refused a file: unreadable or damaged, a checksum mismatch, a layout or data type
    it does not read, a malformed row, or a value that does not fit the instrument (off-grid price,
    a rate finer than 1e-8, ...). Names the file, and the line when there is one. Nothing is
    returned for a refused file."""


class CatalogError(VelozError, ValueError):
    """The data catalog refused an operation or found a damaged file: a table that does not match
    its data type's schema, an instrument that differs from the one stored for the symbol, a
    truncated or foreign Parquet file. Names the column or the file."""
