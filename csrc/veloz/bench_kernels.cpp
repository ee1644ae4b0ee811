#include "veloz/bench_kernels.hpp"

#include <chrono>
#include <vector>

namespace veloz::bench {

namespace {
int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

int64_t order_cycles(MatchingEngine& engine, uint64_t first_order_id, int64_t cycles, int64_t start_ts) {
  ExecReport reports[8];
  VenueOrderRequest request;
  request.side = OrderSide::buy;
  request.type = OrderType::limit;
  request.qty = 1;
  request.price = engine.book().best_price(Side::ask);
  const int64_t started = now_ns();
  for (int64_t i = 0; i < cycles; ++i) {
    const int64_t ts = start_ts + i;
    request.order_id = first_order_id + static_cast<uint64_t>(i);
    engine.submit(request, ts);
    engine.advance_to(ts);
    engine.drain_reports(ts, reports, 8);
  }
  return now_ns() - started;
}

int64_t market_walks(MatchingEngine& engine, uint64_t first_order_id, int64_t walks, int64_t qty, int64_t start_ts) {
  ExecReport reports[64];
  std::vector<Level> levels;
  const L2Book& book = engine.book();
  for (int64_t price = book.best_price(Side::ask); price != kNoPrice; price = book.next_level(Side::ask, price)) {
    levels.push_back(Level{price, book.qty_at(Side::ask, price)});
  }
  VenueOrderRequest request;
  request.side = OrderSide::buy;
  request.type = OrderType::market;
  request.qty = qty;
  const int64_t started = now_ns();
  for (int64_t i = 0; i < walks; ++i) {
    const int64_t ts = start_ts + 2 * i;
    request.order_id = first_order_id + static_cast<uint64_t>(i);
    engine.submit(request, ts);
    engine.advance_to(ts);
    while (engine.drain_reports(ts, reports, 64) == 64) {
    }
    for (const Level& level : levels) engine.on_level(Side::ask, level.price, level.qty, ts + 1);
  }
  return now_ns() - started;
}

int64_t queue_updates(MatchingEngine& engine, int64_t price, int64_t trades, int64_t start_ts) {
  const int64_t started = now_ns();
  for (int64_t i = 0; i < trades; ++i) engine.on_trade(price, 1, OrderSide::sell, start_ts + i);
  return now_ns() - started;
}

}  // namespace veloz::bench
