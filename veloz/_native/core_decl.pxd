# Declarations of the C++ core (csrc/veloz) for the Cython binding modules.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libcpp cimport bool as cbool
from libcpp.string cimport string
from libcpp.vector cimport vector


cdef extern from "<string_view>" namespace "std" nogil:
    cdef cppclass string_view:
        string_view()
        string_view(const char*, size_t)
        const char* data()
        size_t size()


cdef extern from "veloz/fixed_point.hpp" namespace "veloz" nogil:
    cdef cppclass DecimalGrid:
        int32_t scale
        int64_t step_units

    cdef enum class DecimalStatus(uint8_t):
        ok
        empty
        bad_char
        overflow
        off_grid
        zero_step

    const char* describe(DecimalStatus status)
    DecimalStatus make_grid(string_view step, DecimalGrid& out)
    DecimalStatus parse_steps(string_view text, const DecimalGrid& grid, int64_t& out)
    size_t format_steps(int64_t steps, const DecimalGrid& grid, char* buf)


cdef extern from "veloz/l2_book.hpp" namespace "veloz" nogil:
    cdef enum class Side(uint8_t):
        bid
        ask

    cdef struct Level:
        int64_t price
        int64_t qty

    cdef int64_t kNoPrice
    cdef int64_t kMaxAbsPrice

    cdef struct WalkResult:
        int64_t filled_qty
        int64_t worst_price
        int64_t levels_used
        double notional

    cdef cppclass L2Book:
        L2Book(int window_bits) except +
        void clear()
        void set_level(Side side, int64_t price, int64_t qty) except +
        int64_t best_price(Side side)
        int64_t best_qty(Side side)
        int64_t qty_at(Side side, int64_t price)
        size_t level_count(Side side)
        cbool crossed()
        int64_t next_level(Side side, int64_t price)
        size_t top(Side side, size_t n, int64_t* prices, int64_t* qtys)
        WalkResult walk(Side side, int64_t qty)
        int64_t depth_between(Side side, int64_t lo, int64_t hi)
        int window_bits()
        int64_t window_base()
        size_t recenters()


cdef extern from "veloz/book_sync.hpp" namespace "veloz" nogil:
    cdef enum class BookMarket(uint8_t):
        spot
        usdm
        coinm

    cdef enum class SyncState(uint8_t):
        needs_snapshot
        awaiting_first_diff
        synced

    cdef enum class DiffResult(uint8_t):
        applied
        buffered
        stale
        gap

    cdef struct SyncCounters:
        uint64_t snapshots
        uint64_t applied
        uint64_t buffered
        uint64_t stale
        uint64_t gaps
        uint64_t buffer_dropped

    cdef cppclass BookSync:
        const L2Book& book()
        SyncState state()
        BookMarket market()
        int64_t book_update_id()
        size_t buffered_now()
        const SyncCounters& counters()


cdef extern from "veloz/binance_decoder.hpp" namespace "veloz" nogil:
    cdef enum class MessageKind(uint8_t):
        other
        depth_update
        book_ticker
        trade
        snapshot
        partial_depth

    cdef cppclass DecodedMessage:
        MessageKind kind
        string_view stream
        string_view symbol
        int64_t event_time_ms
        int64_t transaction_time_ms
        int64_t first_update_id
        int64_t last_update_id
        int64_t prev_update_id
        cbool has_prev_update_id
        int64_t trade_id
        int64_t price
        int64_t qty
        cbool buyer_is_maker
        int64_t bid_price, bid_qty, ask_price, ask_qty
        vector[Level] bids
        vector[Level] asks

    cdef cppclass DecodeError:
        string field
        string reason
        size_t offset


cdef extern from "veloz/book_feed.hpp" namespace "veloz" nogil:
    cdef struct FeedCounters:
        uint64_t messages
        uint64_t depth_updates
        uint64_t book_tickers
        uint64_t trades
        uint64_t snapshots
        uint64_t partial_depth
        uint64_t other
        uint64_t rejected
        uint64_t bbo_checks
        uint64_t bbo_mismatches
        uint64_t crossed

    cdef struct BboMismatch:
        int64_t update_id
        int64_t book_bid_price, book_bid_qty, book_ask_price, book_ask_qty
        int64_t ticker_bid_price, ticker_bid_qty, ticker_ask_price, ticker_ask_qty

    cdef cppclass BinanceBookFeed:
        BinanceBookFeed(BookMarket market, DecimalGrid price_grid, DecimalGrid qty_grid, string symbol,
                        int window_bits) except +
        cbool on_frame(const char* data, size_t size, DecodeError& error)
        const DecodedMessage& last()
        DiffResult last_diff_result()
        cbool top_changed()
        BookSync& sync()
        const FeedCounters& counters()
        const BboMismatch& first_mismatch()
