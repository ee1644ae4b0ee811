# cython: boundscheck=False, wraparound=False, initializedcheck=False
"""L2 order book and Binance feed (decoder + sync + oracle) bindings."""
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE
from libc.stdint cimport int64_t, uint8_t
from libcpp.memory cimport unique_ptr
from libcpp.string cimport string
from libcpp.vector cimport vector

from core_decl cimport (BboMismatch, BinanceBookFeed as CFeed, BookMarket, BookSync, DecimalGrid as CDecimalGrid,
                        DecimalStatus, DecodedMessage, DecodeError, DiffResult, FeedCounters, L2Book as CL2Book, Level,
                        MessageKind, Side, SyncCounters, SyncState, WalkResult, kMaxAbsPrice, kNoPrice, make_grid,
                        string_view)

import math

import numpy as np

from checked_ints cimport as_int64
from config_parsing cimport grid_from

from veloz._types import MarketImpact
from veloz.errors import DecimalFormatError, MessageError

BID = 0
ASK = 1

MARKETS = {"spot": 0, "usdm": 1, "coinm": 2}
SYNC_STATES = ("needs_snapshot", "awaiting_first_diff", "synced")
DIFF_RESULTS = ("applied", "buffered", "stale", "gap")

KIND_OTHER = 0
KIND_DEPTH_UPDATE = 1
KIND_BOOK_TICKER = 2
KIND_TRADE = 3
KIND_SNAPSHOT = 4
KIND_PARTIAL_DEPTH = 5


cdef inline Side to_side(int side) except *:
    if side == 0:
        return Side.bid
    if side == 1:
        return Side.ask
    raise ValueError(f"side must be 0 (bid) or 1 (ask), not {side}")


_VIEW_TOKEN = object()  # only this module can make an L2Book view


cdef int fill_levels(list pairs, vector[Level]& out, str name) except -1:
    out.clear()
    cdef Level level
    cdef Py_ssize_t i
    for i in range(len(pairs)):
        pair = pairs[i]
        try:
            price, qty = pair
            level.price = as_int64(price, "price")
            level.qty = as_int64(qty, "qty")
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{name}[{i}] must be a (price_ticks, qty_lots) pair of ints, not {pair!r}") from None
        if level.qty < 0:
            raise ValueError(f"{name}[{i}]: negative quantity {level.qty}")
        if level.price > kMaxAbsPrice or level.price < -kMaxAbsPrice:
            raise ValueError(f"{name}[{i}]: price {level.price} is beyond +-2**61 ticks")
        out.push_back(level)
    return 0


