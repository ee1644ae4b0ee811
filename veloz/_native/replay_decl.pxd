# Declarations for the tick-replay driver (csrc/veloz/replay_driver.hpp, replay_types.hpp).
from libc.stdint cimport int8_t, int64_t, uint8_t, uint32_t, uint64_t
from libcpp cimport bool as cbool
from libcpp.string cimport string
from libcpp.vector cimport vector

from accounts_decl cimport FuturesAccount, FuturesRisk, SpotAccount
from core_decl cimport BookMarket, ExecReport, InstrumentSpec, MatchingEngine, VenueConfig
from oms_decl cimport OmsResult, OrderManager, OrderRequest
from session_decl cimport SimExecutionCounters


cdef extern from "veloz/replay_types.hpp" namespace "veloz" nogil:
    cdef enum class StreamKind(uint8_t):
        trades
        depth
        book_ticker
        mark_price
        funding

    cdef struct StreamChunk:
        const int64_t* ts
        const int64_t* local_ts
        const int64_t* seq
        const int64_t* v0
        const int64_t* v1
        const int64_t* v2
        const int64_t* v3
        const int8_t* side
        const int8_t* kind
        size_t size

    cdef enum class ReplayEventKind(uint8_t):
        end
        need_data
        paused
        trade
        book
        depth
        bar
        mark_price
        funding
        report
        timer

    cdef cppclass ReplayEvent:
        ReplayEventKind kind
        uint32_t instrument
        uint32_t stream
        int8_t side
        cbool flag
        int64_t ts
        int64_t id
        int64_t v[8]
        ExecReport report

    cdef struct FillRecord:
        int64_t ts

    cdef struct EquitySample:
        int64_t ts
        int64_t equity_e8
        int64_t wallet_e8
        int64_t unrealized_e8
        int64_t realized_e8
        int64_t fees_e8
        int64_t funding_e8
        int64_t gross_exposure_e8

    cdef struct PositionSample:
        int64_t ts
        int64_t instrument
        int64_t position_side
        int64_t qty
        int64_t entry_px
        int64_t mark_px
        int64_t unrealized_e8
        int64_t realized_e8

    cdef struct ReplayCounters:
        uint64_t data_events
        uint64_t python_events
        uint64_t book_changes
        uint64_t reports
        uint64_t fills
        uint64_t funding_skipped


cdef extern from "veloz/replay_driver.hpp" namespace "veloz" nogil:
    cdef cppclass ReplayInstrument:
        InstrumentSpec spec
        FuturesRisk risk
        string base_asset

    cdef cppclass ReplayConfig:
        BookMarket market
        VenueConfig venue
        cbool hedge_mode
        int64_t deposit_e8
        string account_asset
        int window_bits
        cbool check_margin
        int64_t sample_interval_ns
        string client_id_prefix

    cdef cppclass ReplayDriver:
        ReplayDriver(const ReplayConfig& config, const vector[ReplayInstrument]& instruments) except +
        uint32_t add_stream(uint32_t instrument, StreamKind kind) except +
        void subscribe(uint32_t instrument, uint32_t mask) except +
        void set_bar_interval(uint32_t instrument, int64_t interval_ns) except +
        void set_report_events(cbool on)
        void set_chunk(uint32_t stream, const StreamChunk& chunk) except +
        void end_stream(uint32_t stream) except +
        ReplayEventKind next(ReplayEvent& out, uint64_t budget) except +
        void finish() except +
        OmsResult submit(OrderRequest request, uint64_t& order_id) except +
        OmsResult cancel(uint64_t order_id) except +
        OmsResult amend(uint64_t order_id, int64_t price, int64_t qty) except +
        uint64_t add_timer(int64_t due_ns, int64_t interval_ns) except +
        cbool cancel_timer(uint64_t id)
        int64_t now()
        size_t instrument_count()
        const MatchingEngine& venue(uint32_t instrument) except +
        const OrderManager& oms()
        const FuturesAccount* futures()
        const SpotAccount* spot()
        EquitySample equity_now() except +
        int64_t spot_position(uint32_t instrument) except +
        int64_t spot_cost_e8(uint32_t instrument) except +
        int64_t spot_realized_e8(uint32_t instrument) except +
        PositionSample spot_position_now(uint32_t instrument, int64_t ts) except +
        const vector[FillRecord]& fills()
        const vector[EquitySample]& equity()
        const vector[PositionSample]& positions()
        const ReplayCounters& counters()
        const vector[uint64_t]& open_orders()
        const SimExecutionCounters& execution_counters(uint32_t instrument) except +
