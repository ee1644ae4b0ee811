// Transition rules of the order state machine. Three principles decide every (state, event) pair:
//
// 1. The venue's reports are facts; their arrival order is not. A report that implies an earlier
//    one stands in for it: a fill, cancel-ack or expiry before the ack implies the ack. A report
//    for an order that has moved on is `late` and changes nothing, except a fill, which is always
//    applied exactly once (a cancel-ack can overtake the fill that preceded it).
// 2. An order whose fills reach its quantity is FILLED, whatever else was reported. While an
//    amend is outstanding the venue may have applied it or not, so the order is FILLED only when
//    the fills reach the larger of the two quantities; fills beyond the old quantity prove the
//    amend was applied, and it is applied then.
// 3. Reports that contradict the order's history (an ack after a reject, a fill of a rejected or
//    never-sent order, a reject after the ack) and requests the state does not allow (cancel of a
//    finished order, a second cancel, amend of a filled order) are refused and change nothing.
//
// "Live" states: NEW, ACCEPTED, PARTIALLY_FILLED, PENDING_CANCEL, PENDING_AMEND. When a pending
// request ends, the order returns to its working state, derived from what it has: PENDING_AMEND
// if an amend is still outstanding, else PARTIALLY_FILLED if it has fills, else ACCEPTED if
// acknowledged, else NEW.
#include "veloz/order_state_machine.hpp"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "veloz/prefault.hpp"

