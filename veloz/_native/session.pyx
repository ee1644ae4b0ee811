# cython: boundscheck=False, wraparound=False
"""A simulated trading session for one instrument: OMS + matching engine + account, wired in C++.
One Python call submits an order; one call advances the venue and delivers its reports."""
from libc.stdint cimport int64_t, uint8_t, uint64_t
from libcpp.memory cimport unique_ptr

from checked_ints cimport as_int64, as_uint64
from config_parsing cimport decimal_e8, grid_from, latency_from
from core_decl cimport (BookMarket, DecimalGrid as CDecimalGrid, DecimalStatus, EmptyBookPolicy, LatencyConfig,
                        LatencyKind, OrderSide, OrderType, PositionSide, QueueModelKind, Side, TimeInForce,
                        TriggerSource, make_grid, parse_steps, string_view)
from accounts_decl cimport FuturesAccount, FuturesSummary
from oms_decl cimport OmsResult, Order, OrderRequest, is_error
from session_decl cimport SimExecutionCounters, SimSession as CSession, SimSessionConfig

from veloz.errors import OrderRejectedError

MARKETS = {"spot": 0, "usdm": 1, "coinm": 2}
QUEUE_MODELS = {"conservative": 0, "probabilistic": 1}


cdef class SimSession:
    """OMS + venue + account for one instrument (docs/matching.md, docs/oms.md, docs/accounting.md)."""

    cdef unique_ptr[CSession] session
    cdef readonly str market

    def __init__(self, str market, str tick_size, str lot_size, *, int64_t contract_size=0,
                 str maker_fee_rate="0", str taker_fee_rate="0", str deposit="0", int leverage=20,
                 tuple order_latency=("constant", 0, 0, 0.0, 0.0), tuple report_latency=("constant", 0, 0, 0.0, 0.0),
                 str queue_model="conservative", double queue_exponent=1.0, bint hedge_mode=False,
                 uint64_t seed=1, int window_bits=18):
        if market not in MARKETS:
            raise ValueError(f"market must be one of {sorted(MARKETS)}, not {market!r}")
        if queue_model not in QUEUE_MODELS:
            raise ValueError(f"queue_model must be one of {sorted(QUEUE_MODELS)}, not {queue_model!r}")
        if market == "coinm" and contract_size <= 0:
            raise ValueError("a COIN-M instrument needs contract_size > 0")
        if leverage <= 0:
            raise ValueError("leverage must be positive")
        cdef SimSessionConfig config
        config.spec.market = <BookMarket><uint8_t>MARKETS[market]
        config.spec.price_grid = grid_from(tick_size, "tick size")
        config.spec.qty_grid = grid_from(lot_size, "lot size")
        config.spec.contract_size = contract_size
        config.spec.maker_fee_rate_e8 = decimal_e8(maker_fee_rate, "maker fee rate")
        config.spec.taker_fee_rate_e8 = decimal_e8(taker_fee_rate, "taker fee rate")
        config.venue.order_latency = latency_from(order_latency, "order_latency")
        config.venue.report_latency = latency_from(report_latency, "report_latency")
        config.venue.queue.kind = <QueueModelKind><uint8_t>QUEUE_MODELS[queue_model]
        config.venue.queue.exponent = queue_exponent
        config.venue.empty_book = EmptyBookPolicy.expire
        config.venue.hedge_mode = hedge_mode
        config.venue.seed = seed
        config.risk.leverage = leverage
        config.hedge_mode = hedge_mode
        config.deposit_e8 = decimal_e8(deposit, "deposit")
        config.window_bits = window_bits
        self.session.reset(new CSession(config))
        self.market = market

    cdef int check(self, OmsResult result) except -1:
        if is_error(result):
            message = <const char*>self.session.get().oms().last_error().message
            raise OrderRejectedError(message.decode("utf-8", "replace"))
        return 0

    def submit(self, side, order_type, qty, price=0, *, ts, tif=0, stop_price=0, bint reduce_only=False,
               position_side=0, trigger=0) -> int:
        """Creates the order in the OMS and sends it; returns its order id."""
        cdef int64_t c_side = as_int64(side, "side"), c_type = as_int64(order_type, "order_type")
        cdef int64_t c_tif = as_int64(tif, "tif"), c_pos = as_int64(position_side, "position_side")
        cdef int64_t c_trigger = as_int64(trigger, "trigger")
        if not (0 <= c_side <= 1 and 0 <= c_type <= 5 and 0 <= c_tif <= 3 and 0 <= c_pos <= 2 and 0 <= c_trigger <= 1):
            raise ValueError("side, order_type, tif, position_side or trigger out of range")
        cdef OrderRequest request
        request.instrument = 0
        request.side = <OrderSide><uint8_t>c_side
        request.type = <OrderType><uint8_t>c_type
        request.time_in_force = <TimeInForce><uint8_t>c_tif
        request.position_side = <PositionSide><uint8_t>c_pos
        request.trigger_source = <TriggerSource><uint8_t>c_trigger
        request.reduce_only = reduce_only
        request.price = as_int64(price, "price")
        request.stop_price = as_int64(stop_price, "stop_price")
        request.qty = as_int64(qty, "qty")
        request.ts_ns = as_int64(ts, "ts")
        cdef uint64_t order_id = 0
        self.check(self.session.get().submit(request, order_id))
        return order_id

    def cancel(self, order_id, *, ts) -> None:
        self.check(self.session.get().cancel(as_uint64(order_id, "order_id"), as_int64(ts, "ts")))

    def amend(self, order_id, price, qty, *, ts) -> None:
        self.check(self.session.get().amend(as_uint64(order_id, "order_id"), as_int64(price, "price"),
                                            as_int64(qty, "qty"), as_int64(ts, "ts")))

    def advance(self, ts) -> int:
        """Lets the venue act on commands that reached it by `ts`; delivers due reports to the OMS
        and the account. Returns the number of reports delivered."""
        return self.session.get().advance(as_int64(ts, "ts"))

    def on_level(self, side, price, qty, ts) -> None:
        cdef int64_t c_side = as_int64(side, "side"), c_price = as_int64(price, "price"), c_qty = as_int64(qty, "qty")
        if c_side not in (0, 1) or c_qty < 0 or c_price <= 0:
            raise ValueError(f"bad level: side {c_side}, price {c_price}, qty {c_qty}")
        self.session.get().venue().on_level(Side.ask if c_side else Side.bid, c_price, c_qty, as_int64(ts, "ts"))

    def on_trade(self, price, qty, aggressor_side, ts) -> None:
        cdef int64_t c_price = as_int64(price, "price"), c_qty = as_int64(qty, "qty")
        cdef int64_t c_aggressor = as_int64(aggressor_side, "aggressor_side")
        if c_aggressor not in (0, 1) or c_qty <= 0 or c_price <= 0:
            raise ValueError(f"bad trade: price {c_price}, qty {c_qty}, aggressor {c_aggressor}")
        self.session.get().venue().on_trade(c_price, c_qty, <OrderSide><uint8_t>c_aggressor, as_int64(ts, "ts"))

    def on_mark_price(self, price, ts) -> None:
        cdef int64_t c_price = as_int64(price, "price")
        if c_price <= 0:
            raise ValueError(f"bad mark price {c_price}")
        self.session.get().venue().on_mark_price(c_price, as_int64(ts, "ts"))

    def order(self, order_id):
        """(status, price, qty, filled_qty) as the OMS sees it, or None."""
        cdef const Order* order = self.session.get().oms().find(as_uint64(order_id, "order_id"))
        if order == NULL:
            return None
        return (<int>order.status, order.price, order.qty, order.filled_qty)

    @property
    def position(self) -> int:
        """Net position in lots (futures, one-way)."""
        cdef FuturesAccount* account = self.session.get().futures()
        if account == NULL:
            raise ValueError("a spot session has balances, not positions")
        return account.position(0, PositionSide.both).qty

    def summary(self) -> dict:
        """Futures account summary (amounts in 1e-8 units of the margin asset)."""
        cdef FuturesAccount* account = self.session.get().futures()
        if account == NULL:
            raise ValueError("a spot session has no futures summary")
        cdef FuturesSummary s = account.summary()
        return {"wallet_balance": s.wallet_balance_e8, "unrealized_pnl": s.unrealized_pnl_e8,
                "margin_balance": s.margin_balance_e8, "realized_pnl": s.realized_pnl_e8, "fees": s.fees_e8,
                "funding": s.funding_e8}

    def counters(self) -> dict:
        cdef SimExecutionCounters c = self.session.get().execution().counters()
        return {"reports": c.reports, "fills": c.fills, "oms_refusals": c.oms_refusals,
                "account_refusals": c.account_refusals, "local_rejects": c.local_rejects}
