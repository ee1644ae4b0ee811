"""Stateful tests of the order state machine.

1. OmsAgainstReference: random interleavings of every event, legal or not, with repeated trade
   ids, overfills and unknown ids, applied to the C++ manager and to a plain-Python reference of
   the rules in docs/oms.md; after each step both agree on the outcome, every order and counters.
2. OmsAgainstVenue: a simulated venue processes our requests and reports what happened; the
   reports reach the OMS in any order, some twice. Every delivery must be accepted (applied,
   duplicate or late, never an error), and once all are delivered each order must be in the
   venue's state with the venue's fills.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from veloz.errors import OrderError
from veloz.oms import OrderManager, OrderSide, OrderStatus, OrderType, ReportOutcome

S = OrderStatus
LIVE = {S.NEW, S.ACCEPTED, S.PARTIALLY_FILLED, S.PENDING_CANCEL, S.PENDING_AMEND}
CLIENT_ID = re.compile(r"[.A-Z:/a-z0-9_-]{1,36}")
PREFIX = "t-"


# ---- the reference ----------------------------------------------------------------------------

@dataclass
class RefOrder:
    order_id: int
    client_order_id: str
    order_type: int
    price: int
    qty: int
    status: OrderStatus = S.NEW
    sent: bool = False
    acknowledged: bool = False
    cancel_outstanding: bool = False
    amend_outstanding: bool = False
    amend_price: int = 0
    amend_qty: int = 0
    filled_qty: int = 0
    fill_notional: int = 0
    trades: set[int] = field(default_factory=set)
    fill_count: int = 0
    duplicate_count: int = 0
    late_count: int = 0
    amend_count: int = 0
    last_reject_code: int = 0
    acknowledged_ns: int = 0
    last_update_ns: int = 0

    def working_status(self) -> OrderStatus:
        if self.amend_outstanding:
            return S.PENDING_AMEND
        if self.filled_qty:
            return S.PARTIALLY_FILLED
        return S.ACCEPTED if self.acknowledged else S.NEW

    def fill_limit(self) -> int:
        return max(self.qty, self.amend_qty) if self.amend_outstanding else self.qty

    def settle(self) -> bool:
        """FILLED once the fills reach the limit; fills past the old quantity apply the amend."""
        limit = self.fill_limit()
        if self.filled_qty != limit:
            return False
        if limit != self.qty:
            self.qty, self.price = self.amend_qty, self.amend_price
            self.amend_outstanding = False
            self.amend_count += 1
        self.status = S.FILLED
        return True

    def imply_ack(self, ts: int) -> None:
        if not self.acknowledged:
            self.acknowledged, self.acknowledged_ns = True, ts


class ReferenceOms:
    """The rules of docs/oms.md, written plainly. Events return "applied", "duplicate", "late" or
    the error code of a refusal."""

    def __init__(self) -> None:
        self.orders: list[RefOrder] = []
        self.client_ids: dict[str, int] = {}
        self.counter = 0
        self.counters = {"orders": 0, "fills_applied": 0, "duplicate_fills": 0, "duplicate_reports": 0,
                         "late_reports": 0, "overfills": 0, "refused": 0}

    def refuse(self, code: str) -> str:
        self.counters["refused"] += 1
        if code == "overfill":
            self.counters["overfills"] += 1
        return code

    def ignore(self, order: RefOrder, outcome: str) -> str:
        if outcome == "duplicate":
            order.duplicate_count += 1
            self.counters["duplicate_reports"] += 1
        else:
            order.late_count += 1
            self.counters["late_reports"] += 1
        return outcome

    def submit(self, order_type: int, price: int, qty: int, client_id: str | None, ts: int) -> int | str:
        if qty <= 0:
            return self.refuse("invalid_quantity")
        if price < 0 or (price == 0 and order_type == OrderType.LIMIT):
            return self.refuse("invalid_price")
        if client_id is None:
            while True:
                self.counter += 1
                client_id = f"{PREFIX}{self.counter}"
                if client_id not in self.client_ids:
                    break
        elif not CLIENT_ID.fullmatch(client_id):
            return self.refuse("invalid_client_order_id")
        elif client_id in self.client_ids:
            return self.refuse("client_order_id_in_use")
        order = RefOrder(len(self.orders) + 1, client_id, order_type, price, qty, last_update_ns=ts)
        self.orders.append(order)
        self.client_ids[client_id] = order.order_id
        self.counters["orders"] += 1
        return order.order_id

    def event(self, name: str, order_id: int, ts: int, *args: int) -> str:
        if not 1 <= order_id <= len(self.orders):
            return self.refuse("unknown_order")
        order = self.orders[order_id - 1]
        outcome: str = getattr(self, name)(order, ts, *args)
        if outcome == "applied":
            order.last_update_ns = max(order.last_update_ns, ts)
        return outcome

    def mark_sent(self, o: RefOrder, ts: int) -> str:
        if o.status != S.NEW or o.sent:
            return self.refuse("illegal_transition")
        o.sent = True
        return "applied"

    def ack(self, o: RefOrder, ts: int) -> str:
        if not o.sent or o.status == S.REJECTED:
            return self.refuse("illegal_transition")
        if o.acknowledged:
            return self.ignore(o, "duplicate" if o.status == S.ACCEPTED else "late")
        o.imply_ack(ts)
        if o.status == S.NEW:
            o.status = S.ACCEPTED
        return "applied"

    def reject(self, o: RefOrder, ts: int, code: int) -> str:
        if o.status == S.REJECTED:
            return self.ignore(o, "duplicate")
        if o.status == S.NEW or (o.status == S.PENDING_CANCEL and not o.acknowledged):
            o.status, o.last_reject_code = S.REJECTED, code
            return "applied"
        return self.refuse("illegal_transition")

    def fill(self, o: RefOrder, ts: int, trade: int, price: int, qty: int) -> str:
        if qty <= 0:
            return self.refuse("invalid_quantity")
        if not o.sent or o.status == S.REJECTED:
            return self.refuse("illegal_transition")
        if trade in o.trades:
            o.duplicate_count += 1
            self.counters["duplicate_fills"] += 1
            return "duplicate"
        if o.filled_qty + qty > o.fill_limit():
            return self.refuse("overfill")
        o.trades.add(trade)
        o.filled_qty += qty
        o.fill_notional += price * qty
        o.fill_count += 1
        self.counters["fills_applied"] += 1
        o.imply_ack(ts)
        if not o.settle() and o.status in (S.NEW, S.ACCEPTED):
            o.status = S.PARTIALLY_FILLED
        return "applied"

    def cancel_request(self, o: RefOrder, ts: int) -> str:
        if o.status not in LIVE or o.status == S.PENDING_CANCEL:
            return self.refuse("illegal_transition")
        if not o.sent:
            o.status = S.CANCELED
        else:
            o.status, o.cancel_outstanding = S.PENDING_CANCEL, True
        return "applied"

    def cancel_ack(self, o: RefOrder, ts: int) -> str:
        if not o.sent or o.status == S.REJECTED:
            return self.refuse("illegal_transition")
        o.cancel_outstanding = False
        if o.status == S.CANCELED:
            return self.ignore(o, "duplicate")
        if o.status not in LIVE:
            return self.ignore(o, "late")
        o.status = S.CANCELED
        o.imply_ack(ts)
        return "applied"

    def cancel_reject(self, o: RefOrder, ts: int, code: int) -> str:
        if not o.sent:
            return self.refuse("illegal_transition")
        if o.status not in LIVE:
            o.cancel_outstanding = False
            return self.ignore(o, "late")
        if not o.cancel_outstanding:
            return self.refuse("illegal_transition")
        o.cancel_outstanding = False
        o.status, o.last_reject_code = o.working_status(), code
        return "applied"

    def amend_request(self, o: RefOrder, ts: int, price: int, qty: int) -> str:
        if qty <= 0:
            return self.refuse("invalid_quantity")
        if price <= 0:
            return self.refuse("invalid_price")
        if o.status not in (S.ACCEPTED, S.PARTIALLY_FILLED):
            return self.refuse("illegal_transition")
        if o.order_type != OrderType.LIMIT:
            return self.refuse("invalid_request")
        if qty <= o.filled_qty:
            return self.refuse("invalid_quantity")
        o.status, o.amend_outstanding, o.amend_price, o.amend_qty = S.PENDING_AMEND, True, price, qty
        return "applied"

    def amend_ack(self, o: RefOrder, ts: int, price: int, qty: int) -> str:
        if not (o.amend_outstanding and (price, qty) == (o.amend_price, o.amend_qty)):
            if o.amend_count == 0:
                return self.refuse("illegal_transition")
            return self.ignore(o, "duplicate" if (price, qty) == (o.price, o.qty) else "late")
        if o.filled_qty > qty:
            return self.refuse("overfill")
        o.amend_outstanding, o.price, o.qty = False, price, qty
        o.amend_count += 1
        if not o.settle() and o.status == S.PENDING_AMEND:
            o.status = o.working_status()
        return "applied"

    def amend_reject(self, o: RefOrder, ts: int, code: int) -> str:
        if not o.amend_outstanding:
            return self.refuse("illegal_transition")
        if o.filled_qty > o.qty:
            return self.refuse("overfill")
        o.amend_outstanding = False
        if o.status == S.FILLED:
            return self.ignore(o, "late")
        finished = o.status not in LIVE
        if not o.settle():
            if finished:
                return self.ignore(o, "late")
            if o.status == S.PENDING_AMEND:
                o.status = o.working_status()
        o.last_reject_code = code
        return "applied"

    def expire(self, o: RefOrder, ts: int) -> str:
        if not o.sent or o.status == S.REJECTED:
            return self.refuse("illegal_transition")
        if o.status == S.EXPIRED:
            return self.ignore(o, "duplicate")
        if o.status not in LIVE:
            return self.ignore(o, "late")
        o.status = S.EXPIRED
        o.imply_ack(ts)
        return "applied"


def call_native(method: object, *args: object) -> str:
    try:
        outcome = method(*args)  # type: ignore[operator]
    except OrderError as e:
        return e.code
    return ReportOutcome(outcome).name.lower()


# ---- 1. against the reference -----------------------------------------------------------------

EVENT_ARGS = {
    "mark_sent": st.tuples(),
    "ack": st.tuples(),
    "reject": st.tuples(st.sampled_from([-2010, -2019])),
    "fill": st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(-1, 6)),  # trade id, price, qty
    "cancel_request": st.tuples(),
    "cancel_ack": st.tuples(),
    "cancel_reject": st.tuples(st.just(-2011)),
    "amend_request": st.tuples(st.integers(0, 3), st.integers(-1, 14)),
    "amend_ack": st.tuples(st.integers(1, 3), st.integers(1, 14)),
    "amend_reject": st.tuples(st.just(-5027)),
    "expire": st.tuples(),
}


class OmsAgainstReference(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.native = OrderManager(PREFIX)
        self.reference = ReferenceOms()
        self.ts = 0

    def tick(self) -> int:
        self.ts += 1
        return self.ts

    @rule(order_type=st.sampled_from([OrderType.LIMIT, OrderType.LIMIT, OrderType.MARKET]),
          price=st.integers(-1, 5), qty=st.integers(-1, 12),
          client_id=st.none() | st.sampled_from(["t-2", "t-3", "mine", "mine.2", "bad id", "", "t-03"]))
    def submit(self, order_type: int, price: int, qty: int, client_id: str | None) -> None:
        ts = self.tick()
        expected = self.reference.submit(order_type, price, qty, client_id, ts)
        try:
            got: int | str = self.native.submit(0, OrderSide.BUY, order_type, qty, price, client_order_id=client_id,
                                                ts_ns=ts)
        except OrderError as e:
            got = e.code
        assert got == expected

    @precondition(lambda self: len(self.reference.orders) > 0)
    @rule(data=st.data(), name=st.sampled_from(sorted(EVENT_ARGS)))
    def event(self, data: st.DataObject, name: str) -> None:
        order_id = data.draw(st.integers(0, len(self.reference.orders) + 1), label="order_id")
        args = data.draw(EVENT_ARGS[name], label="args")
        ts = self.tick()
        expected = self.reference.event(name, order_id, ts, *args)
        got = call_native(getattr(self.native, name), order_id, *args, ts)
        assert got == expected, f"{name}{(order_id, *args)}: native {got}, reference {expected}"

    @invariant()
    def orders_and_counters_agree(self) -> None:
        assert self.native.counters() == self.reference.counters
        table = self.native.orders_array()
        assert len(table) == len(self.reference.orders)
        for row, ref in zip(table, self.reference.orders):
            view = self.native.order(ref.order_id)
            assert (view.status, view.client_order_id) == (ref.status, ref.client_order_id)
            assert (int(row["qty"]), int(row["price"]), int(row["filled_qty"]), view.fill_notional) == (
                ref.qty, ref.price, ref.filled_qty, ref.fill_notional)
            assert (bool(row["sent"]), bool(row["acknowledged"]), bool(row["cancel_outstanding"]),
                    bool(row["amend_outstanding"])) == (ref.sent, ref.acknowledged, ref.cancel_outstanding,
                                                        ref.amend_outstanding)
            amend_terms = (ref.amend_price, ref.amend_qty) if ref.amend_outstanding else (0, 0)
            assert (int(row["amend_price"]), int(row["amend_qty"])) == amend_terms
            assert (int(row["fill_count"]), int(row["duplicate_count"]), int(row["late_count"]),
                    int(row["amend_count"]), int(row["last_reject_code"])) == (
                ref.fill_count, ref.duplicate_count, ref.late_count, ref.amend_count, ref.last_reject_code)
            assert (int(row["acknowledged_ns"]), int(row["last_update_ns"])) == (ref.acknowledged_ns,
                                                                                ref.last_update_ns)
            # Fills apply exactly once, never beyond what the order can take, and an order is
            # FILLED exactly when they reach it.
            assert ref.filled_qty <= ref.fill_limit() and len(ref.trades) == ref.fill_count
            assert (ref.status == S.FILLED) == (ref.filled_qty == ref.fill_limit())

    @invariant()
    def client_ids_resolve(self) -> None:
        for client_id, order_id in self.reference.client_ids.items():
            assert self.native.find(client_id) == order_id


TestOmsAgainstReference = OmsAgainstReference.TestCase
TestOmsAgainstReference.settings = settings(max_examples=200, stateful_step_count=50, deadline=None,
                                            suppress_health_check=[HealthCheck.too_slow])


# ---- 2. against a simulated venue -------------------------------------------------------------

@dataclass
class VenueOrder:
    """The venue's truth about one order."""

    qty: int
    price: int
    status: OrderStatus
    filled_qty: int = 0
    # Terms the order has had. An amend back to earlier terms is not generated: its ack could not
    # be told from a late echo of the earlier amend's ack (docs/oms.md, "Limits").
    terms: set[tuple[int, int]] = field(default_factory=set)

    @property
    def live(self) -> bool:
        return self.status in (S.ACCEPTED, S.PARTIALLY_FILLED)