namespace veloz {

namespace {

bool needs_limit_price(OrderType type) noexcept {
  return type == OrderType::limit || type == OrderType::stop_limit || type == OrderType::take_profit;
}

bool needs_stop_price(OrderType type) noexcept {
  return type != OrderType::market && type != OrderType::limit;
}

bool enums_in_range(const OrderRequest& r) noexcept {
  return r.side <= OrderSide::sell && r.type <= OrderType::take_profit_market &&
         r.time_in_force <= TimeInForce::gtx && r.position_side <= PositionSide::short_side &&
         r.trigger_source <= TriggerSource::mark_price;
}

OrderStatus working_status(const Order& order) noexcept {
  if (order.amend_outstanding) return OrderStatus::pending_amend;
  if (order.filled_qty > 0) return OrderStatus::partially_filled;
  return order.acknowledged ? OrderStatus::accepted : OrderStatus::new_order;
}

// The most the order can fill: its quantity, or the amend's if one larger is in flight.
int64_t fill_limit(const Order& order) noexcept {
  return order.amend_outstanding ? std::max(order.qty, order.amend_qty) : order.qty;
}

// The amend got its answer (or the fills gave it): its terms no longer mean anything.
void end_amend(Order& order) noexcept {
  order.amend_outstanding = false;
  order.amend_price = 0;
  order.amend_qty = 0;
}

// Principle 2. Returns true if the order is now FILLED.
bool settle_if_complete(Order& order) noexcept {
  const int64_t limit = fill_limit(order);
  if (order.filled_qty != limit) return false;
  if (limit != order.qty) {  // fills beyond the old quantity: the venue applied the amend
    order.qty = order.amend_qty;
    order.price = order.amend_price;
    end_amend(order);
    ++order.amend_count;
  }
  order.status = OrderStatus::filled;
  return true;
}

void touch(Order& order, int64_t ts_ns) noexcept { order.last_update_ns = std::max(order.last_update_ns, ts_ns); }

// A report that only the venue could send implies it has the order.
void imply_acknowledged(Order& order, int64_t ts_ns) noexcept {
  if (order.acknowledged) return;
  order.acknowledged = true;
  order.acknowledged_ns = ts_ns;
}

}  // namespace

OrderManager::OrderManager(std::string_view client_id_prefix) : client_ids_(client_id_prefix) {}

void OrderManager::reserve(std::size_t orders, std::size_t fills) {
  reserve_prefaulted(orders_, orders);
  client_ids_.reserve(orders);
  const std::size_t fills_kept_in_orders = kInlineTradeIds * orders;
  applied_trades_.reserve(fills > fills_kept_in_orders ? fills - fills_kept_in_orders : 0);
}

uint64_t OrderManager::find_client_order_id(std::string_view client_order_id) const noexcept {
  if (!is_valid_client_order_id(client_order_id)) return 0;
  return client_ids_.find(ClientOrderId::from(client_order_id));
}

// ---- errors and ignored reports -------------------------------------------------------------

OmsResult OrderManager::refuse(OmsResult code, OrderEvent event, const Order* order, uint64_t order_id,
                               const char* reason, ...) noexcept {
  ++counters_.refused;
  last_error_ = OmsError{};
  last_error_.code = code;
  last_error_.event = event;
  last_error_.order_id = order_id;
  char because[200];
  va_list args;
  va_start(args, reason);
  std::vsnprintf(because, sizeof because, reason, args);
  va_end(args);
  if (event == OrderEvent::submit) {
    std::snprintf(last_error_.message, sizeof last_error_.message, "new order: submit refused: %s", because);
    return code;
  }
  if (order == nullptr) {
    std::snprintf(last_error_.message, sizeof last_error_.message, "order %llu: %s refused: %s",
                  static_cast<unsigned long long>(order_id), event_name(event), because);
    return code;
  }
  last_error_.status = order->status;
  last_error_.client_order_id = order->client_order_id;
  const std::string_view client_id = order->client_order_id.view();
  std::snprintf(last_error_.message, sizeof last_error_.message, "order %llu '%.*s' is %s: %s refused: %s",
                static_cast<unsigned long long>(order_id), static_cast<int>(client_id.size()), client_id.data(),
                status_name(order->status), event_name(event), because);
  return code;
}

// The generic refusal of an event the order's state does not allow.
OmsResult OrderManager::refuse_in_state(const Order& order, OrderEvent event) noexcept {
  const char* reason = "not allowed in this state";
  if (order.status == OrderStatus::rejected) {
    reason = "the order was rejected";
  } else if (is_terminal(order.status)) {
    reason = "the order is finished";
  } else if (!order.sent) {
    reason = "the order has not been sent";
  }
  return refuse(OmsResult::illegal_transition, event, &order, order.order_id, "%s", reason);
}

Order* OrderManager::lookup(uint64_t order_id, OrderEvent event) noexcept {
  if (order_id - 1 < orders_.size()) return &orders_[order_id - 1];
  refuse(OmsResult::unknown_order, event, nullptr, order_id, "unknown order id");
  return nullptr;
}

bool OrderManager::trade_applied(const Order& order, int64_t trade_id) const noexcept {
  const uint32_t inline_count = std::min(order.fill_count, kInlineTradeIds);
  for (uint32_t i = 0; i < inline_count; ++i) {
    if (order.first_trade_ids[i] == trade_id) return true;
  }
  return order.fill_count > kInlineTradeIds && applied_trades_.find(TradeKey{order.order_id, trade_id}) != nullptr;
}

void OrderManager::remember_trade(Order& order, int64_t trade_id) {
  if (order.fill_count < kInlineTradeIds) {
    order.first_trade_ids[order.fill_count] = trade_id;
  } else {
    applied_trades_.insert(TradeKey{order.order_id, trade_id});
  }
}

OmsResult OrderManager::ignore(Order& order, OmsResult outcome) noexcept {
  if (outcome == OmsResult::duplicate) {
    ++order.duplicate_count;
    ++counters_.duplicate_reports;
  } else {
    ++order.late_count;
    ++counters_.late_reports;
  }
  return outcome;
}

// ---- events ---------------------------------------------------------------------------------

OmsResult OrderManager::submit(const OrderRequest& request, uint64_t& order_id) {
  const OrderEvent submit = OrderEvent::submit;
  if (!enums_in_range(request)) {
    return refuse(OmsResult::invalid_request, submit, nullptr, 0, "side, type, time in force, position side or "
                  "trigger source is out of range");
  }
  if (request.qty <= 0) {
    return refuse(OmsResult::invalid_quantity, submit, nullptr, 0, "quantity %lld lots is not positive",
                  static_cast<long long>(request.qty));
  }
  if (needs_limit_price(request.type) ? request.price <= 0 : request.price < 0) {
    return refuse(OmsResult::invalid_price, submit, nullptr, 0, "price %lld ticks is not valid for this order type",
                  static_cast<long long>(request.price));
  }
  if (needs_stop_price(request.type) ? request.stop_price <= 0 : request.stop_price < 0) {
    return refuse(OmsResult::invalid_price, submit, nullptr, 0,
                  "stop price %lld ticks is not valid for this order type", static_cast<long long>(request.stop_price));
  }
  const uint64_t next_id = orders_.size() + 1;
  ClientOrderId client_id;
  if (!request.client_order_id) {
    client_id = client_ids_.generate(next_id);
  } else {
    const std::string_view text = *request.client_order_id;
    const int shown = static_cast<int>(std::min<std::size_t>(text.size(), 60));
    if (!is_valid_client_order_id(text)) {
      return refuse(OmsResult::invalid_client_order_id, submit, nullptr, 0,
                    "client order id '%.*s' is not 1 to 36 characters from [.A-Z:/a-z0-9_-]", shown, text.data());
    }
    client_id = ClientOrderId::from(text);
    if (const uint64_t holder = client_ids_.find(client_id); holder != 0) {
      return refuse(OmsResult::client_order_id_in_use, submit, nullptr, 0,
                    "client order id '%.*s' is already used by order %llu in this run", shown, text.data(),
                    static_cast<unsigned long long>(holder));
    }
    client_ids_.add(client_id, next_id);
  }
  Order& order = orders_.emplace_back();
  order.order_id = next_id;
  order.client_order_id = client_id;
  order.instrument = request.instrument;
  order.side = request.side;
  order.type = request.type;
  order.time_in_force = request.time_in_force;
  order.position_side = request.position_side;
  order.trigger_source = request.trigger_source;
  order.reduce_only = request.reduce_only;
  order.price = request.price;
  order.stop_price = request.stop_price;
  order.qty = request.qty;
  order.created_ns = request.ts_ns;
  order.last_update_ns = request.ts_ns;
  ++counters_.orders;
  order_id = next_id;
  return OmsResult::applied;
}

// NEW (not sent) -> NEW (sent). Anything else: refused (sent twice, or canceled before sending).
OmsResult OrderManager::mark_sent(uint64_t order_id, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::mark_sent);
  if (order == nullptr) return OmsResult::unknown_order;
  if (order->status != OrderStatus::new_order || order->sent) {
    return refuse(OmsResult::illegal_transition, OrderEvent::mark_sent, order, order_id,
                  order->sent ? "the order was already sent" : "the order is finished");
  }
  order->sent = true;
  order->sent_ns = ts_ns;
  touch(*order, ts_ns);
  return OmsResult::applied;
}

