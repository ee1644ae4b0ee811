"""Order state machine: every (state, event) pair of docs/oms.md, the real report sequences a
Binance venue produces (late, repeated, out of order), overfills, client order ids, bad input and
the read paths (views and the numpy snapshot)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from veloz.oms import (
    ORDER_DTYPE,
    ClientOrderIdInUseError,
    InvalidOrderError,
    OrderError,
    OrderEvent,
    OrderManager,
    OrderSide,
    OrderStateError,
    OrderStatus,
    OrderType,
    OrderView,
    OverfillError,
    ReportOutcome,
    TimeInForce,
    UnknownOrderError,
    avg_fill_prices,
)

S = OrderStatus
APPLIED, DUPLICATE, LATE = ReportOutcome.APPLIED, ReportOutcome.DUPLICATE, ReportOutcome.LATE
QTY = 10
PRICE = 100


def new_order(oms: OrderManager, qty: int = QTY, order_type: int = OrderType.LIMIT, **kwargs: Any) -> int:
    price = PRICE if order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT, OrderType.TAKE_PROFIT) else 0
    return oms.submit(0, OrderSide.BUY, order_type, qty, price, **kwargs)


def accepted(oms: OrderManager, **kwargs: Any) -> int:
    oid = new_order(oms, **kwargs)
    oms.mark_sent(oid, 1)
    oms.ack(oid, 2)
    return oid


# ---- the (state, event) table ---------------------------------------------------------------

# How to bring an order into each state of the table (the order is a LIMIT buy of 10 at 100).
SETUPS: dict[str, Callable[[OrderManager, int], object]] = {
    "NEW, not sent": lambda oms, oid: None,
    "NEW, sent": lambda oms, oid: oms.mark_sent(oid),
    "ACCEPTED": lambda oms, oid: (oms.mark_sent(oid), oms.ack(oid)),
    "PARTIALLY_FILLED": lambda oms, oid: (oms.mark_sent(oid), oms.ack(oid), oms.fill(oid, 1, PRICE, 4)),
    "PENDING_CANCEL": lambda oms, oid: (oms.mark_sent(oid), oms.ack(oid), oms.cancel_request(oid)),
    "PENDING_CANCEL, not acked": lambda oms, oid: (oms.mark_sent(oid), oms.cancel_request(oid)),
    "PENDING_AMEND": lambda oms, oid: (oms.mark_sent(oid), oms.ack(oid), oms.amend_request(oid, 105, 12)),
    "PENDING_CANCEL, amend outstanding": lambda oms, oid: (
        oms.mark_sent(oid), oms.ack(oid), oms.amend_request(oid, 105, 12), oms.cancel_request(oid)),
    "FILLED": lambda oms, oid: (oms.mark_sent(oid), oms.ack(oid), oms.fill(oid, 1, PRICE, QTY)),
    "FILLED, cancel outstanding": lambda oms, oid: (
        oms.mark_sent(oid), oms.ack(oid), oms.cancel_request(oid), oms.fill(oid, 1, PRICE, QTY)),
    "CANCELED": lambda oms, oid: (oms.mark_sent(oid), oms.ack(oid), oms.cancel_request(oid), oms.cancel_ack(oid)),
    "CANCELED, not sent": lambda oms, oid: oms.cancel_request(oid),
    "CANCELED, amend outstanding": lambda oms, oid: (
        oms.mark_sent(oid), oms.ack(oid), oms.amend_request(oid, 105, 12), oms.cancel_ack(oid)),
    "REJECTED": lambda oms, oid: (oms.mark_sent(oid), oms.reject(oid, -2010)),
    "REJECTED, cancel outstanding": lambda oms, oid: (
        oms.mark_sent(oid), oms.cancel_request(oid), oms.reject(oid, -2010)),
    "EXPIRED": lambda oms, oid: (oms.mark_sent(oid), oms.ack(oid), oms.expire(oid)),
}

EVENTS: dict[str, Callable[[OrderManager, int], ReportOutcome]] = {
    "mark_sent": lambda oms, oid: oms.mark_sent(oid, 50),
    "ack": lambda oms, oid: oms.ack(oid, 50),
    "reject": lambda oms, oid: oms.reject(oid, -2010, 50),
    "fill": lambda oms, oid: oms.fill(oid, 99, PRICE, 2, 50),
    "cancel_request": lambda oms, oid: oms.cancel_request(oid, 50),
    "cancel_ack": lambda oms, oid: oms.cancel_ack(oid, 50),
    "cancel_reject": lambda oms, oid: oms.cancel_reject(oid, -2011, 50),
    "amend_request": lambda oms, oid: oms.amend_request(oid, 105, 12, 50),
    "amend_ack": lambda oms, oid: oms.amend_ack(oid, 105, 12, 50),
    "amend_reject": lambda oms, oid: oms.amend_reject(oid, -5027, 50),
    "expire": lambda oms, oid: oms.expire(oid, 50),
}

# Cell: "STATUS" = applied, now in STATUS; "dup" / "late" = ignored and counted, status kept;
# "X" = refused (OrderStateError); "overfill" = refused (OverfillError). The same table is in
# docs/oms.md.
N, A, P, F, C, R, E, PC, PA = ("NEW", "ACCEPTED", "PARTIALLY_FILLED", "FILLED", "CANCELED", "REJECTED", "EXPIRED",
                               "PENDING_CANCEL", "PENDING_AMEND")
EVENT_ORDER = ["mark_sent", "ack", "reject", "fill", "cancel_request", "cancel_ack", "cancel_reject", "amend_request",
               "amend_ack", "amend_reject", "expire"]
TABLE: dict[str, list[str]] = {
    #                                    mark_sent ack     reject fill        cancel_req cancel_ack cancel_rej amend_req amend_ack amend_rej expire
    "NEW, not sent":                     [N,       "X",    R,     "X",        C,         "X",       "X",       "X",      "X",      "X",      "X"],
    "NEW, sent":                         ["X",     A,      R,     P,          PC,        C,         "X",       "X",      "X",      "X",      E],
    "ACCEPTED":                          ["X",     "dup",  "X",   P,          PC,        C,         "X",       PA,       "X",      "X",      E],
    "PARTIALLY_FILLED":                  ["X",     "late", "X",   P,          PC,        C,         "X",       PA,       "X",      "X",      E],
    "PENDING_CANCEL":                    ["X",     "late", "X",   PC,         "X",       C,         A,         "X",      "X",      "X",      E],
    "PENDING_CANCEL, not acked":         ["X",     PC,     R,     PC,         "X",       C,         N,         "X",      "X",      "X",      E],
    "PENDING_AMEND":                     ["X",     "late", "X",   PA,         PC,        C,         "X",       "X",      A,        A,        E],
    "PENDING_CANCEL, amend outstanding": ["X",     "late", "X",   PC,         "X",       C,         PA,        "X",      PC,       PC,       E],
    "FILLED":                            ["X",     "late", "X",   "overfill", "X",       "late",    "late",    "X",      "X",      "X",      "late"],
    "FILLED, cancel outstanding":        ["X",     "late", "X",   "overfill", "X",       "late",    "late",    "X",      "X",      "X",      "late"],
    "CANCELED":                          ["X",     "late", "X",   C,          "X",       "dup",     "late",    "X",      "X",      "X",      "late"],
    "CANCELED, not sent":                ["X",     "X",    "X",   "X",        "X",       "X",       "X",       "X",      "X",      "X",      "X"],
    "CANCELED, amend outstanding":       ["X",     "late", "X",   C,          "X",       "dup",     "late",    "X",      C,        "late",   "late"],
    "REJECTED":                          ["X",     "X",    "dup", "X",        "X",       "X",       "late",    "X",      "X",      "X",      "X"],
    "REJECTED, cancel outstanding":      ["X",     "X",    "dup", "X",        "X",       "X",       "late",    "X",      "X",      "X",      "X"],
    "EXPIRED":                           ["X",     "late", "X",   E,          "X",       "late",    "late",    "X",      "X",      "X",      "dup"],
}  # fmt: skip
CASES = [(state, event, TABLE[state][i]) for state in TABLE for i, event in enumerate(EVENT_ORDER)]


def test_table_covers_every_setup_and_event() -> None:
    assert set(TABLE) == set(SETUPS) and EVENT_ORDER == list(EVENTS)
    assert all(len(row) == len(EVENT_ORDER) for row in TABLE.values())


@pytest.mark.parametrize(("state", "event", "expected"), CASES, ids=[f"{s}-{e}" for s, e, _ in CASES])
def test_state_event_table(state: str, event: str, expected: str) -> None:
    oms = OrderManager()
    oid = new_order(oms)
    SETUPS[state](oms, oid)
    before = oms.orders_array()
    counters = oms.counters()
    status_before = oms.status(oid)
    if expected in ("X", "overfill"):
        error_type = OverfillError if expected == "overfill" else OrderStateError
        with pytest.raises(error_type) as raised:
            EVENTS[event](oms, oid)
        error = raised.value
        message = str(error)
        assert f"order {oid} 'vz-1' is {status_before.name}" in message and f"{event} refused" in message
        assert (error.order_id, error.client_order_id, error.status) == (oid, "vz-1", status_before)
        assert error.event == OrderEvent[event.upper()]
        assert oms.orders_array().tobytes() == before.tobytes()  # nothing changed
        assert oms.counters()["refused"] == counters["refused"] + 1
        return
    outcome = EVENTS[event](oms, oid)
    if expected in ("dup", "late"):
        assert outcome == (DUPLICATE if expected == "dup" else LATE)
        assert oms.status(oid) == status_before
        key = "duplicate_reports" if expected == "dup" else "late_reports"
        assert oms.counters()[key] == counters[key] + 1
        return
    assert outcome == APPLIED
    assert oms.status(oid) == OrderStatus[expected]
    assert oms.counters()["refused"] == counters["refused"]


# ---- real sequences -------------------------------------------------------------------------

def test_fill_before_ack_implies_the_ack() -> None:
    oms = OrderManager()
    oid = new_order(oms, ts_ns=100)
    oms.mark_sent(oid, 110)
    assert oms.fill(oid, 7, PRICE, 4, 130) == APPLIED  # the user stream beat the REST response
    view = oms.order(oid)
    assert (view.status, view.acknowledged, view.acknowledged_ns, view.filled_qty) == (S.PARTIALLY_FILLED, True, 130, 4)
    assert oms.ack(oid, 120) == LATE
    assert (view.status, view.late_count, view.acknowledged_ns) == (S.PARTIALLY_FILLED, 1, 130)
    assert (view.created_ns, view.sent_ns, view.last_update_ns) == (100, 110, 130)


def test_cancel_ack_after_the_last_fill_is_late_not_an_error() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.cancel_request(oid)
    oms.fill(oid, 1, PRICE, 6)
    assert oms.status(oid) == S.PENDING_CANCEL
    oms.fill(oid, 2, PRICE, 4)
    assert oms.status(oid) == S.FILLED
    assert oms.cancel_ack(oid) == LATE
    assert oms.status(oid) == S.FILLED and oms.order(oid).filled_qty == QTY
    assert oms.counters()["late_reports"] == 1 and oms.counters()["refused"] == 0


@pytest.mark.parametrize("reject_first", [True, False])
def test_cancel_of_an_order_that_filled_meanwhile_gets_2011_and_ends_filled(reject_first: bool) -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.cancel_request(oid)
    if reject_first:
        assert oms.cancel_reject(oid, -2011) == APPLIED
        assert oms.status(oid) == S.ACCEPTED and oms.order(oid).last_reject_code == -2011
        assert oms.fill(oid, 1, PRICE, QTY) == APPLIED
    else:
        assert oms.fill(oid, 1, PRICE, QTY) == APPLIED
        assert oms.cancel_reject(oid, -2011) == LATE
    view = oms.order(oid)
    assert (view.status, view.filled_qty, view.cancel_outstanding) == (S.FILLED, QTY, False)


def test_the_same_trade_id_twice_applies_once() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    assert oms.fill(oid, 5, PRICE, 4) == APPLIED
    assert oms.fill(oid, 5, PRICE, 4) == DUPLICATE
    view = oms.order(oid)
    assert (view.filled_qty, view.fill_count, view.duplicate_count) == (4, 1, 1)
    assert oms.counters()["duplicate_fills"] == 1 and oms.counters()["fills_applied"] == 1


def test_trade_ids_beyond_the_inline_ones_are_still_deduplicated() -> None:
    oms = OrderManager()
    oid = accepted(oms, qty=100)
    for trade in range(1, 11):  # more fills than the order keeps inline
        assert oms.fill(oid, trade, PRICE, 1) == APPLIED
    for trade in range(1, 11):
        assert oms.fill(oid, trade, PRICE, 1) == DUPLICATE
    other = accepted(oms, qty=100)
    assert oms.fill(other, 7, PRICE, 1) == APPLIED  # trade ids are per order: ours on both sides
    assert oms.order(oid).filled_qty == 10 and oms.order(oid).duplicate_count == 10


def test_cancel_ack_while_a_fill_is_in_flight_keeps_the_fill() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.cancel_request(oid)
    assert oms.cancel_ack(oid) == APPLIED
    assert oms.fill(oid, 3, PRICE, 3) == APPLIED  # happened before the cancel, reported after it
    view = oms.order(oid)
    assert (view.status, view.filled_qty, view.remaining_qty) == (S.CANCELED, 3, 7)


# (amend to price, qty), lots filled before the answer, the answer, then status, qty and price.
AMEND_RACES = [
    ("up, partial fill, acked", (101, 20), 4, "ack", S.PARTIALLY_FILLED, 20, 101),
    ("down to what filled, acked", (PRICE, 6), 6, "ack", S.FILLED, 6, PRICE),  # complete if applied
    ("down to what filled, rejected", (PRICE, 6), 6, "reject", S.PARTIALLY_FILLED, QTY, PRICE),
    ("up, old quantity filled, rejected", (PRICE, 15), QTY, "reject", S.FILLED, QTY, PRICE),
]


@pytest.mark.parametrize(("name", "terms", "filled", "answer", "status", "qty", "price"), AMEND_RACES,
                         ids=[race[0] for race in AMEND_RACES])
def test_fills_while_an_amend_travels(name: str, terms: tuple[int, int], filled: int, answer: str,
                                      status: OrderStatus, qty: int, price: int) -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, *terms)
    oms.fill(oid, 1, PRICE, filled)
    assert oms.status(oid) == S.PENDING_AMEND  # filled or not depends on the answer still to come
    outcome = oms.amend_ack(oid, *terms) if answer == "ack" else oms.amend_reject(oid, -5027)
    view = oms.order(oid)
    assert (outcome, view.status, view.qty, view.price, view.filled_qty) == (APPLIED, status, qty, price, filled)
    assert not view.amend_outstanding and view.amend_price is None
    assert oms.orders_array()[["amend_price", "amend_qty"]][0].tolist() == (0, 0)


def test_fills_beyond_the_old_quantity_prove_the_amend_was_applied() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, 105, 15)
    oms.fill(oid, 1, PRICE, 10)
    assert oms.status(oid) == S.PENDING_AMEND  # 10 of 10 or of 15: not known yet
    oms.fill(oid, 2, 105, 5)
    view = oms.order(oid)
    assert (view.status, view.qty, view.price, view.amend_count, view.amend_outstanding) == (
        S.FILLED, 15, 105, 1, False)
    assert oms.amend_ack(oid, 105, 15) == DUPLICATE  # its ack only confirms it
    assert view.amend_count == 1


def test_price_only_amend_acked_after_the_order_filled() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, 95, QTY)
    oms.fill(oid, 1, 95, QTY)  # filled whichever terms held
    assert oms.status(oid) == S.FILLED and oms.order(oid).price == PRICE
    assert oms.amend_ack(oid, 95, QTY) == APPLIED  # the venue had the new price
    assert oms.amend_ack(oid, 95, QTY) == DUPLICATE
    view = oms.order(oid)
    assert (view.status, view.price, view.amend_count) == (S.FILLED, 95, 1)


def test_amend_up_rejected_after_the_order_filled_at_the_old_quantity() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, PRICE, 15)
    oms.fill(oid, 1, PRICE, 10)
    assert oms.amend_reject(oid, -2013) == APPLIED
    assert oms.status(oid) == S.FILLED and oms.order(oid).qty == QTY


def test_amend_reports_repeated_or_overtaken_are_ignored() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, 101, 11)
    assert oms.amend_ack(oid, 101, 11) == APPLIED
    assert oms.amend_ack(oid, 101, 11) == DUPLICATE  # REST response and user stream
    oms.amend_request(oid, 102, 12)
    assert oms.amend_ack(oid, 101, 11) == DUPLICATE  # an echo of the first amend: its terms still hold
    assert oms.amend_ack(oid, 102, 12) == APPLIED
    assert oms.amend_ack(oid, 101, 11) == LATE  # an echo overtaken by the second amend
    view = oms.order(oid)
    assert (view.price, view.qty, view.amend_count, view.duplicate_count, view.late_count) == (102, 12, 2, 2, 1)


def test_amend_ack_that_matches_no_amend_is_refused() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    with pytest.raises(OrderStateError, match="no amend to price 101, quantity 11 is outstanding"):
        oms.amend_ack(oid, 101, 11)
    oms.amend_request(oid, 101, 11)
    with pytest.raises(OrderStateError, match="amend_ack refused"):
        oms.amend_ack(oid, 101, 12)


def test_cancel_while_amend_pending_resolves_both() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, 101, 20)
    oms.cancel_request(oid)
    assert oms.status(oid) == S.PENDING_CANCEL
    assert oms.cancel_ack(oid) == APPLIED
    assert oms.amend_ack(oid, 101, 20) == APPLIED  # the venue amended it before canceling
    view = oms.order(oid)
    assert (view.status, view.qty, view.price, view.amend_outstanding) == (S.CANCELED, 20, 101, False)


def test_ioc_fill_reported_after_its_expiry() -> None:
    oms = OrderManager()
    oid = new_order(oms, time_in_force=TimeInForce.IOC)
    oms.mark_sent(oid)
    assert oms.expire(oid) == APPLIED  # expiry implies the venue had it
    assert oms.fill(oid, 1, PRICE, 3) == APPLIED
    assert oms.ack(oid) == LATE
    view = oms.order(oid)
    assert (view.status, view.filled_qty, view.acknowledged) == (S.EXPIRED, 3, True)


def test_expiry_while_cancel_pending_then_the_cancel_reject() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.cancel_request(oid)
    assert oms.expire(oid) == APPLIED
    assert oms.cancel_reject(oid, -2011) == LATE
    assert not oms.order(oid).cancel_outstanding


def test_venue_cancel_taken_as_the_answer_to_ours_then_our_2011() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.cancel_request(oid)  # meanwhile the venue canceled the order on its own
    assert oms.cancel_ack(oid) == APPLIED  # the venue's own cancel
    assert oms.cancel_reject(oid, -2011) == LATE  # the answer to ours
    assert oms.status(oid) == S.CANCELED


def test_cancel_reject_without_a_cancel_is_refused_on_a_live_order() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    with pytest.raises(OrderStateError, match="ACCEPTED: cancel_reject refused: no cancel is outstanding"):
        oms.cancel_reject(oid, -2011)


@pytest.mark.parametrize("reject_first", [True, False])
def test_order_rejected_while_its_cancel_is_in_flight(reject_first: bool) -> None:
    oms = OrderManager()
    oid = new_order(oms)
    oms.mark_sent(oid)
    oms.cancel_request(oid)
    if reject_first:
        assert oms.reject(oid, -2019) == APPLIED
        assert oms.cancel_reject(oid, -2011) == LATE
    else:
        assert oms.cancel_reject(oid, -2011) == APPLIED
        assert oms.status(oid) == S.NEW
        assert oms.reject(oid, -2019) == APPLIED
    assert oms.status(oid) == S.REJECTED and oms.order(oid).last_reject_code == -2019


def test_duplicate_acks_rejects_cancels_and_expiries() -> None:
    oms = OrderManager()
    a = accepted(oms)
    assert oms.ack(a) == DUPLICATE
    oms.cancel_ack(a)
    assert oms.cancel_ack(a) == DUPLICATE
    r = new_order(oms)
    oms.mark_sent(r)
    oms.reject(r, -2010)
    assert oms.reject(r, -2010) == DUPLICATE
    e = accepted(oms)
    oms.expire(e)
    assert oms.expire(e) == DUPLICATE
    assert oms.counters()["duplicate_reports"] == 4


def test_unsolicited_cancel_by_the_venue() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    assert oms.cancel_ack(oid) == APPLIED  # canceled from another session or by a cancel-all
    assert oms.status(oid) == S.CANCELED


def test_local_reject_before_sending_and_cancel_before_sending() -> None:
    oms = OrderManager()
    rejected = new_order(oms)
    assert oms.reject(rejected, -1) == APPLIED  # a risk check refused it
    canceled = new_order(oms)
    assert oms.cancel_request(canceled) == APPLIED
    assert oms.status(canceled) == S.CANCELED and not oms.order(canceled).cancel_outstanding
    with pytest.raises(OrderStateError, match="mark_sent refused: the order is finished"):
        oms.mark_sent(canceled)


def test_reports_for_an_order_not_sent_are_refused() -> None:
    oms = OrderManager()
    oid = new_order(oms)
    for report in (oms.ack, oms.cancel_ack, oms.expire):
        with pytest.raises(OrderStateError, match="the order has not been sent"):
            report(oid)
    with pytest.raises(OrderStateError, match="the order has not been sent"):
        oms.fill(oid, 1, PRICE, 1)
    assert oms.status(oid) == S.NEW


def test_reports_for_a_rejected_order_are_refused() -> None:
    oms = OrderManager()
    oid = new_order(oms)
    oms.reject(oid, -1)  # refused by a local check before it was sent
    with pytest.raises(OrderStateError, match="'vz-1' is REJECTED: fill refused: the order was rejected"):
        oms.fill(oid, 1, PRICE, 1)


def test_reject_after_the_venue_accepted_is_refused() -> None:
    oms = OrderManager()
    oid = new_order(oms)
    oms.mark_sent(oid)
    oms.fill(oid, 1, PRICE, 1)  # implies the ack
    with pytest.raises(OrderStateError, match="the venue already accepted the order"):
        oms.reject(oid, -2010)


# ---- overfill ---------------------------------------------------------------------------------

def test_overfill_is_reported_and_not_applied() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.fill(oid, 1, PRICE, 8)
    before = oms.orders_array()
    with pytest.raises(OverfillError, match=r"overfill: trade 2 of 3 lots would bring the filled quantity to 11 of 10"):
        oms.fill(oid, 2, PRICE, 3)
    assert oms.orders_array().tobytes() == before.tobytes()
    assert oms.counters()["overfills"] == 1 and oms.counters()["refused"] == 1
    assert oms.fill(oid, 3, PRICE, 2) == APPLIED and oms.status(oid) == S.FILLED
    with pytest.raises(OverfillError) as raised:
        oms.fill(oid, 4, PRICE, 1)
    assert raised.value.code == "overfill" and raised.value.status == S.FILLED
    assert oms.counters()["overfills"] == 2


def test_amend_ack_below_the_filled_quantity_is_an_overfill() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, PRICE, 6)
    oms.fill(oid, 1, PRICE, 8)  # the venue cannot have applied the amend
    with pytest.raises(OverfillError, match="amended quantity 6 is below the filled quantity 8"):
        oms.amend_ack(oid, PRICE, 6)
    assert oms.status(oid) == S.PENDING_AMEND and oms.order(oid).amend_outstanding
    assert oms.amend_reject(oid) == APPLIED and oms.status(oid) == S.PARTIALLY_FILLED


@pytest.mark.parametrize("cancel_first", [False, True])
def test_amend_reject_after_fills_beyond_the_old_quantity_is_an_overfill(cancel_first: bool) -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, PRICE, 15)
    if cancel_first:
        oms.cancel_request(oid)
        oms.cancel_ack(oid)
    oms.fill(oid, 1, PRICE, 12)  # only possible if the venue applied the amend
    before = oms.orders_array()
    with pytest.raises(OverfillError, match="filled quantity 12 exceeds the unamended quantity 10"):
        oms.amend_reject(oid)
    assert oms.orders_array().tobytes() == before.tobytes()


def test_fill_limit_while_amend_outstanding_is_the_larger_quantity() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.amend_request(oid, PRICE, 12)
    oms.fill(oid, 1, PRICE, 12)
    assert oms.status(oid) == S.FILLED and oms.order(oid).qty == 12
    down = accepted(oms)
    oms.amend_request(down, PRICE, 4)
    with pytest.raises(OverfillError):
        oms.fill(down, 1, PRICE, 11)


# ---- client order ids -------------------------------------------------------------------------

def test_generated_client_ids_are_sequential_and_deterministic() -> None:
    ids = []
    for _ in range(2):
        oms = OrderManager("run7-")
        oids = [new_order(oms) for _ in range(3)]
        ids.append([oms.order(oid).client_order_id for oid in oids])
        assert [oms.find(c) for c in ids[-1]] == oids
    assert ids[0] == ids[1] == ["run7-1", "run7-2", "run7-3"]


def test_generated_ids_skip_ids_a_user_took() -> None:
    oms = OrderManager()
    user = new_order(oms, client_order_id="vz-2")
    generated = [new_order(oms) for _ in range(3)]
    assert [oms.order(oid).client_order_id for oid in generated] == ["vz-1", "vz-3", "vz-4"]
    assert oms.find("vz-2") == user and oms.find("vz-3") == generated[1]
    assert len({oms.order(oid).client_order_id for oid in [user, *generated]}) == 4


def test_reusing_a_client_id_is_refused_for_live_and_finished_orders() -> None:
    oms = OrderManager()
    live = new_order(oms, client_order_id="strategy-a.1")
    with pytest.raises(ClientOrderIdInUseError, match=f"'strategy-a.1' is already used by order {live}"):
        new_order(oms, client_order_id="strategy-a.1")
    oms.cancel_request(live)  # finished: the id stays taken for the run
    with pytest.raises(ClientOrderIdInUseError):
        new_order(oms, client_order_id="strategy-a.1")
    generated = new_order(oms)
    with pytest.raises(ClientOrderIdInUseError, match="already used by order 2"):
        new_order(oms, client_order_id=oms.order(generated).client_order_id)
    assert len(oms) == 2  # refused submits take no order id
    assert new_order(oms, client_order_id="vz-02") == 3  # not the generator's spelling of 2


@pytest.mark.parametrize("bad_id", ["", "has space", "bang!", "x" * 37, "caf\u00e9", "tab\t"])
def test_invalid_client_ids_are_refused(bad_id: str) -> None:
    oms = OrderManager()
    with pytest.raises(InvalidOrderError) as raised:
        new_order(oms, client_order_id=bad_id)
    assert raised.value.code == "invalid_client_order_id" and len(oms) == 0


def test_valid_client_id_alphabet_and_36_characters() -> None:
    oms = OrderManager()
    longest = "A.b:c/d_e-0123456789" + "z" * 16
    assert len(longest) == 36
    oid = new_order(oms, client_order_id=longest)
    assert oms.order(oid).client_order_id == longest and oms.find(longest) == oid
    assert oms.orders_array()["client_order_id"][0] == longest.encode()
    assert oms.find("unknown") is None and oms.find("no such!") is None


@pytest.mark.parametrize("prefix", ["x" * 17, "bad prefix", "p!"])
def test_invalid_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(InvalidOrderError, match="prefix"):
        OrderManager(prefix)


def test_empty_prefix_generates_bare_counters() -> None:
    oms = OrderManager("")
    assert oms.order(new_order(oms)).client_order_id == "1" and oms.client_id_prefix == ""


# ---- bad input changes nothing ----------------------------------------------------------------

BAD_SUBMITS: list[tuple[dict[str, object], type[OrderError], str]] = [
    ({"qty": 0}, InvalidOrderError, "quantity 0 lots is not positive"),
    ({"qty": -5}, InvalidOrderError, "quantity -5 lots is not positive"),
    ({"price": 0}, InvalidOrderError, "price 0 ticks is not valid"),
    ({"price": -1, "order_type": OrderType.MARKET}, InvalidOrderError, "price -1 ticks"),
    ({"order_type": OrderType.STOP_MARKET, "price": 0}, InvalidOrderError, "stop price 0 ticks"),
    ({"order_type": OrderType.STOP_LIMIT, "stop_price": -3}, InvalidOrderError, "stop price -3 ticks"),
    ({"side": 2}, InvalidOrderError, "out of range"),
    ({"order_type": 6}, InvalidOrderError, "out of range"),
    ({"time_in_force": 4}, InvalidOrderError, "out of range"),
    ({"position_side": 3}, InvalidOrderError, "out of range"),
    ({"trigger_source": 2}, InvalidOrderError, "out of range"),
]


@pytest.mark.parametrize(("changes", "error_type", "text"), BAD_SUBMITS)
def test_bad_submit_changes_nothing(changes: dict[str, object], error_type: type[OrderError], text: str) -> None:
    oms = OrderManager()
    existing = accepted(oms)
    before = oms.orders_array()
    args: dict[str, object] = {"instrument": 0, "side": OrderSide.BUY, "order_type": OrderType.LIMIT, "qty": QTY,
                               "price": PRICE, **changes}
    with pytest.raises(error_type, match=text) as raised:
        oms.submit(**args)  # type: ignore[arg-type]
    assert str(raised.value).startswith("new order: submit refused: ")
    assert raised.value.order_id is None and raised.value.status is None
    assert oms.orders_array().tobytes() == before.tobytes() and len(oms) == 1
    assert oms.order(new_order(oms)).client_order_id == "vz-2"  # the refused order used no id
    assert oms.status(existing) == S.ACCEPTED


def test_conditional_orders_carry_a_stop_price() -> None:
    oms = OrderManager()
    oid = oms.submit(0, OrderSide.SELL, OrderType.STOP_LIMIT, 5, 990, stop_price=995, reduce_only=True)
    view = oms.order(oid)
    assert (view.order_type, view.side, view.stop_price, view.price, view.reduce_only) == (
        OrderType.STOP_LIMIT, OrderSide.SELL, 995, 990, True)


NO_PREPARATION: Callable[[OrderManager, int], object] = lambda oms, oid: None
BAD_EVENTS: list[tuple[str, Callable[[OrderManager, int], object], Callable[[OrderManager, int], object],
                       type[OrderError], str]] = [
    ("fill of zero", NO_PREPARATION, lambda oms, oid: oms.fill(oid, 9, PRICE, 0), InvalidOrderError,
     "quantity 0 lots"),
    ("fill of negative", NO_PREPARATION, lambda oms, oid: oms.fill(oid, 9, PRICE, -2), InvalidOrderError,
     "quantity -2 lots"),
    ("amend to zero", NO_PREPARATION, lambda oms, oid: oms.amend_request(oid, PRICE, 0), InvalidOrderError,
     "not positive"),
    ("amend to zero price", NO_PREPARATION, lambda oms, oid: oms.amend_request(oid, 0, 12), InvalidOrderError,
     "price is not positive"),
    ("amend to the filled qty", NO_PREPARATION, lambda oms, oid: oms.amend_request(oid, PRICE, 4),
     InvalidOrderError, "must exceed the filled quantity"),
    ("unknown order", NO_PREPARATION, lambda oms, oid: oms.cancel_request(oid + 100), UnknownOrderError,
     "unknown order id"),
    ("unknown order fill", NO_PREPARATION, lambda oms, oid: oms.fill(0, 1, PRICE, 1), UnknownOrderError,
     "order 0: fill refused"),
    ("second cancel", lambda oms, oid: oms.cancel_request(oid), lambda oms, oid: oms.cancel_request(oid),
     OrderStateError, "a cancel is already pending"),
    ("second amend", lambda oms, oid: oms.amend_request(oid, 101, 12), lambda oms, oid: oms.amend_request(oid, 102, 12),
     OrderStateError, "an amend is already pending"),
]


@pytest.mark.parametrize(("name", "prepare", "call", "error_type", "text"), BAD_EVENTS,
                         ids=[b[0] for b in BAD_EVENTS])
def test_bad_events_change_nothing(name: str, prepare: Callable[[OrderManager, int], object],
                                   call: Callable[[OrderManager, int], object], error_type: type[OrderError],
                                   text: str) -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.fill(oid, 1, PRICE, 4)
    prepare(oms, oid)
    before = oms.orders_array()
    with pytest.raises(error_type, match=text):
        call(oms, oid)
    assert oms.orders_array().tobytes() == before.tobytes()


def test_amend_of_a_filled_order_and_cancel_of_a_finished_one() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.fill(oid, 1, PRICE, QTY)
    with pytest.raises(OrderStateError, match=r"order 1 'vz-1' is FILLED: amend_request refused: the order is finished"):
        oms.amend_request(oid, 101, 20)
    with pytest.raises(OrderStateError, match="is FILLED: cancel_request refused: the order is finished"):
        oms.cancel_request(oid)


def test_amend_of_a_market_order_is_refused() -> None:
    oms = OrderManager()
    oid = accepted(oms, order_type=OrderType.MARKET)
    with pytest.raises(InvalidOrderError, match="only LIMIT orders can be amended"):
        oms.amend_request(oid, 101, 12)
    with pytest.raises(OrderStateError, match="has not acknowledged the order yet"):
        oms.amend_request(new_order(oms), 101, 12)


def test_unknown_order_reads_raise() -> None:
    oms = OrderManager()
    for read in (oms.order, oms.status):
        with pytest.raises(UnknownOrderError, match="order 5: unknown order id"):
            read(5)
    with pytest.raises(OverflowError):
        oms.ack(-1)


# ---- reading orders ---------------------------------------------------------------------------

def test_snapshot_matches_the_views_field_by_field() -> None:
    oms = OrderManager()
    a = accepted(oms, ts_ns=5)
    oms.fill(a, 1, 101, 3, 9)
    b = new_order(oms, client_order_id="mine")
    oms.mark_sent(b, 7)
    oms.amend_request(a, 102, 11, 12)
    table = oms.orders_array()
    assert table.dtype == ORDER_DTYPE and len(table) == len(oms) == 2
    assert ORDER_DTYPE.names is not None
    for row, oid in zip(table, (a, b)):
        view = oms.order(oid)
        for field in ORDER_DTYPE.names:
            if field.startswith("fill_notional") or field in ("amend_price", "amend_qty"):
                continue
            value = row[field]
            expected = getattr(view, field)
            assert (value.decode() if isinstance(value, bytes) else value) == expected, field
        assert (row["amend_price"], row["amend_qty"]) == ((102, 11) if oid == a else (0, 0))
    assert table["status"].tolist() == [S.PENDING_AMEND, S.NEW]


def test_fill_notional_is_exact_beyond_64_bits() -> None:
    oms = OrderManager()
    big_qty = 1 << 40
    oid = accepted(oms, qty=3 * big_qty)
    prices = [(1 << 61) - 1, (1 << 60) + 7, 3]
    for trade, price in enumerate(prices):
        oms.fill(oid, trade, price, big_qty)
    exact = sum(price * big_qty for price in prices)
    assert exact > 1 << 100
    view = oms.order(oid)
    assert view.fill_notional == exact
    assert view.avg_fill_price == exact / (3 * big_qty)
    row = oms.orders_array()[0]
    assert (int(row["fill_notional_hi"]) << 64) + int(row["fill_notional_lo"]) == exact
    assert avg_fill_prices(oms.orders_array())[0] == pytest.approx(exact / (3 * big_qty), rel=1e-15)


def test_avg_fill_price_and_notional() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    assert oms.order(oid).avg_fill_price is None
    assert np.isnan(avg_fill_prices(oms.orders_array())[0])
    oms.fill(oid, 1, 100, 3)
    oms.fill(oid, 2, 110, 1)
    assert oms.order(oid).fill_notional == 410 and oms.order(oid).avg_fill_price == 102.5


def test_view_is_live_and_cannot_be_built_directly() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    view = oms.order(oid)
    for _ in range(100):  # the manager's table moves as it grows; the view follows it
        new_order(oms)
    oms.fill(oid, 1, PRICE, 2)
    assert view.filled_qty == 2 and view.status == S.PARTIALLY_FILLED
    assert "status=PARTIALLY_FILLED" in repr(view) and view.to_dict()["filled_qty"] == 2
    with pytest.raises(TypeError):
        OrderView()


def test_empty_snapshot_and_counters() -> None:
    oms = OrderManager(reserve_orders=1000, reserve_fills=5000)
    assert oms.orders_array().shape == (0,)
    assert oms.counters() == {"orders": 0, "fills_applied": 0, "duplicate_fills": 0, "duplicate_reports": 0,
                              "late_reports": 0, "overfills": 0, "refused": 0}
    with pytest.raises(ValueError):
        OrderManager(reserve_orders=-1)


def test_last_update_is_the_latest_applied_event_time() -> None:
    oms = OrderManager()
    oid = new_order(oms, ts_ns=100)
    oms.mark_sent(oid, 110)
    oms.fill(oid, 1, PRICE, 2, 150)
    oms.ack(oid, 120)  # late: changes no timestamp
    oms.fill(oid, 2, PRICE, 2, 140)  # out of order: applied, last update stays 150
    view = oms.order(oid)
    assert (view.last_update_ns, view.acknowledged_ns, view.filled_qty) == (150, 150, 4)


def test_errors_pickle_and_carry_their_fields() -> None:
    oms = OrderManager()
    oid = accepted(oms)
    oms.cancel_request(oid)
    with pytest.raises(OrderStateError) as raised:
        oms.cancel_request(oid)
    copy = pickle.loads(pickle.dumps(raised.value))
    assert type(copy) is OrderStateError and str(copy) == str(raised.value)
    assert (copy.code, copy.event, copy.order_id, copy.client_order_id, copy.status) == (
        "illegal_transition", OrderEvent.CANCEL_REQUEST, oid, "vz-1", S.PENDING_CANCEL)
    assert isinstance(copy, ValueError) and issubclass(UnknownOrderError, LookupError)
