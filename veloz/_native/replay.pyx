# cython: boundscheck=False, wraparound=False, initializedcheck=False
"""The tick-replay driver binding: the C++ loop runs until an event a strategy subscribed to, and
this module turns that event into one small object and one Python call. See
csrc/veloz/replay_driver.hpp and docs/performance.md ("replay")."""
cimport cython
from libc.stdint cimport int8_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.string cimport memcpy
from libcpp.memory cimport unique_ptr
from libcpp.vector cimport vector

from checked_ints cimport as_int64, as_uint64
from config_parsing cimport decimal_e8, grid_from, latency_from
from accounts_decl cimport FuturesAccount, FuturesSummary, PositionSnapshot, SpotAccount, SpotBalance
from core_decl cimport (BookMarket, EmptyBookPolicy, ExecReport, L2Book as CL2Book, OrderSide, OrderType, PositionSide,
                        QueueModelKind, ReportKind, Side, TimeInForce, TriggerSource, WalkResult, kNoPrice, string_view)
from oms_decl cimport ClientOrderId, OmsResult, Order, OrderManager, OrderRequest, is_error
from replay_decl cimport (EquitySample, FillRecord, PositionSample, ReplayConfig, ReplayCounters,
                          ReplayDriver as CDriver, ReplayEvent, ReplayEventKind, ReplayInstrument, StreamChunk,
                          StreamKind)
from session_decl cimport SimExecutionCounters

import numpy as np

from veloz.errors import OrderRejectedError

include "replay_events.pxi"

MARKETS = {"spot": 0, "usdm": 1, "coinm": 2}
QUEUE_MODELS = {"conservative": 0, "probabilistic": 1}
STREAM_KINDS = {"trades": 0, "depth": 1, "book_ticker": 2, "mark_price": 3, "funding": 4}
SUB_TRADES, SUB_BOOK, SUB_DEPTH, SUB_BARS, SUB_MARK_PRICE, SUB_FUNDING = 1, 2, 4, 8, 16, 32

# What run() returns besides raising: the loop stopped because ...
RUN_END, RUN_NEED_DATA, RUN_PAUSED = 0, 1, 2

_FILL_FIELDS = ["ts", "order_id", "instrument", "side", "px", "qty", "fee_e8", "fee_asset", "is_maker", "trade_id",
                "decision_mid2", "realized_e8", "position_after"]
FILL_DTYPE = np.dtype([(name, np.int64) for name in _FILL_FIELDS])
EQUITY_DTYPE = np.dtype([(name, np.int64) for name in (
    "ts", "equity_e8", "wallet_e8", "unrealized_e8", "realized_e8", "fees_e8", "funding_e8", "gross_exposure_e8")])
POSITION_DTYPE = np.dtype([(name, np.int64) for name in (
    "ts", "instrument", "position_side", "qty", "entry_px", "mark_px", "unrealized_e8", "realized_e8")])
if FILL_DTYPE.itemsize != sizeof(FillRecord) or EQUITY_DTYPE.itemsize != sizeof(EquitySample) \
        or POSITION_DTYPE.itemsize != sizeof(PositionSample):
    raise ImportError("replay record dtypes do not match the C++ structs")


cdef object copy_records(const void* data, size_t n, object dtype):
    """A numpy copy of n C++ records laid out as `dtype` (checked against the structs at import)."""
    out = np.empty(n, dtype=dtype)
    cdef unsigned char[::1] raw
    if n:
        raw = out.view(np.uint8)
        memcpy(&raw[0], data, n * <size_t>dtype.itemsize)
    return out


cdef inline str client_id_str(const ClientOrderId& client_id):
    cdef string_view text = client_id.view()
    return text.data()[:text.size()].decode("ascii")


cdef object integers(object array, object dtype, str name):
    """The column as a contiguous array of `dtype`; a float column is refused, not truncated."""
    values = np.asarray(array)
    if values.dtype.kind not in "iub":
        raise ValueError(f"column {name} must hold integers (ticks, lots, ns), not {values.dtype}")
    return np.ascontiguousarray(values, dtype=dtype)