cdef class L2Book:
    """Price levels in integer ticks and lots. Side 0 = bids, 1 = asks."""

    cdef CL2Book* book
    cdef unique_ptr[CL2Book] owned
    cdef object owner  # keeps the C++ owner alive for a view
    cdef vector[Level] scratch_bids, scratch_asks  # reused by apply_diff: no allocation per call

    def __cinit__(self, *args, **kwargs):
        if kwargs.get("_view_token") is _VIEW_TOKEN:
            return  # a view: view() sets the pointer to a book owned elsewhere
        window_bits = as_int64(args[0] if args else kwargs.get("window_bits", 18), "window_bits")
        if not 12 <= window_bits <= 26:
            raise ValueError(f"window_bits must be within 12..26, not {window_bits}")
        self.owned.reset(new CL2Book(<int>window_bits))
        self.book = self.owned.get()

    def __init__(self, window_bits=18):
        pass  # all set up in __cinit__; declared so the signature is introspectable

    def __repr__(self) -> str:
        return (f"<L2Book bids={self.book.level_count(Side.bid)} asks={self.book.level_count(Side.ask)} "
                f"best_bid={self.best_bid()} best_ask={self.best_ask()}>")

    @staticmethod
    cdef L2Book view(CL2Book* book, object owner):
        cdef L2Book out = L2Book.__new__(L2Book, _view_token=_VIEW_TOKEN)
        out.book = book
        out.owner = owner
        return out

    def clear(self) -> None:
        self.book.clear()

    def set_level(self, side, price, qty) -> None:
        """Sets the absolute quantity at a level; qty 0 deletes it."""
        cdef Side book_side = to_side(as_int64(side, "side"))
        cdef int64_t p = as_int64(price, "price"), q = as_int64(qty, "qty")
        if q < 0:
            raise ValueError(f"negative quantity {q} at price {p}")
        if p > kMaxAbsPrice or p < -kMaxAbsPrice:
            raise ValueError(f"price {p} is beyond +-2**61 ticks")
        self.book.set_level(book_side, p, q)

    def apply_levels(self, const uint8_t[::1] sides, const int64_t[::1] prices, const int64_t[::1] qtys) -> int:
        """Applies many level updates in one call (side 0/1, price ticks, absolute qty lots)."""
        cdef Py_ssize_t n = sides.shape[0], i
        if prices.shape[0] != n or qtys.shape[0] != n:
            raise ValueError("sides, prices and qtys must have the same length")
        for i in range(n):
            if sides[i] > 1 or qtys[i] < 0 or prices[i] > kMaxAbsPrice or prices[i] < -kMaxAbsPrice:
                raise ValueError(f"row {i}: side must be 0/1, qty >= 0 and |price| <= 2**61")
        with nogil:
            for i in range(n):
                self.book.set_level(Side.ask if sides[i] else Side.bid, prices[i], qtys[i])
        return n

    def apply_diff(self, list bids, list asks) -> int:
        """Applies one diff message given as lists of (price_ticks, qty_lots) pairs; qty 0 deletes.
        Every pair is checked before any is applied, so a bad pair changes nothing."""
        fill_levels(bids, self.scratch_bids, "bids")
        fill_levels(asks, self.scratch_asks, "asks")
        cdef size_t i
        for i in range(self.scratch_bids.size()):
            self.book.set_level(Side.bid, self.scratch_bids[i].price, self.scratch_bids[i].qty)
        for i in range(self.scratch_asks.size()):
            self.book.set_level(Side.ask, self.scratch_asks[i].price, self.scratch_asks[i].qty)
        return self.scratch_bids.size() + self.scratch_asks.size()

    @property
    def best_bid_price(self):
        cdef int64_t p = self.book.best_price(Side.bid)
        return None if p == kNoPrice else p

    @property
    def best_ask_price(self):
        cdef int64_t p = self.book.best_price(Side.ask)
        return None if p == kNoPrice else p

    def best_bid(self):
        """(price, qty) of the best bid, or None."""
        cdef int64_t p = self.book.best_price(Side.bid)
        return None if p == kNoPrice else (p, self.book.best_qty(Side.bid))

    def best_ask(self):
        """(price, qty) of the best ask, or None."""
        cdef int64_t p = self.book.best_price(Side.ask)
        return None if p == kNoPrice else (p, self.book.best_qty(Side.ask))

    def qty_at(self, side, price) -> int:
        return self.book.qty_at(to_side(as_int64(side, "side")), as_int64(price, "price"))

    def level_count(self, side) -> int:
        return self.book.level_count(to_side(as_int64(side, "side")))

    @property
    def crossed(self) -> bool:
        return self.book.crossed()

    def top(self, side, n):
        """Best n levels of a side as two int64 numpy arrays (prices, qtys), best first."""
        cdef Side book_side = to_side(as_int64(side, "side"))
        cdef int64_t wanted = as_int64(n, "n")
        if wanted < 0:
            raise ValueError("n must be >= 0")
        n = <Py_ssize_t>min(wanted, <int64_t>self.book.level_count(book_side))  # never allocate for absent levels
        prices = np.empty(n, dtype=np.int64)
        qtys = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] pv = prices
        cdef int64_t[::1] qv = qtys
        cdef size_t got = 0
        if n:
            got = self.book.top(book_side, <size_t>n, &pv[0], &qv[0])
        return prices[:got], qtys[:got]

    def walk(self, side, qty_lots):
        """Walks book side `side` (1 = asks, as a buy would; 0 = bids, as a sell would) for
        `qty_lots`. Returns (filled_qty, notional_in_tick_lots, worst_price or None, levels_used)."""
        cdef Side book_side = to_side(as_int64(side, "side"))
        cdef int64_t qty = as_int64(qty_lots, "qty_lots")
        if qty <= 0:
            raise ValueError(f"quantity must be positive, not {qty}")
        cdef WalkResult r = self.book.walk(book_side, qty)
        return (r.filled_qty, r.notional, None if r.worst_price == kNoPrice else r.worst_price, r.levels_used)

    def depth_between(self, side, lo, hi) -> int:
        """Total quantity on `side` at prices within [lo, hi] ticks."""
        return self.book.depth_between(to_side(as_int64(side, "side")), as_int64(lo, "lo"), as_int64(hi, "hi"))

    def mid(self):
        """Mid price in ticks (float, may end in .5), or None if a side is empty."""
        cdef int64_t bid = self.book.best_price(Side.bid), ask = self.book.best_price(Side.ask)
        if bid == kNoPrice or ask == kNoPrice:
            return None
        return (bid + ask) / 2.0

    def spread(self):
        """Best ask minus best bid in ticks, or None if a side is empty."""
        cdef int64_t bid = self.book.best_price(Side.bid), ask = self.book.best_price(Side.ask)
        if bid == kNoPrice or ask == kNoPrice:
            return None
        return ask - bid

    def microprice(self):
        """Size-weighted mid (bid*ask_qty + ask*bid_qty) / (bid_qty + ask_qty) in ticks, or None."""
        cdef int64_t bid = self.book.best_price(Side.bid), ask = self.book.best_price(Side.ask)
        if bid == kNoPrice or ask == kNoPrice:
            return None
        cdef double bq = self.book.best_qty(Side.bid), aq = self.book.best_qty(Side.ask)
        return (bid * aq + ask * bq) / (bq + aq)

    def market_impact(self, order_side, qty_lots) -> MarketImpact:
        """Cost of a market order of `qty_lots` walking the book. `order_side` is an OrderSide:
        0 = BUY (walks the asks), 1 = SELL (walks the bids) -- not a book side. Slippage is
        measured against the mid, in ticks and bps, signed so that a worse price is positive."""
        cdef int64_t side = as_int64(order_side, "order_side")
        cdef int64_t qty = as_int64(qty_lots, "qty_lots")
        if qty <= 0:
            raise ValueError(f"quantity must be positive, not {qty}")
        if side not in (0, 1):
            raise ValueError(f"order_side must be 0 (BUY) or 1 (SELL), not {side}")
        cdef Side walked = Side.ask if side == 0 else Side.bid
        cdef WalkResult r = self.book.walk(walked, qty)
        mid = self.mid()
        if r.filled_qty == 0:
            return MarketImpact(0, qty, None, None, 0, None, None)
        avg = r.notional / r.filled_qty
        slip = None if mid is None else (avg - mid if side == 0 else mid - avg)
        slip_bps = None if slip is None else slip / mid * 1e4
        return MarketImpact(r.filled_qty, qty - r.filled_qty, avg, r.worst_price, r.levels_used, slip, slip_bps)

    def depth_within_bps(self, side, double bps) -> int:
        """Total quantity on `side` priced within `bps` basis points of the mid (0 if no mid)."""
        cdef Side book_side = to_side(as_int64(side, "side"))
        if bps < 0:
            raise ValueError("bps must be >= 0")
        mid = self.mid()
        if mid is None:
            return 0
        cdef double band = mid * bps / 1e4
        # Round inward so a level exactly on the band edge counts and nothing beyond it does.
        if book_side == Side.bid:
            return self.book.depth_between(Side.bid, <int64_t>math.ceil(mid - band - 1e-9), <int64_t>math.floor(mid))
        return self.book.depth_between(Side.ask, <int64_t>math.ceil(mid), <int64_t>math.floor(mid + band + 1e-9))

    @property
    def window_bits(self) -> int:
        return self.book.window_bits()

    @property
    def recenters(self) -> int:
        return self.book.recenters()


