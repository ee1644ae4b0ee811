// The order state machine (OMS): every order of a run, its state, and the rules that move it.
//
//   NEW -> ACCEPTED -> PARTIALLY_FILLED -> FILLED | CANCELED | REJECTED | EXPIRED,
//   plus PENDING_CANCEL and PENDING_AMEND while a request awaits the venue's answer.
//
// Venue reports arrive late, twice or out of order (REST responses race the user-data stream),
// so the rules are written to converge on the venue's final state whatever the arrival order,
// and to apply each fill exactly once. docs/oms.md has the full (state, event) table; the
// comments in order_state_machine.cpp say what each pair does and why.
//
// No exceptions on the hot path: every event returns an OmsResult. `applied`, `duplicate` and
// `late` are normal outcomes; anything else is an error that changed nothing and is described
// by last_error() (naming the order, its state and the event).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include "veloz/append_only_hash_table.hpp"
#include "veloz/client_order_id.hpp"
#include "veloz/instrument_spec.hpp"  // int128
#include "veloz/order_types.hpp"

namespace veloz {

enum class OrderEvent : uint8_t {
  submit = 0,
  mark_sent = 1,
  ack = 2,
  reject = 3,
  fill = 4,
  cancel_request = 5,
  cancel_ack = 6,
  cancel_reject = 7,
  amend_request = 8,
  amend_ack = 9,
  amend_reject = 10,
  expire = 11,
};

enum class OmsResult : uint8_t {
  applied = 0,
  duplicate = 1,  // a report already applied (same trade id, a second ack, ...): ignored, counted
  late = 2,       // a report the order has moved past (cancel-ack after FILLED, ...): ignored, counted
  illegal_transition = 3,
  overfill = 4,  // fills would exceed the order quantity
  invalid_quantity = 5,
  invalid_price = 6,
  invalid_request = 7,  // an enum out of range, amending a non-LIMIT order
  invalid_client_order_id = 8,
  client_order_id_in_use = 9,
  unknown_order = 10,
};

inline constexpr bool is_error(OmsResult result) noexcept { return result >= OmsResult::illegal_transition; }

const char* status_name(OrderStatus status) noexcept;  // "PARTIALLY_FILLED"
const char* event_name(OrderEvent event) noexcept;     // "cancel_ack"
const char* result_name(OmsResult result) noexcept;    // "overfill"

struct OrderRequest {
  uint32_t instrument = 0;
  OrderSide side = OrderSide::buy;
  OrderType type = OrderType::limit;
  TimeInForce time_in_force = TimeInForce::gtc;
  PositionSide position_side = PositionSide::both;
  TriggerSource trigger_source = TriggerSource::last_trade;
  bool reduce_only = false;
  int64_t price = 0;       // ticks; > 0 for LIMIT, STOP_LIMIT and TAKE_PROFIT, else >= 0
  int64_t stop_price = 0;  // ticks; > 0 for the four conditional types, else >= 0
  int64_t qty = 0;         // lots, > 0
  std::optional<std::string_view> client_order_id;  // none: generate one
  int64_t ts_ns = 0;
};

inline constexpr uint32_t kInlineTradeIds = 4;

// One order. Trivially copyable: snapshots copy the whole table at once (numpy mirrors the
// layout field by field, so a change here is a change of the Python dtype too).
struct Order {
  uint64_t order_id = 0;  // 1, 2, 3, ... in submission order
  ClientOrderId client_order_id;
  uint32_t instrument = 0;
  OrderSide side = OrderSide::buy;
  OrderType type = OrderType::limit;
  TimeInForce time_in_force = TimeInForce::gtc;
  PositionSide position_side = PositionSide::both;
  TriggerSource trigger_source = TriggerSource::last_trade;
  bool reduce_only = false;
  OrderStatus status = OrderStatus::new_order;
  bool sent = false;                // mark_sent seen: the venue may know the order
  bool acknowledged = false;        // the venue has it: an ack, or a report that implies one
  bool cancel_outstanding = false;  // a cancel request awaits its ack or reject
  bool amend_outstanding = false;   // an amend request awaits its ack or reject
  int64_t price = 0;                // ticks
  int64_t stop_price = 0;           // ticks
  int64_t qty = 0;                  // lots
  int64_t filled_qty = 0;           // lots
  uint64_t fill_notional_lo = 0;    // sum of fill price x qty (ticks x lots), exact: low and
  int64_t fill_notional_hi = 0;     // high 64 bits of an int128 (average price = notional / filled)
  int64_t amend_price = 0;          // the outstanding amend's terms (0 when none is)
  int64_t amend_qty = 0;
  int64_t created_ns = 0;
  int64_t sent_ns = 0;
  int64_t acknowledged_ns = 0;
  int64_t last_update_ns = 0;  // latest timestamp of an applied event
  int32_t last_reject_code = 0;  // venue error code of the last reject, cancel or amend reject
  uint32_t fill_count = 0;       // fills applied
  uint32_t duplicate_count = 0;  // duplicate reports ignored (fills included)
  uint32_t late_count = 0;       // late reports ignored
  uint32_t amend_count = 0;      // amends applied
  // The trade ids of the first fills, kept here so that checking a fill for a repeat touches no
  // other memory; later ones go to the manager's hash table.
  int64_t first_trade_ids[kInlineTradeIds] = {};

