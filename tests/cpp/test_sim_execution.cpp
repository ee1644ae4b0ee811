// The simulated order path end to end: OMS -> matching engine -> reports -> OMS + account.
// Hand-checked flows, then seeded random sessions where the three must agree on every order.
#include <cstdio>

#include "check.hpp"
#include <map>

#include "veloz/sim_execution.hpp"

using namespace veloz;

namespace {


InstrumentSpec usdm_spec() {
  InstrumentSpec spec;
  spec.market = BookMarket::usdm;
  make_grid("0.1", spec.price_grid);
  make_grid("0.001", spec.qty_grid);
  spec.maker_fee_rate_e8 = 20'000;
  spec.taker_fee_rate_e8 = 40'000;
  return spec;
}

OrderRequest limit(OrderSide side, int64_t price, int64_t qty, int64_t ts) {
  OrderRequest request;
  request.side = side;
  request.type = OrderType::limit;
  request.price = price;
  request.qty = qty;
  request.ts_ns = ts;
  return request;
}

void futures_fill_reaches_oms_and_position() {
  const InstrumentSpec spec = usdm_spec();
  OrderManager oms;
  MatchingEngine venue(spec, VenueConfig{}, 14);
  FuturesAccount account(BookMarket::usdm);
  account.add_instrument(7, spec, FuturesRisk{});
  account.deposit(1'000'000'000'000);  // 10,000 USDT
  SimExecution execution(oms, venue, 7, &account, nullptr);
  venue.on_level(Side::ask, 600'000, 1'000, 1);  // 1.000 BTC at 60000.0
  venue.on_level(Side::bid, 599'999, 1'000, 1);
  uint64_t id = 0;
  CHECK(execution.submit(limit(OrderSide::buy, 600'000, 500, 10), id) == OmsResult::applied, "submit");
  CHECK(oms.find(id)->status == OrderStatus::new_order, "NEW until the venue answers");
  venue.advance_to(10);
  CHECK(execution.deliver(10) == 2, "accepted + fill delivered");
  CHECK(oms.find(id)->status == OrderStatus::filled && oms.find(id)->filled_qty == 500, "OMS filled");
  const PositionSnapshot position = account.position(7, PositionSide::both);
  CHECK(position.qty == 500, "position 0.500 BTC, got %lld", static_cast<long long>(position.qty));
  // Taker fee: 30000 USDT x 0.0004 = 12 USDT.
  CHECK(account.summary().fees_e8 == 1'200'000'000, "fee 12 USDT, got %lld",
        static_cast<long long>(account.summary().fees_e8));
  CHECK(execution.counters().oms_refusals == 0, "no refusals");
}

void spot_lock_and_local_reject() {
  InstrumentSpec spec;
  spec.market = BookMarket::spot;
  make_grid("0.01", spec.price_grid);
  make_grid("0.00001", spec.qty_grid);
  OrderManager oms;
  MatchingEngine venue(spec, VenueConfig{}, 14);
  SpotAccount account;
  account.add_instrument(1, spec, "BTC", "USDT");
  account.deposit(account.find_asset("USDT"), 100'000'000'000);  // 1,000 USDT
  SimExecution execution(oms, venue, 1, nullptr, &account);
  venue.on_level(Side::ask, 6'000'000, 100'000, 1);
  uint64_t id = 0;
  // 0.01 BTC at 59000 = 590 USDT: locked while resting, below the ask.
  CHECK(execution.submit(limit(OrderSide::buy, 5'900'000, 1'000, 10), id) == OmsResult::applied, "spot submit");
  CHECK(account.balance(account.find_asset("USDT")).locked_e8 == 59'000'000'000, "590 USDT locked");
  uint64_t second = 0;  // another 590 USDT cannot be covered by the 410 left: rejected locally
  execution.submit(limit(OrderSide::buy, 5'900'000, 1'000, 11), second);
  CHECK(oms.find(second)->status == OrderStatus::rejected && execution.counters().local_rejects == 1,
        "insufficient balance rejects locally");
  venue.advance_to(12);
  execution.deliver(12);
  execution.cancel(id, 20);
  venue.advance_to(20);
  execution.deliver(20);
  CHECK(oms.find(id)->status == OrderStatus::canceled, "canceled");
  // A submit the venue refuses (its time is before the last command) must give its lock back.
  uint64_t early = 0;
  execution.submit(limit(OrderSide::buy, 5'000'000, 1'000, 5), early);
  CHECK(oms.find(early)->status == OrderStatus::rejected, "a submit timed in the past is rejected");
  CHECK(account.balance(account.find_asset("USDT")).locked_e8 == 0 &&
            account.balance(account.find_asset("USDT")).free_e8 == 100'000'000'000,
        "lock released on cancel");
}

void random_sessions_agree(uint64_t seed) {
  const InstrumentSpec spec = usdm_spec();
  VenueConfig config;
  config.order_latency = LatencyConfig{LatencyKind::uniform, 20'000, 200'000, 0.0, 0.0};
  config.report_latency = LatencyConfig{LatencyKind::uniform, 10'000, 100'000, 0.0, 0.0};
  config.seed = seed;
  OrderManager oms;
  MatchingEngine venue(spec, config, 14);
  FuturesAccount account(BookMarket::usdm);
  account.add_instrument(3, spec, FuturesRisk{});
  account.deposit(100'000'000'000'000);
  SimExecution execution(oms, venue, 3, &account, nullptr);
  uint64_t state = seed * 0x9E3779B97F4A7C15ULL + 1;
  auto next = [&](int64_t lo, int64_t hi) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return lo + static_cast<int64_t>(state % static_cast<uint64_t>(hi - lo + 1));
  };
  int64_t ts = 1'000'000;
  for (int step = 0; step < 20'000; ++step) {
    ts += next(1'000, 100'000);
    const int64_t roll = next(0, 99);
    if (roll < 45) {
      const bool bid = next(0, 1) == 0;
      venue.on_level(bid ? Side::bid : Side::ask, bid ? 599'990 - next(0, 10) : 600'000 + next(0, 10), next(0, 50), ts);
    } else if (roll < 75) {
      venue.on_trade(599'995 + next(0, 10), next(1, 20), next(0, 1) ? OrderSide::sell : OrderSide::buy, ts);
    } else if (roll < 92) {
      uint64_t id = 0;
      OrderRequest request = limit(next(0, 1) ? OrderSide::sell : OrderSide::buy, 599'990 + next(0, 20), next(1, 30), ts);
      request.time_in_force = static_cast<TimeInForce>(next(0, 3));
      if (next(0, 4) == 0) request.type = OrderType::market;
      if (next(0, 6) == 0) request.reduce_only = true;  // capped fills and expiries must agree too
      execution.submit(request, id);
    } else if (oms.size() > 0) {
      const uint64_t id = static_cast<uint64_t>(next(1, static_cast<int64_t>(oms.size())));
      if (!is_terminal(oms.find(id)->status) && !oms.find(id)->cancel_outstanding) execution.cancel(id, ts);
    }
    execution.deliver(ts);
  }
  ts += 1'000'000'000;
  venue.advance_to(ts);
  execution.deliver(ts);
  CHECK(execution.counters().oms_refusals == 0, "seed %llu: the OMS refused %llu venue reports",
        static_cast<unsigned long long>(seed), static_cast<unsigned long long>(execution.counters().oms_refusals));
  int64_t net = 0;
  for (uint64_t id = 1; id <= oms.size(); ++id) {
    const Order* order = oms.find(id);
    const SimOrder* at_venue = venue.find(id);
    if (at_venue == nullptr) continue;  // rejected locally, never sent
    CHECK(order->filled_qty == at_venue->filled, "seed %llu order %llu: OMS filled %lld, venue %lld",
          static_cast<unsigned long long>(seed), static_cast<unsigned long long>(id),
          static_cast<long long>(order->filled_qty), static_cast<long long>(at_venue->filled));
    CHECK(order->status == at_venue->status || (at_venue->status == OrderStatus::accepted && order->status == OrderStatus::accepted),
          "seed %llu order %llu: OMS %d, venue %d", static_cast<unsigned long long>(seed),
          static_cast<unsigned long long>(id), static_cast<int>(order->status), static_cast<int>(at_venue->status));
    net += order->side == OrderSide::buy ? order->filled_qty : -order->filled_qty;
  }
  CHECK(net == venue.position() && net == account.position(3, PositionSide::both).qty,
        "seed %llu: fills %lld, venue %lld, account %lld", static_cast<unsigned long long>(seed),
        static_cast<long long>(net), static_cast<long long>(venue.position()),
        static_cast<long long>(account.position(3, PositionSide::both).qty));
  CHECK(execution.counters().fills > 100, "seed %llu exercised too few fills", static_cast<unsigned long long>(seed));
}

}  // namespace

int main() {
  futures_fill_reaches_oms_and_position();
  spot_lock_and_local_reject();
  for (uint64_t seed = 1; seed <= 8; ++seed) random_sessions_agree(seed);
  std::printf("sim execution: %d failure(s)\n", veloz_test::failures);
  return veloz_test::failures == 0 ? 0 : 1;
}
