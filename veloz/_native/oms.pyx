# cython: boundscheck=False, wraparound=False, initializedcheck=False
"""Order state machine (csrc/veloz/order_state_machine.hpp) bindings.

Events are one call each and return a ReportOutcome; refused events raise an OrderError subclass
built from the C++ error record. Orders are read through OrderView (fields read from C++ memory
on access) or all at once as a numpy structured array copied in one memcpy.
"""
cimport cython
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy
from libcpp.memory cimport unique_ptr

from core_decl cimport string_view
from oms_decl cimport (ClientOrderId, OmsCounters, OmsError, OmsResult, Order, OrderEvent as COrderEvent,
                       OrderManager as COrderManager, OrderRequest, is_error, result_name,
                       run_order_cycles as c_run_order_cycles)
from order_types_decl cimport (FeeAsset as CFeeAsset, OrderSide as COrderSide, OrderStatus as COrderStatus,
                               OrderType as COrderType, PositionSide as CPositionSide, TimeInForce as CTimeInForce,
                               TriggerSource as CTriggerSource, is_terminal)

import numpy as np

from veloz.errors import (ClientOrderIdInUseError, InvalidOrderError, OrderStateError, OverfillError,
                          UnknownOrderError)
from veloz.order_types import (FeeAsset, OrderEvent, OrderSide, OrderStatus, OrderType, PositionSide, ReportOutcome,
                               TimeInForce, TriggerSource)


def _check_enum_mirror():
    """veloz.order_types mirrors the C++ enums by hand; a drift would silently mislabel orders."""
    pairs = (
        (OrderSide.SELL, <int>COrderSide.sell), (OrderType.TAKE_PROFIT_MARKET, <int>COrderType.take_profit_market),
        (OrderType.STOP_LIMIT, <int>COrderType.stop_limit), (TimeInForce.GTX, <int>CTimeInForce.gtx),
        (PositionSide.SHORT, <int>CPositionSide.short_side), (TriggerSource.MARK_PRICE, <int>CTriggerSource.mark_price),
        (FeeAsset.MARGIN, <int>CFeeAsset.margin), (OrderStatus.PENDING_AMEND, <int>COrderStatus.pending_amend),
        (OrderStatus.EXPIRED, <int>COrderStatus.expired), (OrderStatus.PENDING_CANCEL, <int>COrderStatus.pending_cancel),
        (OrderEvent.EXPIRE, <int>COrderEvent.expire), (OrderEvent.AMEND_ACK, <int>COrderEvent.amend_ack),
        (ReportOutcome.LATE, <int>OmsResult.late), (ReportOutcome.DUPLICATE, <int>OmsResult.duplicate),
    )
    for member, native in pairs:
        if int(member) != native:
            raise ImportError(f"veloz.order_types.{type(member).__name__}.{member.name} is {int(member)}, "
                              f"the C++ enum says {native}")
    for enum_type in (OrderSide, OrderType, TimeInForce, PositionSide, TriggerSource, FeeAsset, OrderStatus,
                      OrderEvent, ReportOutcome):
        if [int(m) for m in enum_type] != list(range(len(enum_type))):
            raise ImportError(f"veloz.order_types.{enum_type.__name__} values must be 0, 1, 2, ...")
    for status in OrderStatus:
        if status.is_terminal != is_terminal(<COrderStatus><uint8_t>int(status)):
            raise ImportError(f"OrderStatus.{status.name}.is_terminal disagrees with C++ is_terminal")


_check_enum_mirror()

# Indexed by the C++ value: a tuple lookup instead of an enum call per returned value.
cdef tuple _OUTCOMES = tuple(ReportOutcome)
cdef tuple _STATUSES = tuple(OrderStatus)
cdef tuple _SIDES = tuple(OrderSide)
cdef tuple _TYPES = tuple(OrderType)
cdef tuple _TIFS = tuple(TimeInForce)
cdef tuple _POSITION_SIDES = tuple(PositionSide)
cdef tuple _TRIGGERS = tuple(TriggerSource)
cdef dict _ERROR_TYPES = {
    <int>OmsResult.illegal_transition: OrderStateError,
    <int>OmsResult.overfill: OverfillError,
    <int>OmsResult.invalid_quantity: InvalidOrderError,
    <int>OmsResult.invalid_price: InvalidOrderError,
    <int>OmsResult.invalid_request: InvalidOrderError,
    <int>OmsResult.invalid_client_order_id: InvalidOrderError,
    <int>OmsResult.client_order_id_in_use: ClientOrderIdInUseError,
    <int>OmsResult.unknown_order: UnknownOrderError,
}