Report = tuple[str, int, tuple[int, ...]]  # (event, order id, args)
REPEATABLE = {"ack", "reject", "fill", "cancel_ack", "amend_ack", "expire"}  # REST response + user stream


class OmsAgainstVenue(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.oms = OrderManager()
        self.venue: dict[int, VenueOrder] = {}
        self.wire: list[Report] = []  # reports not yet delivered
        self.sent: list[Report] = []  # every report the venue produced
        self.next_trade = 1

    def emit(self, event: str, order_id: int, *args: int) -> None:
        self.wire.append((event, order_id, args))
        self.sent.append((event, order_id, args))

    def live_orders(self) -> list[int]:
        return [oid for oid, order in self.venue.items() if order.live]

    # -- our side: requests go to the venue, which answers at once (the reports travel later)

    @rule(qty=st.integers(1, 12), accept=st.booleans())
    def new_order(self, qty: int, accept: bool) -> None:
        oid = self.oms.submit(0, OrderSide.BUY, OrderType.LIMIT, qty, 100)
        self.oms.mark_sent(oid)
        self.venue[oid] = VenueOrder(qty, 100, S.ACCEPTED if accept else S.REJECTED, terms={(100, qty)})
        self.emit("ack" if accept else "reject", oid, *(() if accept else (-2010,)))

    @precondition(lambda self: self.venue)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(sorted(self.venue)), label="order")
        try:
            self.oms.cancel_request(oid)
        except OrderError:
            return  # our own view says there is nothing to cancel: nothing is sent
        order = self.venue[oid]
        if order.live:
            order.status = S.CANCELED
            self.emit("cancel_ack", oid)
        else:
            self.emit("cancel_reject", oid, -2011)

    @precondition(lambda self: self.venue)
    @rule(data=st.data(), price=st.integers(95, 105), qty=st.integers(1, 14))
    def amend(self, data: st.DataObject, price: int, qty: int) -> None:
        oid = data.draw(st.sampled_from(sorted(self.venue)), label="order")
        order = self.venue[oid]
        if (price, qty) in order.terms:
            return
        try:
            self.oms.amend_request(oid, price, qty)
        except OrderError:
            return
        order.terms.add((price, qty))
        if order.live and qty > order.filled_qty:
            order.price, order.qty = price, qty
            self.emit("amend_ack", oid, price, qty)
        else:
            self.emit("amend_reject", oid, -5027)

    # -- the venue's own events

    @precondition(lambda self: self.live_orders())
    @rule(data=st.data())
    def venue_fill(self, data: st.DataObject) -> None:
        oid = data.draw(st.sampled_from(self.live_orders()), label="order")
        order = self.venue[oid]
        qty = data.draw(st.integers(1, order.qty - order.filled_qty), label="qty")
        order.filled_qty += qty
        order.status = S.FILLED if order.filled_qty == order.qty else S.PARTIALLY_FILLED
        self.emit("fill", oid, self.next_trade, order.price, qty)
        self.next_trade += 1

    @precondition(lambda self: self.live_orders())
    @rule(data=st.data(), expire=st.booleans())
    def venue_ends_order(self, data: st.DataObject, expire: bool) -> None:
        """An expiry (IOC remainder, self-trade prevention) or a cancel we did not ask for."""
        oid = data.draw(st.sampled_from(self.live_orders()), label="order")
        self.venue[oid].status = S.EXPIRED if expire else S.CANCELED
        self.emit("expire" if expire else "cancel_ack", oid)

    # -- the network

    @precondition(lambda self: self.wire)
    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(0, len(self.wire) - 1), label="report")
        self.apply(self.wire.pop(index))

    @precondition(lambda self: any(report[0] in REPEATABLE for report in self.sent))
    @rule(data=st.data())
    def repeat(self, data: st.DataObject) -> None:
        report = data.draw(st.sampled_from([r for r in self.sent if r[0] in REPEATABLE]), label="repeated")
        self.wire.append(report)

    def apply(self, report: Report) -> None:
        event, oid, args = report
        outcome = getattr(self.oms, event)(oid, *args)  # raises on a refusal: the test fails
        assert outcome in (ReportOutcome.APPLIED, ReportOutcome.DUPLICATE, ReportOutcome.LATE)

    @invariant()
    def never_more_than_the_venue(self) -> None:
        for oid, order in self.venue.items():
            assert self.oms.order(oid).filled_qty <= order.filled_qty

    def teardown(self) -> None:
        while self.wire:
            self.apply(self.wire.pop())
        for oid, truth in self.venue.items():
            view = self.oms.order(oid)
            assert (view.status, view.filled_qty, view.qty, view.price) == (
                truth.status, truth.filled_qty, truth.qty, truth.price), f"order {oid}"
            assert not view.cancel_outstanding and not view.amend_outstanding
            assert view.fill_count == len({r[2][0] for r in self.sent if r[0] == "fill" and r[1] == oid})


TestOmsAgainstVenue = OmsAgainstVenue.TestCase
TestOmsAgainstVenue.settings = settings(max_examples=250, stateful_step_count=40, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow])