// NEW -> ACCEPTED. PENDING_CANCEL before the ack (a cancel sent right after the order): records
// the ack, stays PENDING_CANCEL. ACCEPTED: duplicate (Binance reports a new order both in the
// REST response and on the user stream). Other live and FILLED/CANCELED/EXPIRED: late (a fill or
// cancel overtook it). REJECTED or never sent: refused.
OmsResult OrderManager::ack(uint64_t order_id, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::ack);
  if (order == nullptr) return OmsResult::unknown_order;
  if (!order->sent || order->status == OrderStatus::rejected) return refuse_in_state(*order, OrderEvent::ack);
  if (order->acknowledged) {
    return ignore(*order, order->status == OrderStatus::accepted ? OmsResult::duplicate : OmsResult::late);
  }
  // Not acknowledged yet and live: NEW or PENDING_CANCEL (every other state implies an ack).
  order->acknowledged = true;
  order->acknowledged_ns = ts_ns;
  if (order->status == OrderStatus::new_order) order->status = OrderStatus::accepted;
  touch(*order, ts_ns);
  return OmsResult::applied;
}

// NEW (sent or not: a local risk check may reject before sending) and an unacknowledged
// PENDING_CANCEL -> REJECTED. REJECTED: duplicate. Once the venue acknowledged the order (or any
// report implied it), a reject contradicts its history: refused.
OmsResult OrderManager::reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::reject);
  if (order == nullptr) return OmsResult::unknown_order;
  if (order->status == OrderStatus::rejected) return ignore(*order, OmsResult::duplicate);
  const bool rejectable = order->status == OrderStatus::new_order ||
                          (order->status == OrderStatus::pending_cancel && !order->acknowledged);
  if (!rejectable) {
    if (is_terminal(order->status)) return refuse_in_state(*order, OrderEvent::reject);
    return refuse(OmsResult::illegal_transition, OrderEvent::reject, order, order_id,
                  "the venue already accepted the order");
  }
  order->status = OrderStatus::rejected;
  order->last_reject_code = venue_code;
  touch(*order, ts_ns);
  return OmsResult::applied;
}

