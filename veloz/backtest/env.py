"""BacktestEnv: the strategy_sdk Context over the C++ replay driver.

Every order call goes straight to the driver at the driver's clock (the time of the event being
handled); answers come back later as on_order / on_fill, after the configured latency.
"""

from __future__ import annotations

import logging
import math
import operator
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from strategy_sdk import OrderRejected, OrderType, PositionSide, Side, Strategy, TimeInForce, TriggerSource
from veloz._native import replay as native
from veloz.backtest.book_view import ReplayBookView
from veloz.backtest.instrument_info import InstrumentInfo
from veloz.instruments import Instrument

__all__ = ["BacktestEnv", "BalanceView", "OrderInfo", "PositionView", "parse_interval"]

_INTERVAL_UNITS = {"ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000,
                   "d": 86_400_000_000_000}
_REJECTED = 5


def parse_interval(interval: str | int) -> int:
    """"250ms", "1s", "5m", "1h", "1d" -> nanoseconds (an int is taken as nanoseconds)."""
    if isinstance(interval, int):
        ns = interval
    else:
        text = interval.strip()
        unit = "ms" if text.endswith("ms") else text[-1:]
        number = text[: -len(unit)] if unit in _INTERVAL_UNITS else ""
        if not number.isdigit():
            raise ValueError(f"interval {interval!r}: expected a whole number and a unit (ms, s, m, h, d), e.g. '1m'")
        ns = int(number) * _INTERVAL_UNITS[unit]
    if ns <= 0:
        raise ValueError(f"interval {interval!r} must be positive")
    return ns


@dataclass(frozen=True, slots=True)
class PositionView:
    instrument: str
    qty_lots: int
    entry_px_ticks: int
    realized_pnl: float
    unrealized_pnl: float


@dataclass(frozen=True, slots=True)
class BalanceView:
    asset: str
    free: float
    locked: float
    total_e8: int


@dataclass(frozen=True, slots=True)
class OrderInfo:
    order_id: int
    client_order_id: str
    instrument: str
    side: int
    order_type: int
    status: int
    px_ticks: int
    stop_px_ticks: int
    qty_lots: int
    filled_lots: int
    avg_px_ticks: float | None
    created_ns: int
    last_update_ns: int
    reject_code: int
    tag: str | None

    @property
    def is_open(self) -> bool:
        return self.status not in (3, 4, 5, 6)


class _ClockAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """Prefixes each record with the engine's clock (ns), so logs line up with the data."""

    def process(self, msg: Any, kwargs: Any) -> tuple[Any, Any]:
        env = cast("BacktestEnv", self.extra["env"])  # type: ignore[index]
        ns = env.now_ns()
        when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 1_000_000_000))
        return f"[{when}.{ns % 1_000_000_000 // 1_000_000:03d}Z] {msg}", kwargs


