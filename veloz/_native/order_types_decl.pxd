# Declarations of the shared order vocabulary (csrc/veloz/order_types.hpp) for binding modules.
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t
from libcpp cimport bool as cbool


cdef extern from "veloz/order_types.hpp" namespace "veloz" nogil:
    cdef enum class OrderSide(uint8_t):
        buy
        sell

    cdef enum class OrderType(uint8_t):
        market
        limit
        stop_market
        stop_limit
        take_profit
        take_profit_market

    cdef enum class TimeInForce(uint8_t):
        gtc
        ioc
        fok
        gtx

    cdef enum class PositionSide(uint8_t):
        both
        long_side
        short_side

    cdef enum class TriggerSource(uint8_t):
        last_trade
        mark_price

    cdef enum class OrderStatus(uint8_t):
        new_order
        accepted
        partially_filled
        filled
        canceled
        rejected
        expired
        pending_cancel
        pending_amend

    cbool is_terminal(OrderStatus status)

    cdef enum class FeeAsset(uint8_t):
        base
        quote
        margin

    cdef struct Fill:
        uint64_t order_id
        int64_t trade_id
        uint32_t instrument
        OrderSide side
        PositionSide position_side
        int64_t price
        int64_t qty
        cbool is_maker
        int64_t fee
        FeeAsset fee_asset
        int64_t ts_ns
