// Native tests of the order state machine (veloz/order_state_machine.hpp): the real report
// sequences of tests/test_oms.py, overfills, client ids, bad input, growth past reserve() and a
// seeded random stream of events that must never break an invariant. Meant for ASan+UBSan
// (tests/test_native_sanitizers.py). main() returns non-zero on failure.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "veloz/order_cycle_bench.hpp"
#include "veloz/order_state_machine.hpp"

namespace {

using veloz::OmsResult;
using veloz::Order;
using veloz::OrderManager;
using veloz::OrderRequest;
using veloz::OrderStatus;
using veloz::OrderType;

int g_failures = 0;

void expect(bool ok, const char* what, int line) {
  if (ok) return;
  ++g_failures;
  std::fprintf(stderr, "test_order_state_machine.cpp:%d: expected %s\n", line, what);
}
#define EXPECT(cond) expect((cond), #cond, __LINE__)

constexpr int64_t kQty = 10;
constexpr int64_t kPrice = 100;

uint64_t submit(OrderManager& oms, int64_t qty = kQty, std::string_view client_id = {}) {
  OrderRequest request;
  request.price = kPrice;
  request.qty = qty;
  if (!client_id.empty()) request.client_order_id = client_id;
  uint64_t id = 0;
  return oms.submit(request, id) == OmsResult::applied ? id : 0;
}

uint64_t accepted(OrderManager& oms, int64_t qty = kQty) {
  const uint64_t id = submit(oms, qty);
  oms.mark_sent(id, 1);
  oms.ack(id, 2);
  return id;
}

OrderStatus status(const OrderManager& oms, uint64_t id) { return oms.find(id)->status; }

bool same_bytes(const Order& a, const Order& b) { return std::memcmp(&a, &b, sizeof(Order)) == 0; }

void test_fill_before_ack() {
  OrderManager oms;
  const uint64_t id = submit(oms);
  EXPECT(oms.mark_sent(id, 10) == OmsResult::applied);
  EXPECT(oms.fill(id, 7, kPrice, 4, 30) == OmsResult::applied);
  EXPECT(status(oms, id) == OrderStatus::partially_filled && oms.find(id)->acknowledged_ns == 30);
  EXPECT(oms.ack(id, 20) == OmsResult::late);
  EXPECT(oms.find(id)->late_count == 1 && oms.counters().late_reports == 1);
}

void test_cancel_ack_after_last_fill_and_2011() {
  OrderManager oms;
  const uint64_t late_ack = accepted(oms);
  oms.cancel_request(late_ack, 3);
  EXPECT(oms.fill(late_ack, 1, kPrice, kQty, 4) == OmsResult::applied);
  EXPECT(status(oms, late_ack) == OrderStatus::filled);
  EXPECT(oms.cancel_ack(late_ack, 5) == OmsResult::late);
  const uint64_t rejected_cancel = accepted(oms);
  oms.cancel_request(rejected_cancel, 3);
  EXPECT(oms.cancel_reject(rejected_cancel, -2011, 4) == OmsResult::applied);
  EXPECT(status(oms, rejected_cancel) == OrderStatus::accepted);
  EXPECT(oms.fill(rejected_cancel, 1, kPrice, kQty, 5) == OmsResult::applied);
  EXPECT(status(oms, rejected_cancel) == OrderStatus::filled && oms.counters().refused == 0);
}

void test_duplicate_trade_and_fill_in_flight() {
  OrderManager oms;
  const uint64_t id = accepted(oms, 100);
  for (int64_t trade = 1; trade <= 9; ++trade) EXPECT(oms.fill(id, trade, kPrice, 1, 3) == OmsResult::applied);
  for (int64_t trade = 1; trade <= 9; ++trade) EXPECT(oms.fill(id, trade, kPrice, 1, 4) == OmsResult::duplicate);
  EXPECT(oms.find(id)->filled_qty == 9 && oms.counters().duplicate_fills == 9);
  veloz::Fill from_matching;  // the matching engine's record goes straight in
  from_matching.order_id = id;
  from_matching.trade_id = 10;
  from_matching.price = kPrice + 1;
  from_matching.qty = 2;
  EXPECT(oms.apply_fill(from_matching) == OmsResult::applied && oms.apply_fill(from_matching) == OmsResult::duplicate);
  EXPECT(oms.find(id)->filled_qty == 11 && oms.find(id)->fill_notional() == 9 * kPrice + 2 * (kPrice + 1));
  const uint64_t in_flight = accepted(oms);
  oms.cancel_request(in_flight, 3);
  EXPECT(oms.cancel_ack(in_flight, 4) == OmsResult::applied);
  EXPECT(oms.fill(in_flight, 1, kPrice, 3, 5) == OmsResult::applied);
  EXPECT(status(oms, in_flight) == OrderStatus::canceled && oms.find(in_flight)->filled_qty == 3);
}

void test_amend_sequences() {
  OrderManager oms;
  const uint64_t up = accepted(oms);
  EXPECT(oms.amend_request(up, 105, 15, 3) == OmsResult::applied);
  EXPECT(oms.fill(up, 1, kPrice, 10, 4) == OmsResult::applied);
  EXPECT(status(oms, up) == OrderStatus::pending_amend);
  EXPECT(oms.fill(up, 2, 105, 5, 5) == OmsResult::applied);
  EXPECT(status(oms, up) == OrderStatus::filled && oms.find(up)->qty == 15 && oms.find(up)->price == 105);
  EXPECT(oms.amend_ack(up, 105, 15, 6) == OmsResult::duplicate);  // the fills already applied it

  const uint64_t down = accepted(oms);
  oms.amend_request(down, kPrice, 6, 3);
  oms.fill(down, 1, kPrice, 6, 4);
  EXPECT(status(oms, down) == OrderStatus::pending_amend);
  EXPECT(oms.amend_ack(down, kPrice, 6, 5) == OmsResult::applied && status(oms, down) == OrderStatus::filled);

  const uint64_t after_partial = accepted(oms);
  oms.amend_request(after_partial, 101, 20, 3);
  oms.fill(after_partial, 1, kPrice, 4, 4);
  EXPECT(oms.amend_ack(after_partial, 101, 20, 5) == OmsResult::applied);
  EXPECT(status(oms, after_partial) == OrderStatus::partially_filled && oms.find(after_partial)->qty == 20);
  EXPECT(oms.amend_ack(after_partial, 101, 20, 6) == OmsResult::duplicate);

  const uint64_t too_low = accepted(oms);
  oms.amend_request(too_low, kPrice, 6, 3);
  oms.fill(too_low, 1, kPrice, 8, 4);
  const Order before = *oms.find(too_low);
  EXPECT(oms.amend_ack(too_low, kPrice, 6, 5) == OmsResult::overfill);
  EXPECT(same_bytes(before, *oms.find(too_low)));
  EXPECT(oms.amend_reject(too_low, -5027, 6) == OmsResult::applied);
  EXPECT(status(oms, too_low) == OrderStatus::partially_filled);

  const uint64_t proven = accepted(oms);
  oms.amend_request(proven, kPrice, 15, 3);
  oms.fill(proven, 1, kPrice, 12, 4);  // beyond the old quantity: the amend was applied
  const Order proven_before = *oms.find(proven);
  EXPECT(oms.amend_reject(proven, -5027, 5) == OmsResult::overfill);
  EXPECT(same_bytes(proven_before, *oms.find(proven)));
}

void test_overfill_and_illegal_change_nothing() {
  OrderManager oms;
  const uint64_t id = accepted(oms);
  oms.fill(id, 1, kPrice, 8, 3);
  Order before = *oms.find(id);
  EXPECT(oms.fill(id, 2, kPrice, 3, 4) == OmsResult::overfill);
  EXPECT(same_bytes(before, *oms.find(id)) && oms.counters().overfills == 1);
  EXPECT(std::strstr(oms.last_error().message, "trade 2 of 3 lots would bring the filled quantity to 11 of 10"));
  oms.fill(id, 3, kPrice, 2, 5);
  before = *oms.find(id);
  EXPECT(oms.cancel_request(id, 6) == OmsResult::illegal_transition);
  EXPECT(oms.amend_request(id, 101, 20, 6) == OmsResult::illegal_transition);
  EXPECT(oms.fill(id, 4, kPrice, 0, 6) == OmsResult::invalid_quantity);
  EXPECT(same_bytes(before, *oms.find(id)));
  EXPECT(std::string(oms.last_error().message) == "order 1 'vz-1' is FILLED: fill refused: trade 4: quantity 0 lots "
                                                  "is not positive");
  EXPECT(oms.ack(99, 7) == OmsResult::unknown_order && oms.last_error().order_id == 99);
  EXPECT(std::string(oms.last_error().message) == "order 99: ack refused: unknown order id");
  EXPECT(oms.counters().refused == 5);
}

void test_client_ids_and_bad_submits() {
  OrderManager oms("run-");
  EXPECT(submit(oms, kQty, "run-2") == 1);
  EXPECT(submit(oms) == 2 && submit(oms) == 3);
  EXPECT(oms.find(2)->client_order_id.view() == "run-1" && oms.find(3)->client_order_id.view() == "run-3");
  EXPECT(oms.find_client_order_id("run-2") == 1 && oms.find_client_order_id("run-3") == 3);
  EXPECT(submit(oms, kQty, "run-3") == 0 && oms.last_error().code == OmsResult::client_order_id_in_use);
  EXPECT(submit(oms, kQty, "has space") == 0 && oms.last_error().code == OmsResult::invalid_client_order_id);
  EXPECT(submit(oms, kQty, std::string(37, 'x')) == 0);
  const std::string longest(36, 'y');
  EXPECT(submit(oms, kQty, longest) == 4 && oms.find(4)->client_order_id.view() == longest);
  EXPECT(submit(oms, 0) == 0 && oms.last_error().code == OmsResult::invalid_quantity);
  EXPECT(submit(oms, -3) == 0 && oms.size() == 4);
  OrderRequest request;
  request.qty = kQty;
  request.type = OrderType::limit;
  uint64_t id = 0;
  EXPECT(oms.submit(request, id) == OmsResult::invalid_price);  // LIMIT without a price
  request.type = OrderType::stop_market;
  EXPECT(oms.submit(request, id) == OmsResult::invalid_price);  // no stop price
  request.type = static_cast<OrderType>(9);
  EXPECT(oms.submit(request, id) == OmsResult::invalid_request);
  request.type = OrderType::market;
  request.client_order_id = std::string_view();
  EXPECT(oms.submit(request, id) == OmsResult::invalid_client_order_id);  // empty is not "generate"
  EXPECT(oms.size() == 4);
  bool threw = false;
  try {
    OrderManager bad("prefix with space");
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  EXPECT(threw);
}

// Many orders and fills without reserve(): tables grow while views of earlier orders are re-read.
void test_growth_and_cycle_helper() {
  OrderManager oms;
  EXPECT(veloz::run_order_cycles(oms, 5000, 0) == 0);
  const uint64_t many = accepted(oms, 1000);
  for (int64_t trade = 0; trade < 1000; ++trade) oms.fill(many, trade, kPrice + trade % 3, 1, 10);
  for (int64_t trade = 0; trade < 1000; trade += 7) EXPECT(oms.fill(many, trade, kPrice, 1, 11) == OmsResult::duplicate);
  EXPECT(status(oms, many) == OrderStatus::filled && oms.find(many)->fill_count == 1000);
  EXPECT(oms.find(many)->fill_notional() == 100 * 1000 + 999);  // sum of trade % 3 over 0..999 is 999
  EXPECT(oms.counters().fills_applied == 6000 && oms.find(5000)->status == OrderStatus::filled);
  OrderManager reserved;
  reserved.reserve(1000, 1000);
  EXPECT(veloz::run_order_cycles(reserved, 1000, 0) == 0 && reserved.size() == 1000);
}

// splitmix64 (its finaliser is veloz::mix64), so every platform draws the same events.
struct Rng {
  uint64_t state;
  int64_t below(int64_t n) {
    return static_cast<int64_t>(veloz::mix64(state += 0x9E3779B97F4A7C15ULL) % static_cast<uint64_t>(n));
  }
};

// Random events, legal or not: refusals change nothing, fills never exceed the limit (the
// quantity, or the larger one of an outstanding amend), an order is FILLED exactly when its fills
// reach that limit, the filled quantity only grows and a finished order only ever becomes FILLED.
void test_random_events_keep_invariants(uint64_t seed) {
  Rng rng{seed};
  OrderManager oms;
  const int failures_before = g_failures;
  for (int step = 0; step < 200000; ++step) {
    if (oms.size() < 50 || rng.below(20) == 0) {
      submit(oms, 1 + rng.below(12));
      continue;
    }
    const uint64_t id = 1 + static_cast<uint64_t>(rng.below(static_cast<int64_t>(oms.size())));
    const Order before = *oms.find(id);
    const int64_t ts = step;
    OmsResult result = OmsResult::applied;
    const int64_t kind = rng.below(11);
    switch (kind) {
      case 0: result = oms.mark_sent(id, ts); break;
      case 1: result = oms.ack(id, ts); break;
      case 2: result = oms.reject(id, -2010, ts); break;
      case 3: result = oms.fill(id, rng.below(8), 1 + rng.below(5), rng.below(7) - 1, ts); break;
      case 4: result = oms.cancel_request(id, ts); break;
      case 5: result = oms.cancel_ack(id, ts); break;
      case 6: result = oms.cancel_reject(id, -2011, ts); break;
      case 7: result = oms.amend_request(id, rng.below(4), rng.below(15) - 1, ts); break;
      case 8: result = oms.amend_ack(id, 1 + rng.below(3), 1 + rng.below(14), ts); break;
      case 9: result = oms.amend_reject(id, -5027, ts); break;
      default: result = oms.expire(id, ts); break;
    }
    const Order& after = *oms.find(id);
    if (veloz::is_error(result)) {
      if (!same_bytes(before, after)) {
        EXPECT(!"a refused event changed the order");
        std::fprintf(stderr, "  seed %" PRIu64 ", step %d: %s\n", seed, step, oms.last_error().message);
        return;
      }
      continue;
    }
    const int64_t limit = after.amend_outstanding && after.amend_qty > after.qty ? after.amend_qty : after.qty;
    EXPECT(after.filled_qty >= before.filled_qty && after.filled_qty <= limit);
    EXPECT((after.status == OrderStatus::filled) == (after.filled_qty == limit));
    if (veloz::is_terminal(before.status)) EXPECT(after.status == before.status || after.status == OrderStatus::filled);
    if (g_failures != failures_before) {
      std::fprintf(stderr, "  seed %" PRIu64 ", step %d, order %" PRIu64 ", event %s: %s -> %s (filled %lld of %lld)\n", seed, step, id,
                   veloz::event_name(static_cast<veloz::OrderEvent>(kind + 1)), veloz::status_name(before.status),
                   veloz::status_name(after.status), static_cast<long long>(after.filled_qty),
                   static_cast<long long>(after.qty));
      return;
    }
  }
}

}  // namespace

int main() {
  test_fill_before_ack();
  test_cancel_ack_after_last_fill_and_2011();
  test_duplicate_trade_and_fill_in_flight();
  test_amend_sequences();
  test_overfill_and_illegal_change_nothing();
  test_client_ids_and_bad_submits();
  test_growth_and_cycle_helper();
  for (uint64_t seed : {12345u, 777u, 2024u}) test_random_events_keep_invariants(seed);
  if (g_failures != 0) {
    std::fprintf(stderr, "%d check(s) failed\n", g_failures);
    return 1;
  }
  std::puts("order state machine: all checks passed");
  return 0;
}