cdef inline str client_id_str(const ClientOrderId& client_id):
    cdef string_view text = client_id.view()
    return text.data()[:text.size()].decode("ascii")


cdef Order _layout  # only its field addresses are used, to build ORDER_DTYPE


cdef size_t _offset(const void* field):
    return <size_t>field - <size_t>&_layout


# Mirrors struct Order field by field, with C++'s own offsets and size.
ORDER_DTYPE = np.dtype({
    "names": ["order_id", "client_order_id", "instrument", "side", "order_type", "time_in_force", "position_side",
              "trigger_source", "reduce_only", "status", "sent", "acknowledged", "cancel_outstanding",
              "amend_outstanding", "price", "stop_price", "qty", "filled_qty", "fill_notional_lo",
              "fill_notional_hi", "amend_price", "amend_qty", "created_ns", "sent_ns", "acknowledged_ns",
              "last_update_ns", "last_reject_code", "fill_count", "duplicate_count", "late_count", "amend_count"],
    "formats": ["<u8", "S36", "<u4", "u1", "u1", "u1", "u1", "u1", "?", "u1", "?", "?", "?", "?", "<i8", "<i8", "<i8",
                "<i8", "<u8", "<i8", "<i8", "<i8", "<i8", "<i8", "<i8", "<i8", "<i4", "<u4", "<u4", "<u4", "<u4"],
    "offsets": [_offset(&_layout.order_id), _offset(&_layout.client_order_id), _offset(&_layout.instrument),
                _offset(&_layout.side), _offset(&_layout.type), _offset(&_layout.time_in_force),
                _offset(&_layout.position_side), _offset(&_layout.trigger_source), _offset(&_layout.reduce_only),
                _offset(&_layout.status), _offset(&_layout.sent), _offset(&_layout.acknowledged),
                _offset(&_layout.cancel_outstanding), _offset(&_layout.amend_outstanding), _offset(&_layout.price),
                _offset(&_layout.stop_price), _offset(&_layout.qty), _offset(&_layout.filled_qty),
                _offset(&_layout.fill_notional_lo), _offset(&_layout.fill_notional_hi),
                _offset(&_layout.amend_price), _offset(&_layout.amend_qty), _offset(&_layout.created_ns),
                _offset(&_layout.sent_ns), _offset(&_layout.acknowledged_ns), _offset(&_layout.last_update_ns),
                _offset(&_layout.last_reject_code), _offset(&_layout.fill_count), _offset(&_layout.duplicate_count),
                _offset(&_layout.late_count), _offset(&_layout.amend_count)],
    "itemsize": sizeof(Order),
})


