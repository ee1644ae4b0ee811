# Declarations for the simulated session (csrc/veloz/sim_session.hpp) and the few OMS and account
# members it reads. Shared types come from core_decl.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libcpp cimport bool as cbool

from core_decl cimport (InstrumentSpec, MatchingEngine, OrderSide, OrderStatus, OrderType, PositionSide,
                        TimeInForce, TriggerSource, VenueConfig, string_view)


cdef extern from "<optional>" namespace "std" nogil:
    cdef cppclass optional_view "std::optional<std::string_view>":
        optional_view()
        optional_view& operator=(string_view&)


cdef extern from "veloz/order_state_machine.hpp" namespace "veloz" nogil:
    cdef enum class OmsResult(uint8_t):
        applied

    cbool is_error(OmsResult result)

    cdef cppclass OmsOrderRequest "veloz::OrderRequest":
        uint32_t instrument
        OrderSide side
        OrderType type
        TimeInForce time_in_force
        PositionSide position_side
        TriggerSource trigger_source
        cbool reduce_only
        int64_t price
        int64_t stop_price
        int64_t qty
        optional_view client_order_id
        int64_t ts_ns

    cdef cppclass OmsOrder "veloz::Order":
        OrderStatus status
        int64_t price
        int64_t qty
        int64_t filled_qty

    cdef cppclass OmsError:
        char message[320]

    cdef cppclass OrderManager:
        const OmsOrder* find(uint64_t order_id)
        const OmsError& last_error()
        size_t size()


cdef extern from "veloz/futures_position.hpp" namespace "veloz" nogil:
    cdef cppclass FuturesRisk:
        int32_t leverage
        int64_t maintenance_rate_e8
        int64_t maintenance_amount_e8


cdef extern from "veloz/futures_account.hpp" namespace "veloz" nogil:
    cdef struct PositionSnapshot:
        int64_t qty
        int64_t entry_price
        int64_t unrealized_pnl_e8
        int64_t realized_pnl_e8
        int64_t fees_e8

    cdef struct FuturesSummary:
        int64_t wallet_balance_e8
        int64_t unrealized_pnl_e8
        int64_t margin_balance_e8
        int64_t realized_pnl_e8
        int64_t fees_e8
        int64_t funding_e8

    cdef cppclass FuturesAccount:
        PositionSnapshot position(uint32_t instrument, PositionSide side) except +
        FuturesSummary summary() except +


cdef extern from "veloz/sim_execution.hpp" namespace "veloz" nogil:
    cdef struct SimExecutionCounters:
        uint64_t reports
        uint64_t fills
        uint64_t oms_refusals
        uint64_t local_rejects

    cdef cppclass SimExecution:
        const SimExecutionCounters& counters()


cdef extern from "veloz/sim_session.hpp" namespace "veloz" nogil:
    cdef cppclass SimSessionConfig:
        InstrumentSpec spec
        VenueConfig venue
        FuturesRisk risk
        cbool hedge_mode
        int64_t deposit_e8
        int window_bits

    cdef cppclass SimSession:
        SimSession(const SimSessionConfig& config) except +
        OmsResult submit(const OmsOrderRequest& request, uint64_t& order_id) except +
        OmsResult cancel(uint64_t order_id, int64_t ts_ns) except +
        OmsResult amend(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns) except +
        size_t advance(int64_t ts_ns) except +
        OrderManager& oms()
        MatchingEngine& venue()
        FuturesAccount* futures()
        const SimExecution& execution()
