# Declarations of the C++ core (csrc/veloz) for the Cython binding modules.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint64_t
from libcpp cimport bool as cbool
from libcpp.string cimport string
from libcpp.vector cimport vector

from order_types_decl cimport FeeAsset, OrderSide, OrderStatus, OrderType, PositionSide, TimeInForce, TriggerSource


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
        uint64_t stale_snapshots
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


cdef extern from "veloz/instrument_spec.hpp" namespace "veloz" nogil:
    cdef cppclass InstrumentSpec:
        BookMarket market
        DecimalGrid price_grid
        DecimalGrid qty_grid
        int64_t contract_size
        int64_t maker_fee_rate_e8
        int64_t taker_fee_rate_e8


cdef extern from "veloz/latency_model.hpp" namespace "veloz" nogil:
    cdef enum class LatencyKind(uint8_t):
        constant
        uniform
        lognormal

    cdef cppclass LatencyConfig:
        LatencyKind kind
        int64_t base_ns
        int64_t spread_ns
        double mu
        double sigma


cdef extern from "veloz/queue_model.hpp" namespace "veloz" nogil:
    cdef enum class QueueModelKind(uint8_t):
        conservative
        probabilistic

    cdef cppclass QueueModelConfig:
        QueueModelKind kind
        double exponent


cdef extern from "veloz/exec_report.hpp" namespace "veloz" nogil:
    cdef enum class ReportKind(uint8_t):
        accepted
        rejected
        fill
        canceled
        expired
        amended
        cancel_rejected
        amend_rejected
        triggered

    cdef enum class RejectReason(uint8_t):
        none
        post_only_would_take
        reduce_only_rejected
        stop_would_trigger
        unknown_order
        no_liquidity
        fok_not_fillable
        ioc_remainder
        reduce_only_closed

    cdef cppclass ExecReport:
        uint64_t order_id
        ReportKind kind
        RejectReason reason
        OrderStatus status
        cbool is_maker
        FeeAsset fee_asset
        int64_t price
        int64_t qty
        int64_t cum_qty
        int64_t leaves_qty
        int64_t fee
        int64_t trade_id
        int64_t venue_ts
        int64_t deliver_ts


cdef extern from "veloz/matching_engine.hpp" namespace "veloz" nogil:
    cdef enum class EmptyBookPolicy(uint8_t):
        expire
        reject

    cdef cppclass VenueConfig:
        LatencyConfig order_latency
        LatencyConfig report_latency
        QueueModelConfig queue
        EmptyBookPolicy empty_book
        cbool hedge_mode
        uint64_t seed

    cdef cppclass VenueOrderRequest:
        uint64_t order_id
        OrderSide side
        OrderType type
        TimeInForce tif
        PositionSide position_side
        cbool reduce_only
        TriggerSource trigger
        int64_t price
        int64_t stop_price
        int64_t qty

    cdef enum class CommandStatus(uint8_t):
        ok

    const char* describe(CommandStatus status)

    cdef cppclass SimOrder:
        VenueOrderRequest request
        OrderStatus status
        int64_t price
        int64_t qty
        int64_t filled
        int64_t queue_ahead
        cbool working
        cbool resting
        cbool triggered

    cdef struct EngineCounters:
        uint64_t commands
        uint64_t fills
        uint64_t maker_fills
        uint64_t taker_fills
        uint64_t reports

    cdef cppclass MatchingEngine:
        MatchingEngine(const InstrumentSpec& spec, const VenueConfig& config, int window_bits) except +
        CommandStatus submit(const VenueOrderRequest& request, int64_t sent_ns) except +
        CommandStatus cancel(uint64_t order_id, int64_t sent_ns) except +
        CommandStatus amend(uint64_t order_id, int64_t new_price, int64_t new_qty, int64_t sent_ns) except +
        void on_level(Side side, int64_t price, int64_t qty, int64_t ts) except +
        void on_trade(int64_t price, int64_t qty, OrderSide aggressor, int64_t ts) except +
        void on_mark_price(int64_t price, int64_t ts) except +
        void advance_to(int64_t ts) except +
        size_t drain_reports(int64_t up_to_ns, ExecReport* out, size_t max)
        size_t pending_reports()
        size_t deliverable_reports(int64_t up_to_ns)
        const L2Book& book()
        const SimOrder* find(uint64_t order_id)
        int64_t position()
        int64_t long_position()
        int64_t short_position()
        int64_t last_trade_price()
        int64_t mark_price()
        const EngineCounters& counters()


cdef extern from "veloz/bench_kernels.hpp" namespace "veloz::bench" nogil:
    int64_t order_cycles(MatchingEngine& engine, uint64_t first_order_id, int64_t cycles, int64_t start_ts) except +
    int64_t market_walks(MatchingEngine& engine, uint64_t first_order_id, int64_t walks, int64_t qty,
                         int64_t start_ts) except +
    int64_t queue_updates(MatchingEngine& engine, int64_t price, int64_t trades, int64_t start_ts) except +
    int64_t full_order_cycles(int64_t cycles) except +