class BacktestEnv:
    """Implements strategy_sdk.Context for one replay."""

    def __init__(self, driver: native.ReplayDriver, instruments: Sequence[Instrument],
                 logger: logging.Logger | None = None) -> None:
        self._driver = driver
        self._instruments = list(instruments)
        self._index = {inst.symbol: i for i, inst in enumerate(self._instruments)}
        self._infos = {inst.symbol: InstrumentInfo(inst) for inst in self._instruments}
        self._books = {inst.symbol: ReplayBookView(driver, i) for i, inst in enumerate(self._instruments)}
        self._tags: dict[int, str] = {}
        self._pending_factors: dict[str, float] = {}
        self.order_factors: dict[int, dict[str, float]] = {}
        self.records: list[tuple[int, str, float]] = []
        self._log = _ClockAdapter(logger or logging.getLogger("veloz.strategy"), {"env": self})

    # ---- wiring --------------------------------------------------------------------------------

    def attach(self, strategy: Strategy[Any]) -> None:
        """Binds the strategy and hands its callbacks to the driver (the ones it does not define
        are not called at all, so they cost nothing)."""
        strategy.bind(self)
        cls = type(strategy)

        def defined(name: str) -> Any:
            return getattr(strategy, name) if cls.overrides(name) else None

        self._driver.set_callbacks(
            on_trade=strategy.on_trade, on_book=strategy.on_book, on_depth=strategy.on_depth,
            on_bar=strategy.on_bar, on_mark_price=strategy.on_mark_price, on_funding=strategy.on_funding,
            on_order=defined("on_order"), on_fill=defined("on_fill"), on_timer=defined("on_timer"))

    def _instrument_index(self, instrument: str) -> int:
        try:
            return self._index[instrument]
        except KeyError:
            raise ValueError(f"unknown instrument {instrument!r}; this run has {sorted(self._index)}") from None

    # ---- subscriptions -------------------------------------------------------------------------

    def subscribe_trades(self, instrument: str) -> None:
        self._driver.subscribe(self._instrument_index(instrument), native.SUB_TRADES)

    def subscribe_book(self, instrument: str) -> None:
        self._driver.subscribe(self._instrument_index(instrument), native.SUB_BOOK)

    def subscribe_depth(self, instrument: str) -> None:
        self._driver.subscribe(self._instrument_index(instrument), native.SUB_DEPTH)

    def subscribe_bars(self, instrument: str, interval: str) -> None:
        self._driver.set_bar_interval(self._instrument_index(instrument), parse_interval(interval))

    def subscribe_mark_price(self, instrument: str) -> None:
        self._driver.subscribe(self._instrument_index(instrument), native.SUB_MARK_PRICE)

    def subscribe_funding(self, instrument: str) -> None:
        self._driver.subscribe(self._instrument_index(instrument), native.SUB_FUNDING)

    # ---- orders --------------------------------------------------------------------------------

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
        index = self._instrument_index(instrument)
        qty = _whole(qty_lots, "qty_lots")
        price = 0 if px_ticks is None else _whole(px_ticks, "px_ticks")
        stop = 0 if stop_px_ticks is None else _whole(stop_px_ticks, "stop_px_ticks")
        if order_type is None:
            if stop_px_ticks is not None:
                order_type = OrderType.STOP_LIMIT if px_ticks is not None else OrderType.STOP_MARKET
            else:
                order_type = OrderType.LIMIT if px_ticks is not None else OrderType.MARKET
        tif = TimeInForce.GTX if post_only else time_in_force
        order_id: int = self._driver.submit(index, int(side), int(order_type), qty, price, stop_price=stop, tif=int(tif),
                                            reduce_only=reduce_only, position_side=int(position_side),
                                            trigger=int(trigger))
        if tag is not None:
            self._tags[order_id] = tag
        if self._pending_factors:
            self.order_factors[order_id] = self._pending_factors
            self._pending_factors = {}
        state = self._driver.order(order_id)
        if state is not None and state[3] == _REJECTED:
            why = "the balance or margin does not cover it" if state[11] == -2019 else \
                "the venue would refuse it (e.g. a position side that does not fit the position mode)"
            raise OrderRejected(f"order {order_id} rejected before it was sent (code {state[11]}): {why}")
        return order_id

    def cancel(self, order_id: int) -> None:
        number = _whole(order_id, "order_id")
        if number <= 0:
            raise OrderRejected(f"unknown order id {order_id}")
        self._driver.cancel(number)

    def amend(self, order_id: int, *, px_ticks: int | None = None, qty_lots: int | None = None) -> None:
        number = _whole(order_id, "order_id")
        state = self._driver.order(number) if number > 0 else None
        if state is None:
            raise OrderRejected(f"unknown order id {order_id}")
        price = state[4] if px_ticks is None else _whole(px_ticks, "px_ticks")
        qty = state[5] if qty_lots is None else _whole(qty_lots, "qty_lots")
        self._driver.amend(number, price, qty)

    def cancel_all(self, instrument: str | None = None) -> int:
        index = None if instrument is None else self._instrument_index(instrument)
        sent = 0
        for order_id in self._driver.open_order_ids():
            state = self._driver.order(order_id)
            # already asked to cancel: status PENDING_CANCEL (7)
            if state is None or state[3] == 7 or (index is not None and state[0] != index):
                continue
            self._driver.cancel(order_id)
            sent += 1
        return sent

    # ---- state ---------------------------------------------------------------------------------

    def instrument(self, symbol: str) -> InstrumentInfo:
        try:
            return self._infos[symbol]
        except KeyError:
            raise ValueError(f"unknown instrument {symbol!r}; this run has {sorted(self._infos)}") from None

    @property
    def instruments(self) -> Sequence[str]:
        return tuple(self._index)

    def position(self, instrument: str) -> PositionView:
        qty, entry, unrealized_e8, realized_e8 = self._driver.position(self._instrument_index(instrument))
        return PositionView(instrument, qty, entry, realized_e8 / 1e8, unrealized_e8 / 1e8)

    def balances(self) -> Mapping[str, BalanceView]:
        summary = self._driver.futures_summary()
        if summary is not None:
            asset = self._instruments[0].margin_asset
            wallet = summary["wallet_balance_e8"]
            available = summary["available_balance_e8"]
            # locked: what positions hold as initial margin (available can exceed the wallet when
            # the positions are in profit)
            locked = max(0, wallet + summary["unrealized_pnl_e8"] - available)
            return {asset: BalanceView(asset, available / 1e8, locked / 1e8, wallet)}
        out = {}
        assets = {self._instruments[0].quote_asset} | {inst.base_asset for inst in self._instruments}
        for asset in sorted(assets):
            balance = self._driver.spot_balance(asset)
            if balance is not None:
                free, locked = balance
                out[asset] = BalanceView(asset, free / 1e8, locked / 1e8, free + locked)
        return out

    def order(self, order_id: int) -> OrderInfo | None:
        number = _whole(order_id, "order_id")
        if number <= 0:
            return None
        state = self._driver.order(number)
        return None if state is None else self._order_info(order_id, state)

    def open_orders(self, instrument: str | None = None) -> list[OrderInfo]:
        index = None if instrument is None else self._instrument_index(instrument)
        out = []
        for order_id in self._driver.open_order_ids():
            state = self._driver.order(order_id)
            if state is not None and (index is None or state[0] == index):
                out.append(self._order_info(order_id, state))
        return out

    def _order_info(self, order_id: int, state: tuple[Any, ...]) -> OrderInfo:
        (index, side, order_type, status, price, qty, filled, client_id, avg, created, updated, code, _reduce,
         _tif, stop) = state
        return OrderInfo(order_id, client_id, self._instruments[index].symbol, side, order_type, status, price, stop,
                         qty, filled, avg, created, updated, code, self._tags.get(order_id))

    def book(self, instrument: str) -> ReplayBookView:
        try:
            return self._books[instrument]
        except KeyError:
            raise ValueError(f"unknown instrument {instrument!r}; this run has {sorted(self._books)}") from None

    def tag(self, order_id: int) -> str | None:
        return self._tags.get(order_id)

    # ---- time ----------------------------------------------------------------------------------

    def now_ns(self) -> int:
        now: int = self._driver.now
        return now

    def set_timer(self, delay_ns: int, name: str = "", *, repeat: bool = False) -> int:
        delay = _whole(delay_ns, "delay_ns")
        if delay < 0 or (repeat and delay == 0):
            raise ValueError("a timer delay must be >= 0, and > 0 for a repeating timer")
        timer_id: int = self._driver.add_timer(self._driver.now + delay, delay if repeat else 0, name)
        return timer_id

    def cancel_timer(self, timer_id: int) -> None:
        self._driver.cancel_timer(_whole(timer_id, "timer_id"))

    # ---- output --------------------------------------------------------------------------------

    @property
    def log(self) -> logging.Logger:
        return self._log  # type: ignore[return-value]

    def record(self, name: str, value: float) -> None:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"record({name!r}, {value!r}): the value must be finite")
        self.records.append((self._driver.now, name, number))
        self._pending_factors[name] = number


def _whole(value: object, name: str) -> int:
    """An exact integer (bool and float refused: a float quantity would be silently rounded)."""
    if isinstance(value, bool):
        raise OrderRejected(f"{name} must be an integer, not {value!r}")
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise OrderRejected(f"{name} must be an integer number of ticks or lots, not {value!r} "
                            "(convert with ctx.instrument(symbol).ticks(...) / .lots(...))") from None
    if not -(2**63) <= number < 2**63:
        raise OrderRejected(f"{name} {number} is out of range")
    return number
