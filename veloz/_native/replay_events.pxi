# The objects a strategy receives, one per callback. Built by the replay loop with fields set
# directly (no __init__ call) from a free list, so creating one costs a few tens of ns.
# Included into replay.pyx.

@cython.final
@cython.auto_pickle(False)
cdef class InstrumentRef:
    """An instrument's name and the scales that turn ticks and lots into floats."""
    cdef readonly str symbol
    cdef readonly int index
    cdef double price_step  # step_units of the price grid
    cdef double price_div   # 10 ** price scale
    cdef double qty_step
    cdef double qty_div
    cdef readonly tuple fee_assets  # names of FeeAsset base, quote, margin

    cdef inline double price(self, int64_t ticks):
        return (ticks * self.price_step) / self.price_div

    cdef inline double qty(self, int64_t lots):
        return (lots * self.qty_step) / self.qty_div


@cython.final
@cython.freelist(32)
@cython.auto_pickle(False)
cdef class Trade:
    cdef InstrumentRef ref
    cdef readonly int64_t ts_ns
    cdef readonly int64_t trade_id
    cdef readonly int64_t px_ticks
    cdef readonly int64_t qty_lots
    cdef readonly int side

    @property
    def instrument(self) -> str:
        return self.ref.symbol

    @property
    def price(self) -> float:
        return self.ref.price(self.px_ticks)

    @property
    def qty(self) -> float:
        return self.ref.qty(self.qty_lots)

    def __repr__(self) -> str:
        return (f"Trade({self.ref.symbol} ts={self.ts_ns} id={self.trade_id} px={self.px_ticks} "
                f"qty={self.qty_lots} side={self.side:+d})")


@cython.final
@cython.freelist(16)
@cython.auto_pickle(False)
cdef class BookTop:
    cdef InstrumentRef ref
    cdef readonly int64_t ts_ns
    cdef readonly int64_t bid_px_ticks
    cdef readonly int64_t bid_qty_lots
    cdef readonly int64_t ask_px_ticks
    cdef readonly int64_t ask_qty_lots

    @property
    def instrument(self) -> str:
        return self.ref.symbol

    @property
    def bid(self) -> float:
        return self.ref.price(self.bid_px_ticks)

    @property
    def ask(self) -> float:
        return self.ref.price(self.ask_px_ticks)

    @property
    def mid(self) -> float:
        if self.bid_qty_lots == 0 or self.ask_qty_lots == 0:
            return float("nan")
        return self.ref.price(self.bid_px_ticks + self.ask_px_ticks) / 2.0

    def __repr__(self) -> str:
        return (f"BookTop({self.ref.symbol} ts={self.ts_ns} bid={self.bid_px_ticks}x{self.bid_qty_lots} "
                f"ask={self.ask_px_ticks}x{self.ask_qty_lots})")


@cython.final
@cython.freelist(16)
@cython.auto_pickle(False)
cdef class DepthUpdate:
    cdef InstrumentRef ref
    cdef readonly int64_t ts_ns
    cdef readonly int side
    cdef readonly int64_t px_ticks
    cdef readonly int64_t qty_lots
    cdef readonly bint is_snapshot

    @property
    def instrument(self) -> str:
        return self.ref.symbol

    def __repr__(self) -> str:
        return (f"DepthUpdate({self.ref.symbol} ts={self.ts_ns} side={self.side:+d} px={self.px_ticks} "
                f"qty={self.qty_lots}{' snapshot' if self.is_snapshot else ''})")