// Every sent, non-rejected order takes each new trade id exactly once: live orders (NEW and
// ACCEPTED become PARTIALLY_FILLED; pending states stay pending) and CANCELED/EXPIRED ones (a
// fill that happened before the cancel can be reported after it). A repeated trade id is a
// duplicate; fills beyond the fill limit are an overfill: reported, never applied. Principle 2
// turns the order FILLED when the fills reach the limit.
OmsResult OrderManager::fill(uint64_t order_id, int64_t trade_id, int64_t price, int64_t qty, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::fill);
  if (order == nullptr) return OmsResult::unknown_order;
  if (qty <= 0) {
    return refuse(OmsResult::invalid_quantity, OrderEvent::fill, order, order_id,
                  "trade %lld: quantity %lld lots is not positive", static_cast<long long>(trade_id),
                  static_cast<long long>(qty));
  }
  if (!order->sent || order->status == OrderStatus::rejected) return refuse_in_state(*order, OrderEvent::fill);
  if (trade_applied(*order, trade_id)) {
    ++order->duplicate_count;
    ++counters_.duplicate_fills;
    return OmsResult::duplicate;
  }
  const int64_t limit = fill_limit(*order);
  if (qty > limit - order->filled_qty) {
    ++counters_.overfills;
    return refuse(OmsResult::overfill, OrderEvent::fill, order, order_id,
                  "overfill: trade %lld of %lld lots would bring the filled quantity to %lld of %lld",
                  static_cast<long long>(trade_id), static_cast<long long>(qty),
                  static_cast<long long>(order->filled_qty) + static_cast<long long>(qty),
                  static_cast<long long>(limit));
  }
  remember_trade(*order, trade_id);
  order->filled_qty += qty;
  order->set_fill_notional(order->fill_notional() + static_cast<int128>(price) * qty);
  ++order->fill_count;
  ++counters_.fills_applied;
  imply_acknowledged(*order, ts_ns);
  touch(*order, ts_ns);
  if (!settle_if_complete(*order) &&
      (order->status == OrderStatus::new_order || order->status == OrderStatus::accepted)) {
    order->status = OrderStatus::partially_filled;
  }
  return OmsResult::applied;
}

// NEW not yet sent -> CANCELED at once (the venue never saw it). NEW (sent), ACCEPTED,
// PARTIALLY_FILLED, PENDING_AMEND -> PENDING_CANCEL (an outstanding amend stays outstanding and
// is resolved by its own report). PENDING_CANCEL (a second cancel) and finished orders: refused.
OmsResult OrderManager::cancel_request(uint64_t order_id, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::cancel_request);
  if (order == nullptr) return OmsResult::unknown_order;
  if (order->status == OrderStatus::pending_cancel) {
    return refuse(OmsResult::illegal_transition, OrderEvent::cancel_request, order, order_id,
                  "a cancel is already pending");
  }
  if (is_terminal(order->status)) return refuse_in_state(*order, OrderEvent::cancel_request);
  if (!order->sent) {
    order->status = OrderStatus::canceled;
  } else {
    order->status = OrderStatus::pending_cancel;
    order->cancel_outstanding = true;
  }
  touch(*order, ts_ns);
  return OmsResult::applied;
}

