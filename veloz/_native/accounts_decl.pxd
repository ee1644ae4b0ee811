# C++ declarations for accounting (csrc/veloz/spot_account.hpp, futures_account.hpp) and the
# order vocabulary it shares (order_types.hpp). A .pxd so other binding modules can cimport them.
from libc.stdint cimport int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libcpp cimport bool as cbool
from libcpp.string cimport string
from libcpp.vector cimport vector

from core_decl cimport BookMarket, DecimalGrid, InstrumentSpec, string_view
from order_types_decl cimport FeeAsset, Fill, OrderSide, PositionSide


# C++ errors from accounting become veloz.errors.AccountError (whose class the module registers at
# import). Called by Cython inside its catch block, so a bare `throw;` recovers the exception.
cdef extern from *:
    """
    #include <exception>
    static PyObject* veloz_account_error_type = NULL;
    static void veloz_set_account_error_type(PyObject* type) {
      Py_XINCREF(type);
      Py_XDECREF(veloz_account_error_type);
      veloz_account_error_type = type;
    }
    static void veloz_raise_account_error() {
      PyObject* type = veloz_account_error_type != NULL ? veloz_account_error_type : PyExc_ValueError;
      try {
        throw;
      } catch (const std::exception& error) {
        PyErr_SetString(type, error.what());
      } catch (...) {
        PyErr_SetString(PyExc_RuntimeError, "unknown C++ exception in accounting");
      }
    }
    """
    void set_account_error_type "veloz_set_account_error_type"(object type)
    void raise_account_error "veloz_raise_account_error"() except *


cdef extern from "veloz/spot_account.hpp" namespace "veloz" nogil:
    ctypedef uint32_t AssetId
    cdef AssetId kNoAsset

    cdef struct SpotBalance:
        int64_t free_e8
        int64_t locked_e8
        int64_t fees_e8

    cdef cppclass SpotOrderLock:  # the exact running fill value (int128) is not exposed
        uint32_t instrument
        OrderSide side
        int64_t limit_price
        int64_t remaining_qty
        int64_t locked_e8

    cdef cppclass SpotAccount:
        SpotAccount()
        AssetId add_asset(string_view name) except +raise_account_error
        AssetId find_asset(string_view name)
        size_t asset_count()
        const string& asset_name(AssetId asset) except +raise_account_error
        void add_instrument(uint32_t instrument, const InstrumentSpec& spec, string_view base,
                            string_view quote) except +raise_account_error
        cbool has_instrument(uint32_t instrument)
        void deposit(AssetId asset, int64_t amount_e8) except +raise_account_error
        void withdraw(AssetId asset, int64_t amount_e8) except +raise_account_error
        int64_t place_order(uint64_t order_id, uint32_t instrument, OrderSide side, int64_t limit_price_ticks,
                            int64_t qty_lots) except +raise_account_error
        int64_t release_order(uint64_t order_id) except +raise_account_error
        void apply_fill(const Fill& fill) except +raise_account_error
        const SpotBalance& balance(AssetId asset) except +raise_account_error
        const SpotOrderLock* find_order(uint64_t order_id)
        size_t open_orders()


cdef extern from "veloz/futures_position.hpp" namespace "veloz" nogil:
    cdef enum class MarginType(uint8_t):
        cross
        isolated

    cdef int32_t kMaxLeverage

    cdef cppclass FuturesRisk:
        int32_t leverage
        MarginType margin_type
        int64_t maintenance_rate_e8
        int64_t maintenance_amount_e8


cdef extern from "veloz/futures_account.hpp" namespace "veloz" nogil:
    cdef enum class PositionMode(uint8_t):
        one_way
        hedge

    cdef struct PositionSnapshot:
        int64_t instrument
        int64_t position_side
        int64_t margin_type
        int64_t leverage
        int64_t qty
        int64_t entry_value_e8
        int64_t entry_price
        int64_t mark_price
        int64_t value_e8
        int64_t unrealized_pnl_e8
        int64_t realized_pnl_e8
        int64_t fees_e8
        int64_t funding_e8
        int64_t isolated_margin_e8
        int64_t initial_margin_e8
        int64_t maintenance_margin_e8
        int64_t liquidation_price

    cdef struct FuturesSummary:
        int64_t wallet_balance_e8
        int64_t unrealized_pnl_e8
        int64_t margin_balance_e8
        int64_t cross_wallet_e8
        int64_t isolated_margin_e8
        int64_t initial_margin_e8
        int64_t maintenance_margin_e8
        int64_t available_balance_e8
        int64_t net_deposits_e8
        int64_t realized_pnl_e8
        int64_t fees_e8
        int64_t funding_e8

    cdef cppclass FuturesAccount:
        FuturesAccount(BookMarket market, PositionMode mode) except +raise_account_error
        BookMarket market()
        PositionMode position_mode()
        void set_position_mode(PositionMode mode) except +raise_account_error
        void add_instrument(uint32_t instrument, const InstrumentSpec& spec, const FuturesRisk& risk) except +raise_account_error
        cbool has_instrument(uint32_t instrument)
        const FuturesRisk& risk(uint32_t instrument) except +raise_account_error
        void set_leverage(uint32_t instrument, int32_t leverage) except +raise_account_error
        void set_margin_type(uint32_t instrument, MarginType type) except +raise_account_error
        void set_maintenance(uint32_t instrument, int64_t rate_e8, int64_t amount_e8) except +raise_account_error
        void deposit(int64_t amount_e8) except +raise_account_error
        void withdraw(int64_t amount_e8) except +raise_account_error
        void adjust_isolated_margin(uint32_t instrument, PositionSide side, int64_t amount_e8) except +raise_account_error
        void set_mark_price(uint32_t instrument, int64_t mark_ticks) except +raise_account_error
        int64_t apply_fill(const Fill& fill) except +raise_account_error
        int64_t apply_funding(uint32_t instrument, int64_t mark_ticks, int64_t rate_e8,
                              int64_t funding_time_ns) except +raise_account_error
        PositionSnapshot position(uint32_t instrument, PositionSide side) except +raise_account_error
        void positions(vector[PositionSnapshot]& out, cbool include_flat) except +raise_account_error
        FuturesSummary summary() except +raise_account_error
        int64_t liquidation_price(uint32_t instrument, PositionSide side) except +raise_account_error