  int128 fill_notional() const noexcept {
    return static_cast<int128>(fill_notional_hi) * (int128{1} << 64) + static_cast<int128>(fill_notional_lo);
  }
  void set_fill_notional(int128 notional) noexcept {
    fill_notional_lo = static_cast<uint64_t>(notional);
    fill_notional_hi = static_cast<int64_t>(notional >> 64);
  }
};
static_assert(std::is_trivially_copyable_v<Order>);

struct OmsCounters {
  uint64_t orders = 0;
  uint64_t fills_applied = 0;
  uint64_t duplicate_fills = 0;
  uint64_t duplicate_reports = 0;  // other than fills
  uint64_t late_reports = 0;
  uint64_t overfills = 0;
  uint64_t refused = 0;  // events that returned an error (overfills included)
};

// What the last refused event was. `message` names the order (id and client id), its status
// and the event, e.g. "order 7 'vz-7' is FILLED: cancel_request refused: the order is finished".
struct OmsError {
  OmsResult code = OmsResult::applied;
  OrderEvent event = OrderEvent::submit;
  OrderStatus status = OrderStatus::new_order;  // of the order, when it exists
  uint64_t order_id = 0;                        // 0 when no order was found or created
  ClientOrderId client_order_id;
  char message[320] = {};
};

class OrderManager {
 public:
  // Generated client order ids are client_id_prefix + 1, 2, ... (see ClientOrderIdRegistry).
  // Throws std::invalid_argument for a prefix longer than 16 or with characters Binance refuses.
  explicit OrderManager(std::string_view client_id_prefix = "vz-");

  // Room for this many orders and fills without allocating (or faulting pages in) later. The
  // first kInlineTradeIds fills of each order need no room outside the order.
  void reserve(std::size_t orders, std::size_t fills);

  // Creates a NEW order; on success sets order_id.
  OmsResult submit(const OrderRequest& request, uint64_t& order_id);
  OmsResult mark_sent(uint64_t order_id, int64_t ts_ns);
  OmsResult ack(uint64_t order_id, int64_t ts_ns);
  OmsResult reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns);
  OmsResult fill(uint64_t order_id, int64_t trade_id, int64_t price, int64_t qty, int64_t ts_ns);
  OmsResult apply_fill(const Fill& report) {
    return fill(report.order_id, report.trade_id, report.price, report.qty, report.ts_ns);
  }
  OmsResult cancel_request(uint64_t order_id, int64_t ts_ns);
  OmsResult cancel_ack(uint64_t order_id, int64_t ts_ns);
  OmsResult cancel_reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns);
  OmsResult amend_request(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns);
  // The venue reports the terms it applied, so a repeated or stale amend report is recognised.
  OmsResult amend_ack(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns);
  OmsResult amend_reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns);
  OmsResult expire(uint64_t order_id, int64_t ts_ns);

  // nullptr for an unknown id. The pointer is valid until the next submit.
  const Order* find(uint64_t order_id) const noexcept {
    return order_id - 1 < orders_.size() ? &orders_[order_id - 1] : nullptr;
  }
  uint64_t find_client_order_id(std::string_view client_order_id) const noexcept;  // 0 if unused

  std::size_t size() const noexcept { return orders_.size(); }
  const Order* data() const noexcept { return orders_.data(); }  // orders by id - 1
  const OmsCounters& counters() const noexcept { return counters_; }
  const OmsError& last_error() const noexcept { return last_error_; }
  std::string_view client_id_prefix() const noexcept { return client_ids_.prefix(); }

 private:
  Order* lookup(uint64_t order_id, OrderEvent event) noexcept;
  OmsResult ignore(Order& order, OmsResult outcome) noexcept;
  [[gnu::format(printf, 6, 7)]] OmsResult refuse(OmsResult code, OrderEvent event, const Order* order,
                                                 uint64_t order_id, const char* reason, ...) noexcept;
  OmsResult refuse_in_state(const Order& order, OrderEvent event) noexcept;
  bool trade_applied(const Order& order, int64_t trade_id) const noexcept;
  void remember_trade(Order& order, int64_t trade_id);  // before fill_count counts the fill

  // Applied fills of orders with more than kInlineTradeIds fills.
  struct TradeKey {
    uint64_t order_id = 0;  // 0 marks an empty slot
    int64_t trade_id = 0;

    static uint64_t hash(const TradeKey& key) noexcept {
      return mix64(key.order_id * 0x9E3779B97F4A7C15ULL ^ static_cast<uint64_t>(key.trade_id));
    }
    bool holds(const TradeKey& key) const noexcept { return order_id == key.order_id && trade_id == key.trade_id; }
    bool empty() const noexcept { return order_id == 0; }
    const TradeKey& key() const noexcept { return *this; }
  };

  std::vector<Order> orders_;
  ClientOrderIdRegistry client_ids_;
  AppendOnlyHashTable<TradeKey, TradeKey> applied_trades_;
  OmsCounters counters_;
  OmsError last_error_;
};

}  // namespace veloz
