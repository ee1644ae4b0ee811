#include "veloz/bench_kernels.hpp"

#include <chrono>
#include <vector>

#include "veloz/sim_execution.hpp"

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

int64_t full_order_cycles(int64_t cycles) {
  InstrumentSpec spec;
  spec.market = BookMarket::usdm;
  make_grid("0.1", spec.price_grid);
  make_grid("0.001", spec.qty_grid);
  spec.taker_fee_rate_e8 = 40'000;
  OrderManager oms;
  oms.reserve(static_cast<std::size_t>(cycles), static_cast<std::size_t>(cycles));
  MatchingEngine venue(spec, VenueConfig{}, 14);
  FuturesAccount account(BookMarket::usdm);
  account.add_instrument(0, spec, FuturesRisk{});
  account.deposit(int64_t{1} << 60);
  SimExecution execution(oms, venue, 0, &account, nullptr);
  for (int64_t i = 0; i < 10; ++i) {
    venue.on_level(Side::bid, 599'999 - i, int64_t{1} << 40, 0);
    venue.on_level(Side::ask, 600'000 + i, int64_t{1} << 40, 0);
  }
  OrderRequest request;
  request.side = OrderSide::buy;
  request.type = OrderType::limit;
  request.price = 600'000;
  request.qty = 1;
  uint64_t order_id = 0;
  const int64_t started = now_ns();
  for (int64_t i = 0; i < cycles; ++i) {
    request.ts_ns = 1 + i;
    execution.submit(request, order_id);
    venue.advance_to(request.ts_ns);
    execution.deliver(request.ts_ns);
  }
  const int64_t elapsed = now_ns() - started;
  return oms.find(order_id)->status == OrderStatus::filled ? elapsed : -1;
}

int64_t queue_updates(MatchingEngine& engine, int64_t price, int64_t trades, int64_t start_ts) {
  const int64_t started = now_ns();
  for (int64_t i = 0; i < trades; ++i) engine.on_trade(price, 1, OrderSide::sell, start_ts + i);
  return now_ns() - started;
}

}  // namespace veloz::bench
