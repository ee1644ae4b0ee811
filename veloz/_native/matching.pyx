# cython: boundscheck=False, wraparound=False, initializedcheck=False
"""Simulated venue (matching engine) bindings. Prices are ticks, quantities lots, times ns."""
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libc.string cimport memcpy
from libcpp.memory cimport unique_ptr

from checked_ints cimport as_int64, as_uint64
from config_parsing cimport decimal_e8, grid_from, latency_from
from core_decl cimport full_order_cycles, market_walks, order_cycles, queue_updates
from core_decl cimport (BookMarket, CommandStatus, DecimalGrid as CDecimalGrid, DecimalStatus, EmptyBookPolicy,
                        EngineCounters, ExecReport, InstrumentSpec, L2Book as CL2Book, LatencyConfig, LatencyKind,
                        MatchingEngine as CEngine, VenueOrderRequest, OrderSide, OrderType, PositionSide, QueueModelKind,
                        Side, SimOrder, TimeInForce, TriggerSource, VenueConfig, describe, kMaxAbsPrice, kNoPrice,
                        make_grid,
                        parse_steps, string_view)

import numpy as np

from veloz.errors import OrderRejectedError

MARKETS = {"spot": 0, "usdm": 1, "coinm": 2}
QUEUE_MODELS = {"conservative": 0, "probabilistic": 1}
EMPTY_BOOK_POLICIES = {"expire": 0, "reject": 1}

# Same layout as csrc/veloz/exec_report.hpp ExecReport (aligned like the C++ struct; checked below).
REPORT_DTYPE = np.dtype([
    ("order_id", np.uint64), ("kind", np.uint8), ("reason", np.uint8), ("status", np.uint8),
    ("is_maker", np.bool_), ("fee_asset", np.uint8), ("price", np.int64), ("qty", np.int64),
    ("cum_qty", np.int64), ("leaves_qty", np.int64), ("fee", np.int64), ("trade_id", np.int64),
    ("venue_ts", np.int64), ("deliver_ts", np.int64),
], align=True)
if REPORT_DTYPE.itemsize != sizeof(ExecReport):
    raise ImportError(f"REPORT_DTYPE is {REPORT_DTYPE.itemsize} bytes but ExecReport is {sizeof(ExecReport)}")
_NO_REPORTS = np.empty(0, dtype=REPORT_DTYPE)
_NO_REPORTS.flags.writeable = False