cdef inline const int64_t* i64_column(object array, size_t n, str name, list keep) except? NULL:
    if array is None:
        return NULL
    cdef const int64_t[::1] view = integers(array, np.int64, name)
    if <size_t>view.shape[0] != n:
        raise ValueError(f"column {name} has {view.shape[0]} rows, ts has {n}")
    keep.append(view)
    return &view[0] if n else NULL


cdef inline const int8_t* i8_column(object array, size_t n, str name, list keep) except? NULL:
    if array is None:
        return NULL
    cdef const int8_t[::1] view = integers(array, np.int8, name)
    if <size_t>view.shape[0] != n:
        raise ValueError(f"column {name} has {view.shape[0]} rows, ts has {n}")
    keep.append(view)
    return &view[0] if n else NULL


cdef class ReplayDriver:
    """The C++ replay loop for one run. veloz.backtest drives it; see that package for the API a
    user sees."""

    cdef unique_ptr[CDriver] drv
    cdef list refs          # InstrumentRef per instrument
    cdef list chunks        # per stream: the arrays the current chunk borrows
    cdef dict timer_names
    cdef object cb_trade, cb_book, cb_depth, cb_bar, cb_mark, cb_funding, cb_order, cb_fill, cb_timer
    cdef readonly str market
    cdef readonly bint callback_failed  # the last run() ended in an exception from a callback

    def __init__(self, str market, list instruments, *, str deposit="0", str account_asset="USDT",
                 tuple order_latency=("constant", 0, 0, 0.0, 0.0), tuple report_latency=("constant", 0, 0, 0.0, 0.0),
                 str queue_model="conservative", double queue_exponent=1.0, uint64_t seed=1, bint hedge_mode=False,
                 int64_t sample_interval_ns=1_000_000_000, int window_bits=18, str client_id_prefix="vz-",
                 bint check_margin=True):
        """`instruments`: dicts with symbol, tick_size, lot_size, base_asset, quote_asset,
        margin_asset, and optionally contract_size, maker_fee_rate, taker_fee_rate, leverage."""
        if market not in MARKETS:
            raise ValueError(f"market must be one of {sorted(MARKETS)}, not {market!r}")
        if queue_model not in QUEUE_MODELS:
            raise ValueError(f"queue_model must be one of {sorted(QUEUE_MODELS)}, not {queue_model!r}")
        if sample_interval_ns < 0:
            raise ValueError("sample_interval_ns must be >= 0")
        cdef ReplayConfig config
        config.market = <BookMarket><uint8_t>MARKETS[market]
        config.venue.order_latency = latency_from(order_latency, "order_latency")
        config.venue.report_latency = latency_from(report_latency, "report_latency")
        config.venue.queue.kind = <QueueModelKind><uint8_t>QUEUE_MODELS[queue_model]
        config.venue.queue.exponent = queue_exponent
        config.venue.empty_book = EmptyBookPolicy.expire
        config.venue.seed = seed
        config.hedge_mode = hedge_mode
        config.deposit_e8 = decimal_e8(deposit, "deposit")
        config.account_asset = account_asset.encode()
        config.window_bits = window_bits
        config.sample_interval_ns = sample_interval_ns
        config.check_margin = check_margin
        config.client_id_prefix = client_id_prefix.encode()
        cdef vector[ReplayInstrument] specs
        cdef ReplayInstrument spec
        cdef InstrumentRef ref
        self.refs = []
        for index, inst in enumerate(instruments):
            spec.spec.market = config.market
            spec.spec.price_grid = grid_from(inst["tick_size"], "tick size")
            spec.spec.qty_grid = grid_from(inst["lot_size"], "lot size")
            spec.spec.contract_size = inst.get("contract_size") or 0
            if market == "coinm" and spec.spec.contract_size <= 0:
                raise ValueError(f"{inst['symbol']}: a COIN-M instrument needs contract_size > 0")
            spec.spec.maker_fee_rate_e8 = decimal_e8(inst.get("maker_fee_rate", "0"), "maker fee rate")
            spec.spec.taker_fee_rate_e8 = decimal_e8(inst.get("taker_fee_rate", "0"), "taker fee rate")
            spec.risk.leverage = inst.get("leverage", 20)
            if spec.risk.leverage <= 0:
                raise ValueError("leverage must be positive")
            spec.base_asset = inst["base_asset"].encode()
            specs.push_back(spec)
            ref = InstrumentRef.__new__(InstrumentRef)
            ref.symbol = inst["symbol"]
            ref.index = index
            ref.price_step = spec.spec.price_grid.step_units
            ref.price_div = 10.0 ** spec.spec.price_grid.scale
            ref.qty_step = spec.spec.qty_grid.step_units
            ref.qty_div = 10.0 ** spec.spec.qty_grid.scale
            ref.fee_assets = (inst["base_asset"], inst["quote_asset"], inst["margin_asset"])
            self.refs.append(ref)
        self.drv.reset(new CDriver(config, specs))
        self.chunks = []
        self.timer_names = {}
        self.market = market

    # ---- setup -------------------------------------------------------------------------------

    def add_stream(self, int instrument, str kind) -> int:
        self._check_instrument(instrument)
        if kind not in STREAM_KINDS:
            raise ValueError(f"stream kind must be one of {sorted(STREAM_KINDS)}, not {kind!r}")
        self.chunks.append(None)
        return self.drv.get().add_stream(instrument, <StreamKind><uint8_t>STREAM_KINDS[kind])

    def subscribe(self, int instrument, uint32_t mask) -> None:
        self._check_instrument(instrument)
        self.drv.get().subscribe(instrument, mask)

    def set_bar_interval(self, int instrument, int64_t interval_ns) -> None:
        self._check_instrument(instrument)
        self.drv.get().set_bar_interval(instrument, interval_ns)

    def set_callbacks(self, *, on_trade=None, on_book=None, on_depth=None, on_bar=None, on_mark_price=None,
                      on_funding=None, on_order=None, on_fill=None, on_timer=None) -> None:
        """The functions the loop calls; None for a callback the strategy does not define."""
        self.cb_trade, self.cb_book, self.cb_depth, self.cb_bar = on_trade, on_book, on_depth, on_bar
        self.cb_mark, self.cb_funding, self.cb_order, self.cb_fill = on_mark_price, on_funding, on_order, on_fill
        self.cb_timer = on_timer
        self.drv.get().set_report_events(on_order is not None or on_fill is not None)

    cdef int _check_instrument(self, int instrument) except -1:
        if instrument < 0 or instrument >= len(self.refs):
            raise IndexError(f"no instrument {instrument}")
        return 0

    # ---- input -------------------------------------------------------------------------------

    def set_chunk(self, uint32_t stream, ts, local_ts, *, seq=None, v0=None, v1=None, v2=None, v3=None, side=None,
                  kind=None) -> None:
        """Hands the driver the next rows of `stream` (int64 columns, int8 side and kind). The
        arrays are kept until the next chunk of that stream."""
        if stream >= len(self.chunks):
            raise IndexError(f"no stream {stream}")
        cdef list keep = []
        cdef const int64_t[::1] ts_view = integers(ts, np.int64, "ts")
        cdef size_t n = ts_view.shape[0]
        keep.append(ts_view)
        cdef StreamChunk chunk
        chunk.size = n
        chunk.ts = &ts_view[0] if n else NULL
        chunk.local_ts = i64_column(local_ts, n, "local_ts", keep)
        chunk.seq = i64_column(seq, n, "seq", keep)
        chunk.v0 = i64_column(v0, n, "v0", keep)
        chunk.v1 = i64_column(v1, n, "v1", keep)
        chunk.v2 = i64_column(v2, n, "v2", keep)
        chunk.v3 = i64_column(v3, n, "v3", keep)
        chunk.side = i8_column(side, n, "side", keep)
        chunk.kind = i8_column(kind, n, "kind", keep)
        if n and chunk.local_ts == NULL:
            raise ValueError("local_ts is required")
        self.drv.get().set_chunk(stream, chunk)
        self.chunks[stream] = keep

    def end_stream(self, uint32_t stream) -> None:
        if stream >= len(self.chunks):
            raise IndexError(f"no stream {stream}")
        self.drv.get().end_stream(stream)
        self.chunks[stream] = None

    # ---- the loop ------------------------------------------------------------------------------

    def run(self, uint64_t budget=1 << 62) -> tuple:
        """Runs until the data runs out (RUN_END, 0), a stream needs its next chunk
        (RUN_NEED_DATA, stream) or `budget` data rows were consumed (RUN_PAUSED, 0). A callback's
        exception propagates; the event that raised it is consumed."""
        cdef ReplayEvent ev
        cdef ReplayEventKind kind
        cdef CDriver* drv = self.drv.get()
        cdef list refs = self.refs
        cdef object cb_trade = self.cb_trade, cb_book = self.cb_book, cb_depth = self.cb_depth
        cdef Trade trade
        cdef BookTop top
        cdef DepthUpdate depth
        self.callback_failed = False
        while True:
            kind = drv.next(ev, budget)  # an exception here is the driver's or the data's
            try:
                if kind == ReplayEventKind.trade:
                    trade = Trade.__new__(Trade)
                    trade.ref = <InstrumentRef>refs[ev.instrument]
                    trade.ts_ns = ev.ts
                    trade.trade_id = ev.id
                    trade.px_ticks = ev.v[0]
                    trade.qty_lots = ev.v[1]
                    trade.side = ev.side
                    cb_trade(trade)
                elif kind == ReplayEventKind.book:
                    top = BookTop.__new__(BookTop)
                    top.ref = <InstrumentRef>refs[ev.instrument]
                    top.ts_ns = ev.ts
                    top.bid_px_ticks = ev.v[0]
                    top.bid_qty_lots = ev.v[1]
                    top.ask_px_ticks = ev.v[2]
                    top.ask_qty_lots = ev.v[3]
                    cb_book(top)
                elif kind == ReplayEventKind.depth:
                    depth = DepthUpdate.__new__(DepthUpdate)
                    depth.ref = <InstrumentRef>refs[ev.instrument]
                    depth.ts_ns = ev.ts
                    depth.side = ev.side
                    depth.px_ticks = ev.v[0]
                    depth.qty_lots = ev.v[1]
                    depth.is_snapshot = ev.flag
                    cb_depth(depth)
                elif kind == ReplayEventKind.need_data:
                    return (RUN_NEED_DATA, ev.stream)
                elif kind == ReplayEventKind.paused:
                    return (RUN_PAUSED, 0)
                elif kind == ReplayEventKind.end:
                    return (RUN_END, 0)
                else:
                    self._dispatch_rare(ev)
            except BaseException:
                self.callback_failed = True  # the strategy's code raised (directly or via the Context)
                raise

    cdef int _dispatch_rare(self, ReplayEvent& ev) except -1:
        cdef InstrumentRef ref = <InstrumentRef>self.refs[ev.instrument]
        cdef Bar bar
        cdef MarkPrice mark
        cdef Funding funding
        cdef TimerEvent timer
        if ev.kind == ReplayEventKind.report:
            if ev.flag and self.cb_fill is not None:
                self.cb_fill(self._fill(ev, ref))
            if self.cb_order is not None:
                self.cb_order(self._order_update(ev, ref))
        elif ev.kind == ReplayEventKind.bar:
            bar = Bar.__new__(Bar)
            bar.ref = ref
            bar.ts_ns = ev.ts
            bar.open_ticks, bar.high_ticks, bar.low_ticks, bar.close_ticks = ev.v[0], ev.v[1], ev.v[2], ev.v[3]
            bar.volume_lots, bar.trade_count, bar.open_ts_ns, bar.interval_ns = ev.v[4], ev.v[5], ev.v[6], ev.v[7]
            self.cb_bar(bar)
        elif ev.kind == ReplayEventKind.mark_price:
            mark = MarkPrice.__new__(MarkPrice)
            mark.ref = ref
            mark.ts_ns = ev.ts
            mark.mark_px_ticks, mark.index_px_ticks = ev.v[0], ev.v[1]
            mark.funding_rate_e8, mark.next_funding_ts_ns = ev.v[2], ev.v[3]
            self.cb_mark(mark)
        elif ev.kind == ReplayEventKind.funding:
            funding = Funding.__new__(Funding)
            funding.ref = ref
            funding.ts_ns = ev.ts
            funding.rate_e8, funding.payment_e8, funding.mark_px_ticks = ev.v[0], ev.v[1], ev.v[2]
            self.cb_funding(funding)
        elif ev.kind == ReplayEventKind.timer:
            timer = TimerEvent.__new__(TimerEvent)
            timer.timer_id = <uint64_t>ev.id
            timer.name = self.timer_names.get(timer.timer_id, "")
            timer.ts_ns = ev.ts
            if self.cb_timer is not None:
                self.cb_timer(timer)
        return 0

    cdef Fill _fill(self, ReplayEvent& ev, InstrumentRef ref):
        cdef const ExecReport* r = &ev.report
        cdef const Order* order = self.drv.get().oms().find(r.order_id)
        cdef Fill fill = Fill.__new__(Fill)
        fill.ref = ref
        fill.ts_ns = ev.ts
        fill.order_id = r.order_id
        fill.trade_id = r.trade_id
        fill.side = <int>order.side
        fill.px_ticks = r.price
        fill.qty_lots = r.qty
        fill.is_maker = r.is_maker
        fill.fee_e8 = r.fee
        fill.fee_asset = ref.fee_assets[<int>r.fee_asset]
        return fill

    cdef OrderUpdate _order_update(self, ReplayEvent& ev, InstrumentRef ref):
        cdef const Order* order = self.drv.get().oms().find(ev.report.order_id)
        cdef OrderUpdate update = OrderUpdate.__new__(OrderUpdate)
        update.ref = ref
        update.ts_ns = ev.ts
        update.order_id = order.order_id
        update.client_order_id = client_id_str(order.client_order_id)
        update.side = <int>order.side
        update.order_type = <int>order.type
        update.status = <int>order.status
        update.report = <int>ev.report.kind
        update.px_ticks = order.price
        update.qty_lots = order.qty
        update.filled_lots = order.filled_qty
        update.reject_code = order.last_reject_code
        return update

    def finish(self) -> None:
        """Takes the closing equity and position sample."""
        self.drv.get().finish()

    # ---- commands ------------------------------------------------------------------------------

    cdef int _check(self, OmsResult result) except -1:
        if result == OmsResult.unknown_order:
            raise OrderRejectedError("unknown order id")
        if is_error(result):
            message = <const char*>self.drv.get().oms().last_error().message
            raise OrderRejectedError(message.decode("utf-8", "replace"))
        return 0

    def submit(self, int instrument, int side, int order_type, int64_t qty, int64_t price=0, *, int64_t stop_price=0,
               int tif=0, bint reduce_only=False, int position_side=0, int trigger=0) -> int:
        """Sends an order at the driver's clock; returns its order id."""
        self._check_instrument(instrument)
        if not (0 <= side <= 1 and 0 <= order_type <= 5 and 0 <= tif <= 3 and 0 <= position_side <= 2
                and 0 <= trigger <= 1):
            raise OrderRejectedError("side, order type, time in force, position side or trigger out of range")
        cdef OrderRequest request
        request.instrument = instrument
        request.side = <OrderSide><uint8_t>side
        request.type = <OrderType><uint8_t>order_type
        request.time_in_force = <TimeInForce><uint8_t>tif
        request.position_side = <PositionSide><uint8_t>position_side
        request.trigger_source = <TriggerSource><uint8_t>trigger
        request.reduce_only = reduce_only
        request.price = price
        request.stop_price = stop_price
        request.qty = qty
        cdef uint64_t order_id = 0
        self._check(self.drv.get().submit(request, order_id))
        return order_id

    def cancel(self, uint64_t order_id) -> None:
        self._check(self.drv.get().cancel(order_id))

    def amend(self, uint64_t order_id, int64_t price, int64_t qty) -> None:
        self._check(self.drv.get().amend(order_id, price, qty))

    def add_timer(self, int64_t due_ns, int64_t interval_ns=0, str name="") -> int:
        if due_ns < self.drv.get().now():
            raise ValueError("a timer cannot be due in the past")
        if interval_ns < 0:
            raise ValueError("a timer interval must be >= 0")
        cdef uint64_t timer_id = self.drv.get().add_timer(due_ns, interval_ns)
        self.timer_names[timer_id] = name
        return timer_id

    def cancel_timer(self, uint64_t timer_id) -> bool:
        return self.drv.get().cancel_timer(timer_id)

    @property
    def now(self) -> int:
        return self.drv.get().now()

    # ---- queries -------------------------------------------------------------------------------

    cdef const CL2Book* _book(self, int instrument) except NULL:
        self._check_instrument(instrument)
        return &self.drv.get().venue(instrument).book()

    def best(self, int instrument, int side):
        """(price ticks, qty lots) of the best bid (side +1) or ask (side -1), or None."""
        cdef const CL2Book* book = self._book(instrument)
        cdef Side s = Side.bid if side > 0 else Side.ask
        cdef int64_t price = book.best_price(s)
        return None if price == kNoPrice else (price, book.best_qty(s))

    def levels(self, int instrument, int side, size_t n) -> list:
        cdef const CL2Book* book = self._book(instrument)
        cdef Side s = Side.bid if side > 0 else Side.ask
        cdef list out = []
        cdef int64_t price = book.best_price(s)
        while price != kNoPrice and <size_t>len(out) < n:
            out.append((price, book.qty_at(s, price)))
            price = book.next_level(s, price)
        return out

    def depth(self, int instrument, int side, int64_t price) -> int:
        """Lots on `side` at prices at least as good as `price`."""
        cdef const CL2Book* book = self._book(instrument)
        cdef Side s = Side.bid if side > 0 else Side.ask
        cdef int64_t best = book.best_price(s)
        if best == kNoPrice:
            return 0
        if side > 0:
            return book.depth_between(s, price, best) if price <= best else 0
        return book.depth_between(s, best, price) if price >= best else 0

    def walk(self, int instrument, int order_side, int64_t qty) -> tuple:
        """A market order of `order_side` (0 buy, 1 sell) walking the book: (lots available,
        average price in ticks or None)."""
        cdef const CL2Book* book = self._book(instrument)
        cdef WalkResult r = book.walk(Side.ask if order_side == 0 else Side.bid, qty)
        return (r.filled_qty, r.notional / r.filled_qty if r.filled_qty > 0 else None)

    def order(self, uint64_t order_id):
        """(instrument, side, type, status, price, qty, filled, client id, avg price ticks or None,
        created ns, last update ns, reject code, reduce_only, tif, stop price), or None."""
        cdef const Order* o = self.drv.get().oms().find(order_id)
        if o == NULL:
            return None
        avg = None
        if o.filled_qty > 0:
            avg = (o.fill_notional_hi * 18446744073709551616.0 + o.fill_notional_lo) / o.filled_qty
        return (o.instrument, <int>o.side, <int>o.type, <int>o.status, o.price, o.qty, o.filled_qty,
                client_id_str(o.client_order_id), avg, o.created_ns, o.last_update_ns, o.last_reject_code,
                o.reduce_only, <int>o.time_in_force, o.stop_price)

    def open_order_ids(self) -> list:
        return list(self.drv.get().open_orders())

    def position(self, int instrument) -> tuple:
        """(qty lots signed, entry price ticks, unrealized e8, realized e8) of one instrument
        (hedge mode: long + short)."""
        self._check_instrument(instrument)
        cdef const FuturesAccount* futures = self.drv.get().futures()
        cdef PositionSnapshot p
        cdef int64_t qty = 0, entry = 0, unrealized = 0, realized = 0
        cdef int side
        self.drv.get().equity_now()  # brings marks up to date
        if futures != NULL:
            sides = [1, 2] if <int>futures.position_mode() == 1 else [0]
            for side in sides:
                p = futures.position(instrument, <PositionSide><uint8_t>side)
                qty += p.qty
                unrealized += p.unrealized_pnl_e8
                realized += p.realized_pnl_e8
                if p.qty != 0:
                    entry = p.entry_price
            return (qty, entry, unrealized, realized)
        cdef PositionSample sample = self.drv.get().spot_position_now(instrument, self.drv.get().now())
        # What can be sold: the base balance (after commissions paid in base), in whole lots
        cdef InstrumentRef ref = <InstrumentRef>self.refs[instrument]
        balance = self.spot_balance(ref.fee_assets[0])
        per_lot = int(round(ref.qty_step * 10 ** 8 / ref.qty_div))
        holdings = (balance[0] + balance[1]) // per_lot if balance is not None and per_lot > 0 else sample.qty
        return (holdings, sample.entry_px, sample.unrealized_e8, sample.realized_e8)

    def equity_now(self) -> dict:
        cdef EquitySample s = self.drv.get().equity_now()
        return {"equity_e8": s.equity_e8, "wallet_e8": s.wallet_e8, "unrealized_e8": s.unrealized_e8,
                "realized_e8": s.realized_e8, "fees_e8": s.fees_e8, "funding_e8": s.funding_e8,
                "gross_exposure_e8": s.gross_exposure_e8}

    def spot_balance(self, str asset):
        """(free e8, locked e8) of a spot asset, or None when the account has no such asset."""
        cdef const SpotAccount* spot = self.drv.get().spot()
        if spot == NULL:
            return None
        cdef bytes raw = asset.encode()
        cdef uint32_t asset_id = spot.find_asset(string_view(raw, len(raw)))
        if asset_id == 0xFFFFFFFF:
            return None
        cdef SpotBalance b = spot.balance(asset_id)
        return (b.free_e8, b.locked_e8)

    def futures_summary(self):
        cdef const FuturesAccount* futures = self.drv.get().futures()
        if futures == NULL:
            return None
        self.drv.get().equity_now()
        cdef FuturesSummary s = futures.summary()
        return {"wallet_balance_e8": s.wallet_balance_e8, "margin_balance_e8": s.margin_balance_e8,
                "available_balance_e8": s.available_balance_e8, "unrealized_pnl_e8": s.unrealized_pnl_e8}

    # ---- outputs -------------------------------------------------------------------------------

    def fills_array(self):
        return copy_records(self.drv.get().fills().data(), self.drv.get().fills().size(), FILL_DTYPE)

    def equity_array(self):
        return copy_records(self.drv.get().equity().data(), self.drv.get().equity().size(), EQUITY_DTYPE)

    def positions_array(self):
        return copy_records(self.drv.get().positions().data(), self.drv.get().positions().size(), POSITION_DTYPE)

    def orders_array(self):
        """Every order of the run as veloz._native.oms.ORDER_DTYPE."""
        from veloz._native.oms import ORDER_DTYPE
        cdef const OrderManager* oms = &self.drv.get().oms()
        return copy_records(oms.data(), oms.size(), ORDER_DTYPE)

    def counters(self) -> dict:
        cdef ReplayCounters c = self.drv.get().counters()
        cdef SimExecutionCounters e
        out = {"data_events": c.data_events, "python_events": c.python_events, "book_changes": c.book_changes,
               "reports": c.reports, "fills": c.fills, "funding_skipped": c.funding_skipped,
               "oms_refusals": 0, "account_refusals": 0, "local_rejects": 0}
        for i in range(len(self.refs)):
            e = self.drv.get().execution_counters(i)
            out["oms_refusals"] += e.oms_refusals
            out["account_refusals"] += e.account_refusals
            out["local_rejects"] += e.local_rejects
        return out
