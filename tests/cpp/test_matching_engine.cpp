// Randomised sessions through the matching engine under sanitizers: every kind of command and
// market event, with invariants checked on every report. Deterministic: same seed, same reports.
#include <cstdio>

#include "check.hpp"
#include <cstring>
#include <map>
#include <vector>

#include "veloz/matching_engine.hpp"

using namespace veloz;

namespace {


struct Rng {
  uint64_t state;
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
};

std::vector<ExecReport> session(uint64_t seed, bool hedge, BookMarket market) {
  InstrumentSpec spec;
  spec.market = market;
  make_grid("0.1", spec.price_grid);
  make_grid(market == BookMarket::coinm ? "1" : "0.001", spec.qty_grid);
  spec.contract_size = market == BookMarket::coinm ? 100 : 0;
  spec.maker_fee_rate_e8 = -5000;
  spec.taker_fee_rate_e8 = 40000;
  VenueConfig config;
  config.order_latency = LatencyConfig{LatencyKind::lognormal, 50'000, 0, 11.0, 0.7};
  config.report_latency = LatencyConfig{LatencyKind::uniform, 20'000, 100'000, 0.0, 0.0};
  config.queue = QueueModelConfig{seed % 2 ? QueueModelKind::probabilistic : QueueModelKind::conservative, 1.5};
  config.hedge_mode = hedge;
  config.seed = seed;
  MatchingEngine engine(spec, config, 12);
  Rng rng{seed * 2654435761ULL + 1};
  std::vector<ExecReport> all;
  std::map<uint64_t, int64_t> filled, order_qty;
  int64_t ts = 1'000'000'000, net = 0, last_deliver = INT64_MIN;
  uint64_t next_id = 1;
  ExecReport buffer[32];
  for (int step = 0; step <= 20'000; ++step) {
    ts += step == 20'000 ? 1'000'000'000'000 : rng.range(1'000, 300'000);  // last step: drain everything in flight
    const int64_t mid = 600'000 + static_cast<int64_t>(step / 500);  // slow drift
    const int64_t roll = rng.range(0, 99);
    if (roll < 40) {
      const bool bid = rng.range(0, 1) == 0;
      const int64_t offset = rng.range(0, 20);
      engine.on_level(bid ? Side::bid : Side::ask, bid ? mid - 1 - offset : mid + offset, rng.range(0, 30), ts);
    } else if (roll < 70) {
      engine.on_trade(mid + rng.range(-15, 15), rng.range(1, 20), rng.range(0, 1) ? OrderSide::sell : OrderSide::buy, ts);
    } else if (roll < 75) {
      engine.on_mark_price(mid + rng.range(-10, 10), ts);
    } else if (roll < 92) {
      VenueOrderRequest request;
      request.order_id = next_id++;
      request.side = rng.range(0, 1) ? OrderSide::sell : OrderSide::buy;
      request.type = static_cast<OrderType>(rng.range(0, 5));
      request.tif = static_cast<TimeInForce>(request.type == OrderType::limit ? rng.range(0, 3) : rng.range(0, 2));
      request.position_side = hedge ? (rng.range(0, 1) ? PositionSide::long_side : PositionSide::short_side)
                                    : PositionSide::both;
      request.reduce_only = !hedge && market != BookMarket::spot && rng.range(0, 9) == 0;
      request.trigger = rng.range(0, 1) ? TriggerSource::mark_price : TriggerSource::last_trade;
      request.price = mid + rng.range(-15, 15);
      request.stop_price = mid + rng.range(-15, 15);
      request.qty = rng.range(1, 25);
      if (engine.submit(request, ts) == CommandStatus::ok) order_qty[request.order_id] = request.qty;
    } else if (roll < 97 && next_id > 1) {
      engine.cancel(static_cast<uint64_t>(rng.range(1, static_cast<int64_t>(next_id - 1))), ts);
    } else if (next_id > 1) {
      engine.amend(static_cast<uint64_t>(rng.range(1, static_cast<int64_t>(next_id - 1))), mid + rng.range(-15, 15),
                   rng.range(1, 25), ts);
    }
    std::size_t n;
    while ((n = engine.drain_reports(ts, buffer, 32)) > 0) {
      for (std::size_t i = 0; i < n; ++i) {
        const ExecReport& r = buffer[i];
        CHECK(r.deliver_ts >= last_deliver, "reports out of delivery order (seed %llu)", (unsigned long long)seed);
        CHECK(r.deliver_ts <= ts && r.venue_ts <= r.deliver_ts, "report from the future (seed %llu)",
              (unsigned long long)seed);
        last_deliver = r.deliver_ts;
        if (r.kind == ReportKind::amended) order_qty[r.order_id] = r.qty;  // amend may grow or shrink it
        if (r.kind == ReportKind::fill) {
          filled[r.order_id] += r.qty;
          CHECK(r.qty > 0 && filled[r.order_id] == r.cum_qty, "cum_qty mismatch for order %llu",
                (unsigned long long)r.order_id);
          CHECK(r.cum_qty <= order_qty[r.order_id], "order %llu overfilled", (unsigned long long)r.order_id);
          CHECK((r.fee < 0) == r.is_maker, "fee sign does not match maker/taker");
          const SimOrder* order = engine.find(r.order_id);
          net += order->request.side == OrderSide::buy ? r.qty : -r.qty;  // LONG - SHORT in hedge mode too
        }
        all.push_back(r);
      }
    }
  }
  CHECK(net == engine.position(), "net fills %lld != position %lld", (long long)net, (long long)engine.position());
  return all;
}

}  // namespace

int main() {
  std::size_t total = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const bool hedge = seed % 3 == 0;
    const BookMarket market = seed % 4 == 1 ? BookMarket::spot : (seed % 4 == 2 ? BookMarket::coinm : BookMarket::usdm);
    const std::vector<ExecReport> first = session(seed, hedge && market != BookMarket::spot, market);
    const std::vector<ExecReport> second = session(seed, hedge && market != BookMarket::spot, market);
    CHECK(first.size() == second.size() &&
              std::memcmp(first.data(), second.data(), first.size() * sizeof(ExecReport)) == 0,
          "seed %llu is not deterministic", (unsigned long long)seed);
    total += first.size();
  }
  CHECK(total > 10'000, "too few reports (%zu): the sessions exercise nothing", total);
  std::printf("matching engine: %zu reports over 12 seeded sessions, %d failure(s)\n", total, veloz_test::failures);
  return veloz_test::failures == 0 ? 0 : 1;
}