cdef class MatchingEngine:
    """One instrument's simulated venue. See veloz.matching for the typed API and docs/matching.md."""

    cdef unique_ptr[CEngine] engine

    def __init__(self, str market, str tick_size, str step_size, *, int64_t contract_size=0,
                 str maker_fee_rate="0", str taker_fee_rate="0", tuple order_latency=("constant", 0, 0, 0.0, 0.0),
                 tuple report_latency=("constant", 0, 0, 0.0, 0.0), str queue_model="conservative",
                 double queue_exponent=1.0, str empty_book="expire", bint hedge_mode=False, uint64_t seed=1,
                 int window_bits=18):
        if market not in MARKETS:
            raise ValueError(f"market must be one of {sorted(MARKETS)}, not {market!r}")
        if queue_model not in QUEUE_MODELS:
            raise ValueError(f"queue_model must be one of {sorted(QUEUE_MODELS)}, not {queue_model!r}")
        if empty_book not in EMPTY_BOOK_POLICIES:
            raise ValueError(f"empty_book must be one of {sorted(EMPTY_BOOK_POLICIES)}, not {empty_book!r}")
        if queue_exponent <= 0:
            raise ValueError("queue_exponent must be > 0")
        if market == "coinm" and contract_size <= 0:
            raise ValueError("a COIN-M instrument needs contract_size > 0")
        if hedge_mode and market == "spot":
            raise ValueError("hedge mode exists only on futures")
        cdef InstrumentSpec spec
        spec.market = <BookMarket><uint8_t>MARKETS[market]
        spec.price_grid = grid_from(tick_size, "tick size")
        spec.qty_grid = grid_from(step_size, "lot size")
        spec.contract_size = contract_size
        spec.maker_fee_rate_e8 = decimal_e8(maker_fee_rate, "maker fee rate")
        spec.taker_fee_rate_e8 = decimal_e8(taker_fee_rate, "taker fee rate")
        cdef VenueConfig config
        config.order_latency = latency_from(order_latency, "order_latency")
        config.report_latency = latency_from(report_latency, "report_latency")
        config.queue.kind = <QueueModelKind><uint8_t>QUEUE_MODELS[queue_model]
        config.queue.exponent = queue_exponent
        config.empty_book = <EmptyBookPolicy><uint8_t>EMPTY_BOOK_POLICIES[empty_book]
        config.hedge_mode = hedge_mode
        config.seed = seed
        self.engine.reset(new CEngine(spec, config, window_bits))

    cdef int check(self, CommandStatus status, str what) except -1:
        if status != CommandStatus.ok:
            raise OrderRejectedError(f"{what}: {describe(status).decode()}")
        return 0

    def submit(self, order_id, side, order_type, qty, price=0, *, ts, tif=0, stop_price=0,
               bint reduce_only=False, position_side=0, trigger=0) -> None:
        """Sends an order (enums from veloz.order_types); it reaches the venue after the order latency."""
        cdef int64_t c_side = as_int64(side, "side"), c_type = as_int64(order_type, "order_type")
        cdef int64_t c_tif = as_int64(tif, "tif"), c_position_side = as_int64(position_side, "position_side")
        cdef int64_t c_trigger = as_int64(trigger, "trigger")
        if not (0 <= c_side <= 1 and 0 <= c_type <= 5 and 0 <= c_tif <= 3 and 0 <= c_position_side <= 2
                and 0 <= c_trigger <= 1):
            raise ValueError("side, order_type, tif, position_side or trigger out of range")
        cdef VenueOrderRequest request
        request.order_id = as_uint64(order_id, "order_id")
        request.side = <OrderSide><uint8_t>c_side
        request.type = <OrderType><uint8_t>c_type
        request.tif = <TimeInForce><uint8_t>c_tif
        request.position_side = <PositionSide><uint8_t>c_position_side
        request.reduce_only = reduce_only
        request.trigger = <TriggerSource><uint8_t>c_trigger
        request.price = as_int64(price, "price")
        request.stop_price = as_int64(stop_price, "stop_price")
        request.qty = as_int64(qty, "qty")
        if request.price > kMaxAbsPrice or request.stop_price > kMaxAbsPrice:
            raise ValueError("price beyond 2**61 ticks")
        self.check(self.engine.get().submit(request, as_int64(ts, "ts")), f"order {request.order_id}")

    def cancel(self, order_id, *, ts) -> None:
        cdef uint64_t oid = as_uint64(order_id, "order_id")
        self.check(self.engine.get().cancel(oid, as_int64(ts, "ts")), f"cancel of order {oid}")

    def amend(self, order_id, price, qty, *, ts) -> None:
        cdef uint64_t oid = as_uint64(order_id, "order_id")
        self.check(self.engine.get().amend(oid, as_int64(price, "price"), as_int64(qty, "qty"), as_int64(ts, "ts")),
                   f"amend of order {oid}")

    def on_level(self, side, price, qty, ts) -> None:
        """A depth update in venue time: the new absolute quantity at a level (0 deletes it)."""
        cdef int64_t c_side = as_int64(side, "side"), c_price = as_int64(price, "price")
        cdef int64_t c_qty = as_int64(qty, "qty")
        if c_side not in (0, 1) or c_qty < 0 or c_price <= 0 or c_price > kMaxAbsPrice:
            raise ValueError(f"bad level: side {c_side}, price {c_price}, qty {c_qty}")
        self.engine.get().on_level(Side.ask if c_side else Side.bid, c_price, c_qty, as_int64(ts, "ts"))

    def on_trade(self, price, qty, aggressor_side, ts) -> None:
        """A market trade; aggressor_side 0 = buyer took the ask, 1 = seller hit the bid."""
        cdef int64_t c_price = as_int64(price, "price"), c_qty = as_int64(qty, "qty")
        cdef int64_t c_aggressor = as_int64(aggressor_side, "aggressor_side")
        if c_aggressor not in (0, 1) or c_qty <= 0 or c_price <= 0 or c_price > kMaxAbsPrice:
            raise ValueError(f"bad trade: price {c_price}, qty {c_qty}, aggressor {c_aggressor}")
        self.engine.get().on_trade(c_price, c_qty, <OrderSide><uint8_t>c_aggressor, as_int64(ts, "ts"))

    def on_mark_price(self, price, ts) -> None:
        cdef int64_t c_price = as_int64(price, "price")
        if c_price <= 0 or c_price > kMaxAbsPrice:
            raise ValueError(f"bad mark price {c_price}")
        self.engine.get().on_mark_price(c_price, as_int64(ts, "ts"))

    def advance_to(self, ts) -> None:
        """Lets every command that reached the venue by `ts` act."""
        self.engine.get().advance_to(as_int64(ts, "ts"))

    def drain_reports(self, up_to_ts, max_reports=65536):
        """Reports the strategy may see by `up_to_ts`, as a REPORT_DTYPE array (one copy)."""
        cdef int64_t up_to = as_int64(up_to_ts, "up_to_ts"), most = as_int64(max_reports, "max_reports")
        if most < 0:
            raise ValueError("max_reports must be >= 0")
        cdef Py_ssize_t n = <Py_ssize_t>min(<int64_t>self.engine.get().deliverable_reports(up_to), most)
        if n == 0:
            return _NO_REPORTS  # polling is frequent; allocating a structured array costs ~0.6 us
        out = np.empty(n, dtype=REPORT_DTYPE)
        cdef unsigned char[::1] raw = out.view(np.uint8)
        cdef size_t got = self.engine.get().drain_reports(up_to, <ExecReport*>&raw[0], <size_t>n)
        return out[:got]

    @property
    def pending_reports(self) -> int:
        return self.engine.get().pending_reports()

    def order(self, order_id):
        """(status, price, qty, filled, queue_ahead, working, resting, triggered) or None."""
        cdef const SimOrder* o = self.engine.get().find(as_uint64(order_id, "order_id"))
        if o == NULL:
            return None
        return (<int>o.status, o.price, o.qty, o.filled, o.queue_ahead, o.working, o.resting, o.triggered)

    @property
    def position(self) -> int:
        return self.engine.get().position()

    @property
    def long_position(self) -> int:
        return self.engine.get().long_position()

    @property
    def short_position(self) -> int:
        return self.engine.get().short_position()

    @property
    def last_trade_price(self) -> int:
        return self.engine.get().last_trade_price()

    @property
    def mark_price(self) -> int:
        return self.engine.get().mark_price()

    def best_bid(self):
        cdef const CL2Book* book = &self.engine.get().book()
        cdef int64_t p = book.best_price(Side.bid)
        return None if p == kNoPrice else (p, book.best_qty(Side.bid))

    def best_ask(self):
        cdef const CL2Book* book = &self.engine.get().book()
        cdef int64_t p = book.best_price(Side.ask)
        return None if p == kNoPrice else (p, book.best_qty(Side.ask))

    def counters(self) -> dict:
        cdef EngineCounters c = self.engine.get().counters()
        return {"commands": c.commands, "fills": c.fills, "maker_fills": c.maker_fills,
                "taker_fills": c.taker_fills, "reports": c.reports}




