"""The Strategy base class. Subclass it, declare parameters as a msgspec Struct in ``Params``, and
override the callbacks you need; the engine calls only those you subscribed to (and ``on_order``,
``on_fill``, ``on_timer`` only when overridden), so an unused callback costs nothing.

    class Params(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
        fast: int = 50

    class MyStrategy(Strategy[Params]):
        Params = Params

        def on_start(self) -> None:
            self.ctx.subscribe_trades(self.instrument)

Callbacks see only the past: events arrive in time order and the Context answers with the state
as of the current event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

import msgspec

from strategy_sdk.events import Bar, BookTop, DepthUpdate, Fill, Funding, MarkPrice, OrderUpdate, TimerEvent, Trade

if TYPE_CHECKING:
    from strategy_sdk.context import Context

__all__ = ["CALLBACKS", "NoParams", "Strategy"]


class NoParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """For strategies without parameters."""


P = TypeVar("P", bound=msgspec.Struct)

CALLBACKS = ("on_start", "on_stop", "on_trade", "on_book", "on_depth", "on_bar", "on_mark_price", "on_funding",
             "on_order", "on_fill", "on_timer")


class Strategy(Generic[P]):
    Params: ClassVar[type[msgspec.Struct]] = NoParams

    def __init__(self, params: P | None = None) -> None:
        self.params: P = params if params is not None else self.Params()  # type: ignore[assignment]
        self._ctx: Context | None = None

    @property
    def ctx(self) -> Context:
        if self._ctx is None:
            raise RuntimeError("the strategy is not attached to an engine yet (ctx is set before on_start)")
        return self._ctx

    def bind(self, ctx: Context) -> None:
        """Called by the engine before on_start."""
        self._ctx = ctx

    @classmethod
    def overrides(cls, callback: str) -> bool:
        """True when this class (or a base other than Strategy) defines ``callback``."""
        return getattr(cls, callback) is not getattr(Strategy, callback)

    def on_start(self) -> None: ...
    def on_stop(self) -> None: ...
    def on_trade(self, trade: Trade) -> None: ...
    def on_book(self, top: BookTop) -> None: ...
    def on_depth(self, update: DepthUpdate) -> None: ...
    def on_bar(self, bar: Bar) -> None: ...
    def on_mark_price(self, mark: MarkPrice) -> None: ...
    def on_funding(self, funding: Funding) -> None: ...
    def on_order(self, order: OrderUpdate) -> None: ...
    def on_fill(self, fill: Fill) -> None: ...
    def on_timer(self, timer: TimerEvent) -> None: ...