@cython.final
@cython.auto_pickle(False)
cdef class OrderManager:
    """Every order of a run and the state machine that moves them (docs/oms.md).

    ``client_id_prefix`` starts generated client order ids (prefix1, prefix2, ...); use one per
    run (e.g. a run id) when trading live, so ids stay unique across restarts. ``reserve_orders``
    and ``reserve_fills`` pre-size the tables so steady-state events allocate nothing.
    """

    cdef unique_ptr[COrderManager] mgr
    cdef OrderRequest request  # reused by submit()

    def __cinit__(self, str client_id_prefix="vz-", Py_ssize_t reserve_orders=0, Py_ssize_t reserve_fills=0):
        if reserve_orders < 0 or reserve_fills < 0:
            raise ValueError("reserve_orders and reserve_fills must be >= 0")
        cdef bytes prefix = client_id_prefix.encode("ascii", "replace")
        try:
            self.mgr.reset(new COrderManager(string_view(prefix, len(prefix))))
        except ValueError as e:  # std::invalid_argument
            raise InvalidOrderError(str(e), "invalid_client_order_id", int(OrderEvent.SUBMIT)) from None
        self.mgr.get().reserve(<size_t>reserve_orders, <size_t>reserve_fills)

    def __init__(self, str client_id_prefix="vz-", Py_ssize_t reserve_orders=0, Py_ssize_t reserve_fills=0):
        pass  # all set up in __cinit__; declared so the signature is introspectable

    cdef object raise_error(self):
        cdef const OmsError* e = &self.mgr.get().last_error()
        exists = e.order_id != 0 and e.code != OmsResult.unknown_order
        raise _ERROR_TYPES[<int>e.code](
            (<const char*>e.message).decode("utf-8", "replace"), result_name(e.code).decode(), <int>e.event,
            e.order_id if e.order_id != 0 else None,
            client_id_str(e.client_order_id) if exists else None,
            <int>e.status if exists else None)

    cdef inline object outcome(self, OmsResult result):
        if is_error(result):
            return self.raise_error()
        return _OUTCOMES[<int>result]

    def submit(self, uint32_t instrument, uint8_t side, uint8_t order_type, int64_t qty, int64_t price=0, *,
               int64_t stop_price=0, uint8_t time_in_force=0, bint reduce_only=False, uint8_t position_side=0,
               uint8_t trigger_source=0, str client_order_id=None, int64_t ts_ns=0) -> int:
        """Creates a NEW order and returns its id (1, 2, ...). ``client_order_id=None`` generates
        one. Raises InvalidOrderError (bad quantity, price, enum or client id) or
        ClientOrderIdInUseError; a refused order takes no id."""
        cdef bytes raw_id
        self.request.instrument = instrument
        self.request.side = <COrderSide>side
        self.request.type = <COrderType>order_type
        self.request.time_in_force = <CTimeInForce>time_in_force
        self.request.position_side = <CPositionSide>position_side
        self.request.trigger_source = <CTriggerSource>trigger_source
        self.request.reduce_only = reduce_only
        self.request.price = price
        self.request.stop_price = stop_price
        self.request.qty = qty
        self.request.ts_ns = ts_ns
        if client_order_id is None:
            self.request.client_order_id.reset()
        else:
            raw_id = client_order_id.encode("ascii", "replace")  # '?' is refused with the rest
            self.request.client_order_id.emplace(<const char*>raw_id, len(raw_id))
        cdef uint64_t order_id = 0
        cdef OmsResult result = self.mgr.get().submit(self.request, order_id)
        self.request.client_order_id.reset()  # raw_id dies here
        if is_error(result):
            return self.raise_error()
        return order_id

    def mark_sent(self, uint64_t order_id, int64_t ts_ns=0):
        """The order went out to the venue."""
        return self.outcome(self.mgr.get().mark_sent(order_id, ts_ns))

    def ack(self, uint64_t order_id, int64_t ts_ns=0):
        """The venue accepted the order."""
        return self.outcome(self.mgr.get().ack(order_id, ts_ns))

    def reject(self, uint64_t order_id, int32_t venue_code=0, int64_t ts_ns=0):
        """The venue (or a local check, before sending) rejected the order; ``venue_code`` e.g. -2010."""
        return self.outcome(self.mgr.get().reject(order_id, venue_code, ts_ns))

    def fill(self, uint64_t order_id, int64_t trade_id, int64_t price, int64_t qty, int64_t ts_ns=0):
        """A fill of ``qty`` lots at ``price`` ticks; a repeated ``trade_id`` is a DUPLICATE."""
        return self.outcome(self.mgr.get().fill(order_id, trade_id, price, qty, ts_ns))

    def cancel_request(self, uint64_t order_id, int64_t ts_ns=0):
        """We ask to cancel (an order not sent yet is CANCELED at once)."""
        return self.outcome(self.mgr.get().cancel_request(order_id, ts_ns))

    def cancel_ack(self, uint64_t order_id, int64_t ts_ns=0):
        """The venue canceled the order (at our request or on its own)."""
        return self.outcome(self.mgr.get().cancel_ack(order_id, ts_ns))

    def cancel_reject(self, uint64_t order_id, int32_t venue_code=0, int64_t ts_ns=0):
        """The venue refused our cancel, e.g. -2011 for an order that had already filled."""
        return self.outcome(self.mgr.get().cancel_reject(order_id, venue_code, ts_ns))

    def amend_request(self, uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns=0):
        """We ask to change a LIMIT order's price and quantity."""
        return self.outcome(self.mgr.get().amend_request(order_id, price, qty, ts_ns))

    def amend_ack(self, uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns=0):
        """The venue applied an amend; ``price`` and ``qty`` are the terms it reports."""
        return self.outcome(self.mgr.get().amend_ack(order_id, price, qty, ts_ns))

    def amend_reject(self, uint64_t order_id, int32_t venue_code=0, int64_t ts_ns=0):
        """The venue refused our amend."""
        return self.outcome(self.mgr.get().amend_reject(order_id, venue_code, ts_ns))

    def expire(self, uint64_t order_id, int64_t ts_ns=0):
        """The venue expired the order (IOC/FOK remainder, GTX that would take, ...)."""
        return self.outcome(self.mgr.get().expire(order_id, ts_ns))

    cdef const Order* existing(self, uint64_t order_id) except NULL:
        cdef const Order* order = self.mgr.get().find(order_id)
        if order == NULL:
            raise UnknownOrderError(f"order {order_id}: unknown order id", "unknown_order", int(OrderEvent.SUBMIT),
                                    order_id)
        return order

    def order(self, uint64_t order_id) -> OrderView:
        """A live view of one order: its fields are read from the manager on each access."""
        self.existing(order_id)
        return OrderView.create(self, <size_t>(order_id - 1))

    def status(self, uint64_t order_id):
        """The order's OrderStatus (the cheapest read)."""
        return _STATUSES[<int>self.existing(order_id).status]

    def find(self, str client_order_id):
        """The id of the order with this client order id, or None."""
        cdef bytes raw = client_order_id.encode("ascii", "replace")
        cdef uint64_t order_id = self.mgr.get().find_client_order_id(string_view(raw, len(raw)))
        return None if order_id == 0 else order_id

    def orders_array(self):
        """All orders, by id, as a numpy structured array of ORDER_DTYPE (one copy of the C++ table)."""
        cdef size_t count = self.mgr.get().size()
        out = np.empty(count, dtype=ORDER_DTYPE)
        cdef unsigned char[::1] raw
        if count:
            raw = out.view(np.uint8)
            memcpy(&raw[0], self.mgr.get().data(), count * sizeof(Order))
        return out

    def counters(self) -> dict:
        """Run totals: orders, fills_applied, duplicate_fills, duplicate_reports, late_reports,
        overfills, refused (events that raised, overfills included)."""
        cdef OmsCounters c = self.mgr.get().counters()
        return {"orders": c.orders, "fills_applied": c.fills_applied, "duplicate_fills": c.duplicate_fills,
                "duplicate_reports": c.duplicate_reports, "late_reports": c.late_reports, "overfills": c.overfills,
                "refused": c.refused}

    @property
    def client_id_prefix(self) -> str:
        cdef string_view prefix = self.mgr.get().client_id_prefix()
        return prefix.data()[:prefix.size()].decode("ascii")

    def __len__(self) -> int:
        return self.mgr.get().size()


