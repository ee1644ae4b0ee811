"""Exceptions raised by VeloZ. Each names what was wrong and where."""

from __future__ import annotations


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


class OrderRejectedError(VelozError, ValueError):
    """An order command was refused before it was sent (bad quantity, price, parameters, or an
    unknown order id). Nothing was sent and nothing changed."""


class AccountError(VelozError, ValueError):
    """An accounting operation was refused: unknown instrument, asset or order, a non-positive
    quantity or price, a placement the free balance cannot cover, a fill that does not fit its
    order, ... The message names what was wrong. The account is unchanged."""


class CaptureFormatError(VelozError, ValueError):
    """A capture file is not in a format we read, is not a readable regular file, or a line is not
    framed as its format says. Names the file, and the line when there is one."""