def bench_order_cycles(MatchingEngine engine, uint64_t first_order_id, int64_t cycles, int64_t start_ts) -> int:
    """C++ loop of submit -> arrive -> accept + fill -> drain; returns elapsed ns (benchmarks only)."""
    with nogil:
        elapsed = order_cycles(engine.engine.get()[0], first_order_id, cycles, start_ts)
    return elapsed


def bench_market_walks(MatchingEngine engine, uint64_t first_order_id, int64_t walks, int64_t qty,
                       int64_t start_ts) -> int:
    """C++ loop of market orders walking the asks (re-stated after each walk); returns elapsed ns."""
    with nogil:
        elapsed = market_walks(engine.engine.get()[0], first_order_id, walks, qty, start_ts)
    return elapsed


def bench_queue_updates(MatchingEngine engine, int64_t price, int64_t trades, int64_t start_ts) -> int:
    """C++ loop of 1-lot trades at `price` (a resting order's queue moves each time); returns ns."""
    with nogil:
        elapsed = queue_updates(engine.engine.get()[0], price, trades, start_ts)
    return elapsed


def bench_full_order_cycles(int64_t cycles) -> int:
    """C++ loop of the whole simulated order path (OMS -> venue -> reports -> OMS + account) for
    1-lot marketable limit orders; returns elapsed ns, or -1 if the last order did not fill."""
    with nogil:
        elapsed = full_order_cycles(cycles)
    return elapsed