@cython.final
@cython.auto_pickle(False)
cdef class Bar:
    cdef InstrumentRef ref
    cdef readonly int64_t ts_ns
    cdef readonly int64_t open_ts_ns
    cdef readonly int64_t interval_ns
    cdef readonly int64_t open_ticks
    cdef readonly int64_t high_ticks
    cdef readonly int64_t low_ticks
    cdef readonly int64_t close_ticks
    cdef readonly int64_t volume_lots
    cdef readonly int64_t trade_count

    @property
    def instrument(self) -> str:
        return self.ref.symbol

    @property
    def open(self) -> float:
        return self.ref.price(self.open_ticks)

    @property
    def high(self) -> float:
        return self.ref.price(self.high_ticks)

    @property
    def low(self) -> float:
        return self.ref.price(self.low_ticks)

    @property
    def close(self) -> float:
        return self.ref.price(self.close_ticks)

    @property
    def volume(self) -> float:
        return self.ref.qty(self.volume_lots)

    def __repr__(self) -> str:
        return (f"Bar({self.ref.symbol} open_ts={self.open_ts_ns} o={self.open_ticks} h={self.high_ticks} "
                f"l={self.low_ticks} c={self.close_ticks} v={self.volume_lots} n={self.trade_count})")


@cython.final
@cython.auto_pickle(False)
cdef class MarkPrice:
    cdef InstrumentRef ref
    cdef readonly int64_t ts_ns
    cdef readonly int64_t mark_px_ticks
    cdef readonly int64_t index_px_ticks
    cdef readonly int64_t funding_rate_e8
    cdef readonly int64_t next_funding_ts_ns

    @property
    def instrument(self) -> str:
        return self.ref.symbol

    @property
    def mark_price(self) -> float:
        return self.ref.price(self.mark_px_ticks)


@cython.final
@cython.auto_pickle(False)
cdef class Funding:
    cdef InstrumentRef ref
    cdef readonly int64_t ts_ns
    cdef readonly int64_t rate_e8
    cdef readonly int64_t payment_e8
    cdef readonly int64_t mark_px_ticks

    @property
    def instrument(self) -> str:
        return self.ref.symbol

    @property
    def rate(self) -> float:
        return self.rate_e8 / 1e8

    @property
    def payment(self) -> float:
        return self.payment_e8 / 1e8


@cython.final
@cython.auto_pickle(False)
cdef class OrderUpdate:
    """An order's state after a venue report."""
    cdef InstrumentRef ref
    cdef readonly int64_t ts_ns
    cdef readonly uint64_t order_id
    cdef readonly str client_order_id
    cdef readonly int side
    cdef readonly int order_type
    cdef readonly int status
    cdef readonly int report
    cdef readonly int64_t px_ticks
    cdef readonly int64_t qty_lots
    cdef readonly int64_t filled_lots
    cdef readonly int reject_code

    @property
    def instrument(self) -> str:
        return self.ref.symbol

    @property
    def is_open(self) -> bool:
        return self.status not in (3, 4, 5, 6)

    def __repr__(self) -> str:
        return (f"OrderUpdate({self.ref.symbol} id={self.order_id} status={self.status} px={self.px_ticks} "
                f"qty={self.qty_lots} filled={self.filled_lots})")


@cython.final
@cython.auto_pickle(False)
cdef class Fill:
    cdef InstrumentRef ref
    cdef readonly int64_t ts_ns
    cdef readonly uint64_t order_id
    cdef readonly int64_t trade_id
    cdef readonly int side
    cdef readonly int64_t px_ticks
    cdef readonly int64_t qty_lots
    cdef readonly bint is_maker
    cdef readonly int64_t fee_e8
    cdef readonly str fee_asset

    @property
    def instrument(self) -> str:
        return self.ref.symbol

    @property
    def price(self) -> float:
        return self.ref.price(self.px_ticks)

    @property
    def qty(self) -> float:
        return self.ref.qty(self.qty_lots)

    def __repr__(self) -> str:
        return (f"Fill({self.ref.symbol} order={self.order_id} side={self.side} px={self.px_ticks} "
                f"qty={self.qty_lots} maker={bool(self.is_maker)} fee_e8={self.fee_e8} {self.fee_asset})")


@cython.final
@cython.auto_pickle(False)
cdef class TimerEvent:
    cdef readonly uint64_t timer_id
    cdef readonly str name
    cdef readonly int64_t ts_ns

    def __repr__(self) -> str:
        return f"TimerEvent(id={self.timer_id} name={self.name!r} ts={self.ts_ns})"
