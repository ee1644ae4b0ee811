"""The Context: everything a strategy can ask of the engine. Backtest, paper and live trading each
implement it; a strategy written against it runs unchanged in all three.

Prices are ticks and quantities lots (exact integers); ``InstrumentInfo`` converts from and to
decimals. Order calls return at once: the venue's answer arrives later as ``on_order`` /
``on_fill``, after the simulated (or real) latency. A request the engine can refuse before sending
(bad quantity, price off the grid, unknown order) raises ``strategy_sdk.OrderRejected``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from strategy_sdk.enums import OrderType, PositionSide, Side, TimeInForce, TriggerSource

__all__ = ["Balance", "BookView", "Context", "InstrumentInfo", "OrderView", "Position"]


class InstrumentInfo(Protocol):
    @property
    def symbol(self) -> str: ...
    @property
    def market(self) -> str:
        """"spot", "usdm" or "coinm"."""
        ...
    @property
    def tick_size(self) -> Decimal: ...
    @property
    def lot_size(self) -> Decimal: ...
    @property
    def min_qty_lots(self) -> int: ...
    @property
    def step_lots(self) -> int:
        """Order quantities are multiples of this many lots."""
        ...
    def ticks(self, price: str | Decimal | float) -> int:
        """The exact number of ticks of a price; off the grid is a ValueError."""
        ...
    def lots(self, qty: str | Decimal | float) -> int:
        """The exact number of lots of a quantity; off the grid is a ValueError."""
        ...
    def price(self, ticks: int) -> float: ...
    def qty(self, lots: int) -> float: ...


class BookView(Protocol):
    """The venue's current order book for one instrument (read-only, always the present state)."""

    def best_bid(self) -> tuple[int, int] | None:
        """(price ticks, quantity lots), None when the side is empty."""
        ...
    def best_ask(self) -> tuple[int, int] | None: ...
    def mid(self) -> float | None:
        """Mid price in ticks (may be a half tick)."""
        ...
    def spread(self) -> int | None:
        """Ask minus bid in ticks."""
        ...
    def levels(self, side: int, n: int) -> list[tuple[int, int]]:
        """The best ``n`` levels of a side (+1 bids, -1 asks), best first."""
        ...
    def depth(self, side: int, px_ticks: int) -> int:
        """Lots on ``side`` (+1 bids, -1 asks) at prices at least as good as ``px_ticks``."""
        ...
    def slippage(self, side: Side, qty_lots: int) -> tuple[int, float | None]:
        """Walks the book as a market order of ``side`` would: (lots available, average price in
        ticks, None when nothing is available). Slippage against the touch is that average minus
        the best opposite price."""
        ...


class Position(Protocol):
    @property
    def instrument(self) -> str: ...
    @property
    def qty_lots(self) -> int:
        """Signed: + long, - short (spot: base holdings in lots)."""
        ...
    @property
    def entry_px_ticks(self) -> int:
        """Average entry price in ticks, rounded; 0 when flat."""
        ...
    @property
    def realized_pnl(self) -> float: ...
    @property
    def unrealized_pnl(self) -> float: ...


class Balance(Protocol):
    @property
    def asset(self) -> str: ...
    @property
    def free(self) -> float: ...
    @property
    def locked(self) -> float: ...
    @property
    def total_e8(self) -> int: ...


class OrderView(Protocol):
    @property
    def order_id(self) -> int: ...
    @property
    def client_order_id(self) -> str: ...
    @property
    def instrument(self) -> str: ...
    @property
    def side(self) -> int: ...
    @property
    def order_type(self) -> int: ...
    @property
    def status(self) -> int: ...
    @property
    def px_ticks(self) -> int: ...
    @property
    def qty_lots(self) -> int: ...
    @property
    def filled_lots(self) -> int: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def tag(self) -> str | None: ...


class Context(Protocol):
    # -- data: a callback runs only for streams subscribed to (others still move the book and
    #    the venue, without entering Python)
    def subscribe_trades(self, instrument: str) -> None: ...
    def subscribe_book(self, instrument: str) -> None:
        """on_book whenever the best bid or ask (price or quantity) changes."""
        ...
    def subscribe_depth(self, instrument: str) -> None:
        """on_depth for every applied level update."""
        ...
    def subscribe_bars(self, instrument: str, interval: str) -> None:
        """on_bar for time bars built from trades: "1s", "5s", "1m", "15m", "1h", ..."""
        ...
    def subscribe_mark_price(self, instrument: str) -> None: ...
    def subscribe_funding(self, instrument: str) -> None: ...

    # -- orders
    def place_order(
        self,
        instrument: str,
        side: Side,
        qty_lots: int,
        px_ticks: int | None = None,
        *,
        order_type: OrderType | None = None,
        time_in_force: TimeInForce = TimeInForce.GTC,
        post_only: bool = False,
        reduce_only: bool = False,
        stop_px_ticks: int | None = None,
        trigger: TriggerSource = TriggerSource.LAST_TRADE,
        position_side: PositionSide = PositionSide.BOTH,
        tag: str | None = None,
    ) -> int:
        """Sends an order; returns its order id. Without ``order_type`` it is LIMIT when a price is
        given, else MARKET. ``post_only`` is time-in-force GTX. ``tag`` is kept with the order
        in the outputs, as are the values ``record`` set since the previous order."""
        ...
    def cancel(self, order_id: int) -> None: ...
    def amend(self, order_id: int, *, px_ticks: int | None = None, qty_lots: int | None = None) -> None: ...
    def cancel_all(self, instrument: str | None = None) -> int:
        """Cancels every open order (of one instrument, or all); returns how many were sent."""
        ...

    # -- state
    def instrument(self, symbol: str) -> InstrumentInfo: ...
    @property
    def instruments(self) -> Sequence[str]: ...
    def position(self, instrument: str) -> Position: ...
    def balances(self) -> Mapping[str, Balance]: ...
    def order(self, order_id: int) -> OrderView | None: ...
    def open_orders(self, instrument: str | None = None) -> Sequence[OrderView]: ...
    def book(self, instrument: str) -> BookView: ...

    # -- time
    def now_ns(self) -> int:
        """The engine's clock: the time of the event being handled."""
        ...
    def set_timer(self, delay_ns: int, name: str = "", *, repeat: bool = False) -> int:
        """on_timer after ``delay_ns`` (and every ``delay_ns`` after that with ``repeat``)."""
        ...
    def cancel_timer(self, timer_id: int) -> None: ...

    # -- output
    @property
    def log(self) -> logging.Logger:
        """A logger whose records carry the engine's clock."""
        ...
    def record(self, name: str, value: float) -> None:
        """Attaches a named value to the time series and to the next order placed."""
        ...
