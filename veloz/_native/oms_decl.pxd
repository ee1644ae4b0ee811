# Declarations of the order state machine (csrc/veloz/order_state_machine.hpp and friends).
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libcpp cimport bool as cbool
from libcpp.optional cimport optional

from core_decl cimport string_view
from order_types_decl cimport OrderSide, OrderStatus, OrderType, PositionSide, TimeInForce, TriggerSource


cdef extern from "veloz/client_order_id.hpp" namespace "veloz" nogil:
    cdef size_t kClientOrderIdMaxSize

    cdef cppclass ClientOrderId:
        char chars[36]
        string_view view()

    cbool is_valid_client_order_id(string_view text)


cdef extern from "veloz/order_state_machine.hpp" namespace "veloz" nogil:
    cdef enum class OrderEvent(uint8_t):
        submit
        mark_sent
        ack
        reject
        fill
        cancel_request
        cancel_ack
        cancel_reject
        amend_request
        amend_ack
        amend_reject
        expire

    cdef enum class OmsResult(uint8_t):
        applied
        duplicate
        late
        illegal_transition
        overfill
        invalid_quantity
        invalid_price
        invalid_request
        invalid_client_order_id
        client_order_id_in_use
        unknown_order

    cbool is_error(OmsResult result)
    const char* status_name(OrderStatus status)
    const char* event_name(OrderEvent event)
    const char* result_name(OmsResult result)

    cdef cppclass OrderRequest:
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
        optional[string_view] client_order_id
        int64_t ts_ns

    cdef cppclass Order:
        uint64_t order_id
        ClientOrderId client_order_id
        uint32_t instrument
        OrderSide side
        OrderType type
        TimeInForce time_in_force
        PositionSide position_side
        TriggerSource trigger_source
        cbool reduce_only
        OrderStatus status
        cbool sent
        cbool acknowledged
        cbool cancel_outstanding
        cbool amend_outstanding
        int64_t price
        int64_t stop_price
        int64_t qty
        int64_t filled_qty
        uint64_t fill_notional_lo
        int64_t fill_notional_hi
        int64_t amend_price
        int64_t amend_qty
        int64_t created_ns
        int64_t sent_ns
        int64_t acknowledged_ns
        int64_t last_update_ns
        int32_t last_reject_code
        uint32_t fill_count
        uint32_t duplicate_count
        uint32_t late_count
        uint32_t amend_count

    cdef struct OmsCounters:
        uint64_t orders
        uint64_t fills_applied
        uint64_t duplicate_fills
        uint64_t duplicate_reports
        uint64_t late_reports
        uint64_t overfills
        uint64_t refused

    cdef cppclass OmsError:
        OmsResult code
        OrderEvent event
        OrderStatus status
        uint64_t order_id
        ClientOrderId client_order_id
        char message[320]

    cdef cppclass OrderManager:
        OrderManager(string_view client_id_prefix) except +
        void reserve(size_t orders, size_t fills) except +
        OmsResult submit(const OrderRequest& request, uint64_t& order_id) except +
        OmsResult mark_sent(uint64_t order_id, int64_t ts_ns)
        OmsResult ack(uint64_t order_id, int64_t ts_ns)
        OmsResult reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns)
        OmsResult fill(uint64_t order_id, int64_t trade_id, int64_t price, int64_t qty, int64_t ts_ns) except +
        OmsResult cancel_request(uint64_t order_id, int64_t ts_ns)
        OmsResult cancel_ack(uint64_t order_id, int64_t ts_ns)
        OmsResult cancel_reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns)
        OmsResult amend_request(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns)
        OmsResult amend_ack(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns)
        OmsResult amend_reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns)
        OmsResult expire(uint64_t order_id, int64_t ts_ns)
        const Order* find(uint64_t order_id)
        uint64_t find_client_order_id(string_view client_order_id)
        size_t size()
        const Order* data()
        const OmsCounters& counters()
        const OmsError& last_error()
        string_view client_id_prefix()


cdef extern from "veloz/order_cycle_bench.hpp" namespace "veloz" nogil:
    uint64_t run_order_cycles(OrderManager& manager, uint64_t cycles, int64_t ts_ns) except +