cdef class BinanceBookFeed:
    """One instrument's Binance market data: frames in, synchronised book out.

    ``apply(frame)`` decodes a raw frame (bare or combined-stream JSON bytes) straight into integer
    ticks and lots and applies it under the market's sync rules. A bad frame raises MessageError
    and changes nothing.
    """

    cdef unique_ptr[CFeed] feed
    cdef DecodeError error
    cdef readonly str market
    cdef readonly str symbol
    cdef readonly str tick_size
    cdef readonly str lot_size

    def __cinit__(self, str market, str symbol, str tick_size, str lot_size, window_bits=18):
        if market not in MARKETS:
            raise ValueError(f"market must be one of {sorted(MARKETS)}, not {market!r}")
        if not symbol.strip():
            raise ValueError("symbol must not be empty: a feed is for one instrument")
        cdef int64_t bits = as_int64(window_bits, "window_bits")
        if not 12 <= bits <= 26:
            raise ValueError(f"window_bits must be within 12..26, not {bits}")
        cdef CDecimalGrid price_grid = grid_from(tick_size, "tick size")
        cdef CDecimalGrid qty_grid = grid_from(lot_size, "lot size")
        self.feed.reset(new CFeed(<BookMarket><uint8_t>MARKETS[market], price_grid, qty_grid,
                                  symbol.upper().encode(), <int>bits))
        self.market = market
        self.symbol = symbol.upper()
        self.tick_size = tick_size
        self.lot_size = lot_size

    def __init__(self, str market, str symbol, str tick_size, str lot_size, window_bits=18):
        pass  # all set up in __cinit__; declared so the signature is introspectable

    def __repr__(self) -> str:
        return (f"<BinanceBookFeed {self.market} {self.symbol} tick={self.tick_size} lot={self.lot_size} "
                f"state={self.state} book_update_id={self.book_update_id}>")

    cdef int apply_raw(self, const char* data, Py_ssize_t size) except -1:
        if not self.feed.get().on_frame(data, <size_t>size, self.error):
            excerpt = data[:min(size, 160)].decode("utf-8", "replace")
            raise MessageError(self.error.field.decode(), self.error.reason.decode("utf-8", "replace"), excerpt)
        return <int>self.feed.get().last().kind

    def apply(self, frame) -> int:
        """Decodes and applies one frame; returns its kind (KIND_* constants)."""
        cdef const unsigned char[::1] view
        if type(frame) is bytes:
            return self.apply_raw(PyBytes_AS_STRING(frame), PyBytes_GET_SIZE(frame))
        if isinstance(frame, str) or frame is None:
            raise TypeError(f"frame must be bytes-like (the raw frame), not {type(frame).__name__}")
        view = frame
        if view.shape[0] == 0:
            return self.apply_raw(b"", 0)
        return self.apply_raw(<const char*>&view[0], view.shape[0])

    def apply_many(self, list frames) -> int:
        """Applies a list of bytes frames in order without a Python call per frame.
        Stops at the first bad frame (raising MessageError); returns the number applied."""
        cdef Py_ssize_t i
        cdef object frame
        for i in range(len(frames)):
            frame = frames[i]
            if type(frame) is not bytes:
                raise TypeError(f"frames[{i}] is {type(frame).__name__}, not bytes")
            self.apply_raw(PyBytes_AS_STRING(frame), PyBytes_GET_SIZE(frame))
        return len(frames)

    @property
    def book(self) -> L2Book:
        """The book (a live view: it reflects every later frame)."""
        return L2Book.view(<CL2Book*>&self.feed.get().sync().book(), self)

    @property
    def state(self) -> str:
        return SYNC_STATES[<int>self.feed.get().sync().state()]

    @property
    def book_update_id(self) -> int:
        return self.feed.get().sync().book_update_id()

    @property
    def buffered(self) -> int:
        return self.feed.get().sync().buffered_now()

    @property
    def last_diff_result(self) -> str:
        return DIFF_RESULTS[<int>self.feed.get().last_diff_result()]

    @property
    def top_changed(self) -> bool:
        return self.feed.get().top_changed()

    @property
    def last_kind(self) -> int:
        return <int>self.feed.get().last().kind

    def last_trade(self):
        """(trade_id, price, qty, buyer_is_maker, trade_time_ms) of the last frame, if it was a trade."""
        cdef const DecodedMessage* m = &self.feed.get().last()
        if m.kind != MessageKind.trade:
            return None
        return (m.trade_id, m.price, m.qty, m.buyer_is_maker, m.transaction_time_ms)

    def last_book_ticker(self):
        """(u, bid_price, bid_qty, ask_price, ask_qty) of the last frame, if it was a bookTicker."""
        cdef const DecodedMessage* m = &self.feed.get().last()
        if m.kind != MessageKind.book_ticker:
            return None
        return (m.last_update_id, m.bid_price, m.bid_qty, m.ask_price, m.ask_qty)

    def counters(self) -> dict:
        """Frame counters, sync counters and oracle results."""
        cdef FeedCounters c = self.feed.get().counters()
        cdef SyncCounters s = self.feed.get().sync().counters()
        return {
            "messages": c.messages, "depth_updates": c.depth_updates, "book_tickers": c.book_tickers,
            "trades": c.trades, "snapshots": c.snapshots, "partial_depth": c.partial_depth, "other": c.other,
            "rejected": c.rejected, "bbo_checks": c.bbo_checks, "bbo_mismatches": c.bbo_mismatches,
            "crossed": c.crossed, "applied": s.applied, "stale_snapshots": s.stale_snapshots, "buffered": s.buffered, "stale": s.stale,
            "gaps": s.gaps, "buffer_dropped": s.buffer_dropped,
        }

    def first_mismatch(self):
        """Details of the first bookTicker the book disagreed with, or None."""
        if self.feed.get().counters().bbo_mismatches == 0:
            return None
        cdef BboMismatch m = self.feed.get().first_mismatch()
        return {
            "update_id": m.update_id,
            "book": (m.book_bid_price, m.book_bid_qty, m.book_ask_price, m.book_ask_qty),
            "ticker": (m.ticker_bid_price, m.ticker_bid_qty, m.ticker_ask_price, m.ticker_ask_qty),
        }