// Any live, sent order -> CANCELED: the answer to our cancel, or a cancel the venue made on its
// own (another session, cancel-all). CANCELED: duplicate (REST response and user stream).
// FILLED, EXPIRED: late (the order ended first). REJECTED or never sent: refused.
OmsResult OrderManager::cancel_ack(uint64_t order_id, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::cancel_ack);
  if (order == nullptr) return OmsResult::unknown_order;
  if (!order->sent || order->status == OrderStatus::rejected) return refuse_in_state(*order, OrderEvent::cancel_ack);
  order->cancel_outstanding = false;
  if (order->status == OrderStatus::canceled) return ignore(*order, OmsResult::duplicate);
  if (is_terminal(order->status)) return ignore(*order, OmsResult::late);
  order->status = OrderStatus::canceled;
  imply_acknowledged(*order, ts_ns);
  touch(*order, ts_ns);
  return OmsResult::applied;
}

// PENDING_CANCEL -> the working state. A finished, sent order: late; typically Binance's -2011
// "Unknown order" for an order that filled, expired or was canceled by the venue meanwhile (that
// cancel-ack may have been taken as the answer to ours, so no cancel need be outstanding). A live
// order with no cancel outstanding, or one never sent: refused.
OmsResult OrderManager::cancel_reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::cancel_reject);
  if (order == nullptr) return OmsResult::unknown_order;
  if (!order->sent) return refuse_in_state(*order, OrderEvent::cancel_reject);
  if (is_terminal(order->status)) {
    order->cancel_outstanding = false;
    return ignore(*order, OmsResult::late);
  }
  if (!order->cancel_outstanding) {
    return refuse(OmsResult::illegal_transition, OrderEvent::cancel_reject, order, order_id,
                  "no cancel is outstanding");
  }
  order->cancel_outstanding = false;
  order->status = working_status(*order);  // live with a cancel outstanding means PENDING_CANCEL
  order->last_reject_code = venue_code;
  touch(*order, ts_ns);
  return OmsResult::applied;
}

// ACCEPTED, PARTIALLY_FILLED -> PENDING_AMEND. Binance amends only LIMIT orders, and the new
// quantity must exceed what has filled. NEW (not acknowledged), PENDING_AMEND (one amend at a
// time), PENDING_CANCEL and finished orders: refused.
OmsResult OrderManager::amend_request(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::amend_request);
  if (order == nullptr) return OmsResult::unknown_order;
  const auto refuse_amend = [&](OmsResult code, const char* reason) {
    return refuse(code, OrderEvent::amend_request, order, order_id, "%s (price %lld, quantity %lld)", reason,
                  static_cast<long long>(price), static_cast<long long>(qty));
  };
  if (qty <= 0) return refuse_amend(OmsResult::invalid_quantity, "the new quantity is not positive");
  if (price <= 0) return refuse_amend(OmsResult::invalid_price, "the new price is not positive");
  switch (order->status) {
    case OrderStatus::accepted:
    case OrderStatus::partially_filled: break;
    case OrderStatus::new_order:
      return refuse_amend(OmsResult::illegal_transition, "the venue has not acknowledged the order yet");
    case OrderStatus::pending_amend: return refuse_amend(OmsResult::illegal_transition, "an amend is already pending");
    case OrderStatus::pending_cancel: return refuse_amend(OmsResult::illegal_transition, "a cancel is pending");
    default: return refuse_in_state(*order, OrderEvent::amend_request);
  }
  if (order->type != OrderType::limit) return refuse_amend(OmsResult::invalid_request, "only LIMIT orders can be amended");
  if (qty <= order->filled_qty) {
    return refuse_amend(OmsResult::invalid_quantity, "the new quantity must exceed the filled quantity");
  }
  order->status = OrderStatus::pending_amend;
  order->amend_outstanding = true;
  order->amend_price = price;
  order->amend_qty = qty;
  touch(*order, ts_ns);
  return OmsResult::applied;
}

