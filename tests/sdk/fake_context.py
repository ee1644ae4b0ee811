"""A minimal Context for unit-testing strategy decisions without the engine.

It records what the strategy asks for and lets the test play the market and the venue: feed
events in time order, then answer orders (accept, fill, reject, confirm cancels) explicitly.
Nothing is matched or simulated; with ``fill_market_orders`` market orders fill at the price of
the next trade or bar fed, which stands in for the venue's latency.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from strategy_sdk import Balance, OrderRejected, OrderStatus, OrderType, PositionSide, Side, Strategy, TimeInForce
from strategy_sdk import Context, OrderView, TriggerSource

NAN = float("nan")


@dataclass(frozen=True)
class FakeInstrument:
    symbol: str
    tick_size: Decimal = Decimal("0.1")
    lot_size: Decimal = Decimal("0.001")
    market: str = "usdm"
    min_qty_lots: int = 1
    step_lots: int = 1

    def ticks(self, price: str | Decimal | float) -> int:
        return self._units(price, self.tick_size)

    def lots(self, qty: str | Decimal | float) -> int:
        return self._units(qty, self.lot_size)

    def price(self, ticks: int) -> float:
        return float(ticks * self.tick_size)

    def qty(self, lots: int) -> float:
        return float(lots * self.lot_size)

    @staticmethod
    def _units(value: str | Decimal | float, size: Decimal) -> int:
        units, remainder = divmod(Decimal(str(value)), size)
        if remainder:
            raise ValueError(f"{value} is not a multiple of {size}")
        return int(units)


@dataclass
class FakeOrder:
    """An order as placed, with the venue's state as the test has set it (an OrderView)."""

    order_id: int
    instrument: str
    side: Side
    order_type: OrderType
    qty_lots: int
    px_ticks: int
    time_in_force: TimeInForce
    reduce_only: bool
    stop_px_ticks: int | None
    tag: str | None
    placed_ns: int
    status: OrderStatus = OrderStatus.NEW
    filled_lots: int = 0

    @property
    def client_order_id(self) -> str:
        return f"fake-{self.order_id}"

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def post_only(self) -> bool:
        return self.time_in_force == TimeInForce.GTX


@dataclass
class FakePosition:
    instrument: str
    qty_lots: int = 0
    entry_px_ticks: int = 0
    realized_pnl: float = 0.0
    unrealized_pnl: float = 0.0


@dataclass(frozen=True)
class FakeBook:
    bid: tuple[int, int] | None = None
    ask: tuple[int, int] | None = None

    def best_bid(self) -> tuple[int, int] | None:
        return self.bid

    def best_ask(self) -> tuple[int, int] | None:
        return self.ask

    def mid(self) -> float | None:
        return None if self.bid is None or self.ask is None else (self.bid[0] + self.ask[0]) / 2

    def spread(self) -> int | None:
        return None if self.bid is None or self.ask is None else self.ask[0] - self.bid[0]

    def levels(self, side: int, n: int) -> list[tuple[int, int]]:
        level = self.bid if side > 0 else self.ask
        return [level] if level is not None and n > 0 else []

    def depth(self, side: int, px_ticks: int) -> int:
        raise NotImplementedError("the double keeps only the touch")

    def slippage(self, side: Side, qty_lots: int) -> tuple[int, float | None]:
        raise NotImplementedError("the double keeps only the touch")


@dataclass(frozen=True)
class TradeEvent:
    instrument: str
    ts_ns: int
    px_ticks: int
    qty_lots: int = 1
    side: int = 1
    trade_id: int = 0
    price: float = NAN
    qty: float = NAN


@dataclass(frozen=True)
class BookTopEvent:
    instrument: str
    ts_ns: int
    bid_px_ticks: int
    bid_qty_lots: int
    ask_px_ticks: int
    ask_qty_lots: int
    bid: float = NAN
    ask: float = NAN
    mid: float = NAN


@dataclass(frozen=True)
class BarEvent:
    instrument: str
    ts_ns: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    close_ticks: int
    volume_lots: int = 1
    trade_count: int = 1
    interval_ns: int = 60 * 10**9
    open: float = NAN
    high: float = NAN
    low: float = NAN
    close: float = NAN
    volume: float = NAN

    @property
    def open_ts_ns(self) -> int:
        return self.ts_ns - self.interval_ns


@dataclass(frozen=True)
class OrderUpdateEvent:
    order_id: int
    client_order_id: str
    instrument: str
    ts_ns: int
    side: int
    order_type: int
    status: int
    px_ticks: int
    qty_lots: int
    filled_lots: int
    reject_code: int
    is_open: bool


@dataclass(frozen=True)
class FillEvent:
    order_id: int
    instrument: str
    ts_ns: int
    side: int
    px_ticks: int
    qty_lots: int
    is_maker: bool
    trade_id: int = 0
    fee_e8: int = 0
    fee_asset: str = "USDT"
    price: float = NAN
    qty: float = NAN


