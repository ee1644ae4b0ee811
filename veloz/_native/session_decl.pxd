# Declarations for the simulated session (csrc/veloz/sim_session.hpp). The OMS, account and
# shared types come from their own declaration files.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libcpp cimport bool as cbool

from accounts_decl cimport FuturesAccount, FuturesRisk
from core_decl cimport InstrumentSpec, MatchingEngine, VenueConfig
from oms_decl cimport OmsResult, OrderManager, OrderRequest


cdef extern from "veloz/sim_execution.hpp" namespace "veloz" nogil:
    cdef struct SimExecutionCounters:
        uint64_t reports
        uint64_t fills
        uint64_t oms_refusals
        uint64_t account_refusals
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
        OmsResult submit(const OrderRequest& request, uint64_t& order_id) except +
        OmsResult cancel(uint64_t order_id, int64_t ts_ns) except +
        OmsResult amend(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns) except +
        size_t advance(int64_t ts_ns) except +
        OrderManager& oms()
        MatchingEngine& venue()
        FuturesAccount* futures()
        const SimExecution& execution()