@cython.final
@cython.auto_pickle(False)
cdef class OrderView:
    """One order of an OrderManager, read from C++ memory on each access (so it stays current)."""

    cdef OrderManager owner
    cdef size_t index

    def __init__(self, *args, **kwargs):
        raise TypeError("OrderView objects come from OrderManager.order()")

    @staticmethod
    cdef OrderView create(OrderManager owner, size_t index):
        cdef OrderView view = OrderView.__new__(OrderView)
        view.owner = owner
        view.index = index
        return view

    cdef inline const Order* o(self):
        return &self.owner.mgr.get().data()[self.index]

    @property
    def order_id(self) -> int:
        return self.o().order_id

    @property
    def client_order_id(self) -> str:
        return client_id_str(self.o().client_order_id)

    @property
    def instrument(self) -> int:
        return self.o().instrument

    @property
    def side(self):
        return _SIDES[<int>self.o().side]

    @property
    def order_type(self):
        return _TYPES[<int>self.o().type]

    @property
    def time_in_force(self):
        return _TIFS[<int>self.o().time_in_force]

    @property
    def position_side(self):
        return _POSITION_SIDES[<int>self.o().position_side]

    @property
    def trigger_source(self):
        return _TRIGGERS[<int>self.o().trigger_source]

    @property
    def reduce_only(self) -> bool:
        return self.o().reduce_only

    @property
    def status(self):
        return _STATUSES[<int>self.o().status]

    @property
    def is_terminal(self) -> bool:
        return is_terminal(self.o().status)

    @property
    def sent(self) -> bool:
        return self.o().sent

    @property
    def acknowledged(self) -> bool:
        return self.o().acknowledged

    @property
    def cancel_outstanding(self) -> bool:
        return self.o().cancel_outstanding

    @property
    def amend_outstanding(self) -> bool:
        return self.o().amend_outstanding

    @property
    def price(self) -> int:
        return self.o().price

    @property
    def stop_price(self) -> int:
        return self.o().stop_price

    @property
    def qty(self) -> int:
        return self.o().qty

    @property
    def filled_qty(self) -> int:
        return self.o().filled_qty

    @property
    def remaining_qty(self) -> int:
        return self.o().qty - self.o().filled_qty

    @property
    def fill_notional(self) -> int:
        """Sum of fill price x qty in ticks x lots, exact."""
        cdef const Order* order = self.o()
        return (<object>order.fill_notional_hi << 64) | order.fill_notional_lo

    @property
    def avg_fill_price(self):
        """Average fill price in ticks (float), or None before the first fill."""
        cdef const Order* order = self.o()
        if order.filled_qty == 0:
            return None
        return self.fill_notional / order.filled_qty

    @property
    def amend_price(self):
        """The outstanding amend's price, or None."""
        return self.o().amend_price if self.o().amend_outstanding else None

    @property
    def amend_qty(self):
        """The outstanding amend's quantity, or None."""
        return self.o().amend_qty if self.o().amend_outstanding else None

    @property
    def created_ns(self) -> int:
        return self.o().created_ns

    @property
    def sent_ns(self) -> int:
        return self.o().sent_ns

    @property
    def acknowledged_ns(self) -> int:
        return self.o().acknowledged_ns

    @property
    def last_update_ns(self) -> int:
        return self.o().last_update_ns

    @property
    def last_reject_code(self) -> int:
        return self.o().last_reject_code

    @property
    def fill_count(self) -> int:
        return self.o().fill_count

    @property
    def duplicate_count(self) -> int:
        return self.o().duplicate_count

    @property
    def late_count(self) -> int:
        return self.o().late_count

    @property
    def amend_count(self) -> int:
        return self.o().amend_count

    def to_dict(self) -> dict:
        """Every field, as of now."""
        return {name: getattr(self, name) for name in _VIEW_FIELDS}

    def __repr__(self) -> str:
        cdef const Order* order = self.o()
        return (f"OrderView(order_id={order.order_id}, client_order_id={self.client_order_id!r}, "
                f"status={self.status.name}, side={self.side.name}, qty={order.qty}, filled_qty={order.filled_qty}, "
                f"price={order.price})")


_VIEW_FIELDS = tuple(name for name, value in vars(OrderView).items()
                     if not name.startswith("_") and type(value).__name__ == "getset_descriptor")


def run_order_cycles(OrderManager manager not None, uint64_t cycles, int64_t ts_ns=0) -> int:
    """Benchmark helper: ``cycles`` submit -> mark_sent -> ack -> full fill cycles in one C++ loop
    (LIMIT buys of 10 lots at 1000 ticks). Returns how many events were not APPLIED (0 if sound)."""
    cdef uint64_t unexpected
    with nogil:
        unexpected = c_run_order_cycles(manager.mgr.get()[0], cycles, ts_ns)
    return unexpected