@dataclass(frozen=True)
class TimerFired:
    timer_id: int
    name: str
    ts_ns: int


@dataclass
class Timer:
    timer_id: int
    name: str
    due_ns: int
    every_ns: int | None


@dataclass
class FakeContext:
    strategy: Strategy  # type: ignore[type-arg]
    symbols: Sequence[str] = ("BTCUSDT",)
    fill_market_orders: bool = False
    now: int = 0
    orders: dict[int, FakeOrder] = field(default_factory=dict)
    cancel_requests: list[int] = field(default_factory=list)
    subscriptions: list[tuple[str, ...]] = field(default_factory=list)
    records: list[tuple[int, str, float]] = field(default_factory=list)
    timers: dict[int, Timer] = field(default_factory=dict)
    positions: dict[str, FakePosition] = field(default_factory=dict)
    books: dict[str, FakeBook] = field(default_factory=dict)
    _next_order_id: int = 1
    _next_timer_id: int = 1

    # -- test side: start, feed the market, answer as the venue

    def start(self) -> FakeContext:
        self.strategy.bind(self)
        self.strategy.on_start()
        return self

    def trade(self, px_ticks: int, ts_ns: int | None = None, instrument: str | None = None) -> None:
        self._advance(ts_ns)
        symbol = instrument or self.symbols[0]
        self._fill_market_orders(symbol, px_ticks)
        self.strategy.on_trade(TradeEvent(symbol, self.now, px_ticks))

    def bar(self, open_: int, high: int, low: int, close: int, ts_ns: int | None = None) -> None:
        self._advance(ts_ns)
        symbol = self.symbols[0]
        self._fill_market_orders(symbol, open_)
        self.strategy.on_bar(BarEvent(symbol, self.now, open_, high, low, close))

    def top(self, bid_ticks: int, ask_ticks: int, ts_ns: int | None = None, qty_lots: int = 10) -> None:
        self._advance(ts_ns)
        symbol = self.symbols[0]
        self.books[symbol] = FakeBook((bid_ticks, qty_lots), (ask_ticks, qty_lots))
        self.strategy.on_book(BookTopEvent(symbol, self.now, bid_ticks, qty_lots, ask_ticks, qty_lots))

    def advance_to(self, ts_ns: int) -> None:
        """Moves the clock, firing every timer due by ``ts_ns`` in time order."""
        while True:
            due = [t for t in self.timers.values() if t.due_ns <= ts_ns]
            if not due:
                break
            timer = min(due, key=lambda t: (t.due_ns, t.timer_id))
            self.now = timer.due_ns
            if timer.every_ns is None:
                del self.timers[timer.timer_id]
            else:
                timer.due_ns += timer.every_ns
            self.strategy.on_timer(TimerFired(timer.timer_id, timer.name, self.now))
        self.now = ts_ns

    def accept(self, order_id: int) -> None:
        self._report(self.orders[order_id], OrderStatus.ACCEPTED)

    def reject(self, order_id: int, reject_code: int = -5022) -> None:
        self._report(self.orders[order_id], OrderStatus.REJECTED, reject_code)

    def confirm_cancels(self) -> None:
        """The venue confirms every cancel asked for so far (of orders still open)."""
        requests, self.cancel_requests = self.cancel_requests, []
        for order_id in requests:
            order = self.orders[order_id]
            if order.is_open:
                self._report(order, OrderStatus.CANCELED)

    def fill(self, order_id: int, qty_lots: int | None = None, px_ticks: int | None = None) -> None:
        """The venue fills ``qty_lots`` (default: all that remains) at ``px_ticks`` (default: the
        order's price); on_fill then on_order, as the engine delivers them."""
        order = self.orders[order_id]
        if not order.is_open:
            raise AssertionError(f"order {order_id} is {order.status.name}, it cannot fill")
        qty = order.qty_lots - order.filled_lots if qty_lots is None else qty_lots
        px = order.px_ticks if px_ticks is None else px_ticks
        order.filled_lots += qty
        self.position(order.instrument).qty_lots += qty * order.side.sign
        self.strategy.on_fill(FillEvent(order_id, order.instrument, self.now, order.side, px, qty,
                                        is_maker=order.order_type == OrderType.LIMIT))
        done = order.filled_lots == order.qty_lots
        self._report(order, OrderStatus.FILLED if done else OrderStatus.PARTIALLY_FILLED)

    def placed(self, since: int = 0) -> list[FakeOrder]:
        """Orders placed, in order, skipping the first ``since``."""
        return list(self.orders.values())[since:]

    # -- the Context protocol

    def subscribe_trades(self, instrument: str) -> None:
        self.subscriptions.append(("trades", instrument))

    def subscribe_book(self, instrument: str) -> None:
        self.subscriptions.append(("book", instrument))

    def subscribe_depth(self, instrument: str) -> None:
        self.subscriptions.append(("depth", instrument))

    def subscribe_bars(self, instrument: str, interval: str) -> None:
        self.subscriptions.append(("bars", instrument, interval))

    def subscribe_mark_price(self, instrument: str) -> None:
        self.subscriptions.append(("mark_price", instrument))

    def subscribe_funding(self, instrument: str) -> None:
        self.subscriptions.append(("funding", instrument))

    def place_order(
        self, instrument: str, side: Side, qty_lots: int, px_ticks: int | None = None, *,
        order_type: OrderType | None = None, time_in_force: TimeInForce = TimeInForce.GTC,
        post_only: bool = False, reduce_only: bool = False, stop_px_ticks: int | None = None,
        trigger: TriggerSource = TriggerSource.LAST_TRADE, position_side: PositionSide = PositionSide.BOTH,
        tag: str | None = None,
    ) -> int:
        if instrument not in self.symbols:
            raise OrderRejected(f"unknown instrument {instrument!r}")
        if qty_lots <= 0:
            raise OrderRejected(f"quantity must be positive, got {qty_lots}")
        kind = order_type if order_type is not None else OrderType.LIMIT if px_ticks is not None else OrderType.MARKET
        if kind in (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT) and (px_ticks or 0) <= 0:
            raise OrderRejected(f"a {kind.name} order needs a positive price")
        if kind in (OrderType.STOP_MARKET, OrderType.STOP_LIMIT) and (stop_px_ticks or 0) <= 0:
            raise OrderRejected(f"a {kind.name} order needs a positive stop price")
        order_id, self._next_order_id = self._next_order_id, self._next_order_id + 1
        self.orders[order_id] = FakeOrder(
            order_id, instrument, Side(side), kind, qty_lots, px_ticks or 0,
            TimeInForce.GTX if post_only else time_in_force, reduce_only, stop_px_ticks, tag, self.now,
        )
        return order_id

    def cancel(self, order_id: int) -> None:
        order = self.orders.get(order_id)
        if order is None or not order.is_open:
            raise OrderRejected(f"order {order_id} is not open")
        self.cancel_requests.append(order_id)

    def amend(self, order_id: int, *, px_ticks: int | None = None, qty_lots: int | None = None) -> None:
        raise NotImplementedError("no example amends orders")

    def cancel_all(self, instrument: str | None = None) -> int:
        open_ids = [o.order_id for o in self.orders.values() if o.is_open and instrument in (None, o.instrument)]
        self.cancel_requests += open_ids
        return len(open_ids)

    def instrument(self, symbol: str) -> FakeInstrument:
        return FakeInstrument(symbol)

    @property
    def instruments(self) -> Sequence[str]:
        return self.symbols

    def position(self, instrument: str) -> FakePosition:
        return self.positions.setdefault(instrument, FakePosition(instrument))

    def balances(self) -> Mapping[str, Balance]:
        return {}

    def order(self, order_id: int) -> FakeOrder | None:
        return self.orders.get(order_id)

    def open_orders(self, instrument: str | None = None) -> list[OrderView]:
        # list[OrderView], not list[FakeOrder]: the protocol's list is invariant.
        return [o for o in self.orders.values() if o.is_open and instrument in (None, o.instrument)]

    def book(self, instrument: str) -> FakeBook:
        return self.books.get(instrument, FakeBook())

    def now_ns(self) -> int:
        return self.now

    def set_timer(self, delay_ns: int, name: str = "", *, repeat: bool = False) -> int:
        timer_id, self._next_timer_id = self._next_timer_id, self._next_timer_id + 1
        self.timers[timer_id] = Timer(timer_id, name, self.now + delay_ns, delay_ns if repeat else None)
        return timer_id

    def cancel_timer(self, timer_id: int) -> None:
        self.timers.pop(timer_id, None)

    @property
    def log(self) -> logging.Logger:
        return logging.getLogger("tests.sdk.fake_context")

    def record(self, name: str, value: float) -> None:
        self.records.append((self.now, name, value))

    # -- internals

    def _advance(self, ts_ns: int | None) -> None:
        self.advance_to(self.now + 1 if ts_ns is None else ts_ns)

    def _fill_market_orders(self, instrument: str, px_ticks: int) -> None:
        if not self.fill_market_orders:
            return
        for order in list(self.orders.values()):
            if order.is_open and order.instrument == instrument and order.order_type == OrderType.MARKET:
                self.fill(order.order_id, px_ticks=px_ticks)

    def _report(self, order: FakeOrder, status: OrderStatus, reject_code: int = 0) -> None:
        order.status = status
        self.strategy.on_order(OrderUpdateEvent(
            order.order_id, order.client_order_id, order.instrument, self.now, order.side, order.order_type,
            status, order.px_ticks, order.qty_lots, order.filled_lots, reject_code, order.is_open,
        ))


def _as_context(ctx: FakeContext) -> Context:
    """mypy checks here that the double really implements the Context protocol."""
    return ctx