// The ack of the outstanding amend (same price and quantity) applies the new terms in any state:
// PENDING_AMEND -> the working state (or FILLED, if the fills already reach the new quantity);
// other states keep their status (a finished order takes the terms the venue had, e.g. the price
// of a price-only amend to an order that filled meanwhile). Terms below the filled quantity: an
// overfill. A report that matches no outstanding amend is the echo of an earlier amend (duplicate
// if its terms are the current ones, else late) when the order has had one, else refused.
OmsResult OrderManager::amend_ack(uint64_t order_id, int64_t price, int64_t qty, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::amend_ack);
  if (order == nullptr) return OmsResult::unknown_order;
  const bool answers_outstanding = order->amend_outstanding && price == order->amend_price && qty == order->amend_qty;
  if (!answers_outstanding) {
    if (order->amend_count == 0) {
      return refuse(OmsResult::illegal_transition, OrderEvent::amend_ack, order, order_id,
                    "no amend to price %lld, quantity %lld is outstanding", static_cast<long long>(price),
                    static_cast<long long>(qty));
    }
    const bool current_terms = price == order->price && qty == order->qty;
    return ignore(*order, current_terms ? OmsResult::duplicate : OmsResult::late);
  }
  if (order->filled_qty > qty) {
    ++counters_.overfills;
    return refuse(OmsResult::overfill, OrderEvent::amend_ack, order, order_id,
                  "overfill: the amended quantity %lld is below the filled quantity %lld",
                  static_cast<long long>(qty), static_cast<long long>(order->filled_qty));
  }
  end_amend(*order);
  order->price = price;
  order->qty = qty;
  ++order->amend_count;
  touch(*order, ts_ns);
  if (!settle_if_complete(*order) && order->status == OrderStatus::pending_amend) {
    order->status = working_status(*order);
  }
  return OmsResult::applied;
}

// Needs an outstanding amend, else refused. The order keeps its terms, and principle 2 applies
// to them: FILLED if the fills reached the old quantity meanwhile. Otherwise PENDING_AMEND -> the
// working state, PENDING_CANCEL stays, and a finished order takes it as late. Fills beyond the
// old quantity prove the amend was applied, so a reject then is an overfill of the old quantity:
// reported, not applied.
OmsResult OrderManager::amend_reject(uint64_t order_id, int32_t venue_code, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::amend_reject);
  if (order == nullptr) return OmsResult::unknown_order;
  if (!order->amend_outstanding) {
    return refuse(OmsResult::illegal_transition, OrderEvent::amend_reject, order, order_id,
                  "no amend is outstanding");
  }
  if (order->filled_qty > order->qty) {
    ++counters_.overfills;
    return refuse(OmsResult::overfill, OrderEvent::amend_reject, order, order_id,
                  "overfill: the filled quantity %lld exceeds the unamended quantity %lld",
                  static_cast<long long>(order->filled_qty), static_cast<long long>(order->qty));
  }
  end_amend(*order);
  if (order->status == OrderStatus::filled) return ignore(*order, OmsResult::late);
  const bool finished = is_terminal(order->status);
  if (!settle_if_complete(*order)) {
    if (finished) return ignore(*order, OmsResult::late);
    if (order->status == OrderStatus::pending_amend) order->status = working_status(*order);
  }
  order->last_reject_code = venue_code;
  touch(*order, ts_ns);
  return OmsResult::applied;
}

// Any live, sent order -> EXPIRED (IOC/FOK remainder, GTX that would take, self-trade
// prevention). EXPIRED: duplicate. FILLED, CANCELED: late. REJECTED or never sent: refused.
OmsResult OrderManager::expire(uint64_t order_id, int64_t ts_ns) {
  Order* order = lookup(order_id, OrderEvent::expire);
  if (order == nullptr) return OmsResult::unknown_order;
  if (!order->sent || order->status == OrderStatus::rejected) return refuse_in_state(*order, OrderEvent::expire);
  if (order->status == OrderStatus::expired) return ignore(*order, OmsResult::duplicate);
  if (is_terminal(order->status)) return ignore(*order, OmsResult::late);
  order->status = OrderStatus::expired;
  imply_acknowledged(*order, ts_ns);
  touch(*order, ts_ns);
  return OmsResult::applied;
}

}  // namespace veloz
