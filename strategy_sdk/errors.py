"""Errors a strategy can catch without importing the engine (the engine raises subclasses)."""

from __future__ import annotations

__all__ = ["OrderRejected", "ParameterError", "StrategyError"]


class StrategyError(Exception):
    """Base of every error the SDK defines."""


class ParameterError(StrategyError, ValueError):
    """A strategy parameter is missing, unknown or invalid; ``field`` names it ("" when the
    problem is not one field's)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"parameter {field!r}: {message}" if field else message)
        self.field = field


class OrderRejected(StrategyError):
    """The engine refused an order request before it reached the venue (bad quantity, price off
    the grid, unknown order id, ...). The message says why; nothing was sent."""
