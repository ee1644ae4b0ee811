// The replay driver under sanitizers: seeded random runs (USD-M and spot; depth with snapshot
// runs, trades, ticker-only and trades-only instruments, mark price and funding rows) cut into
// random chunks and driven by a random strategy that submits, cancels and amends orders and sets
// timers on the events it gets. Invariants are checked after every next(); the same run twice, and
// the same run cut into other chunks, must give byte-identical outputs. Then targeted regression
// tests, and a check that the data path does not allocate per row.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <new>
#include <vector>

#include "check.hpp"
#include "veloz/replay_driver.hpp"

// ---- allocation counting: the global operator new (every unaligned form, so that each pairs with
// its delete under ASan), counted only while `g_counting` is set
#if defined(__GNUC__) && !defined(__clang__)
// GCC pairs its own idea of operator new with std::free below; these replacements do match.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
namespace {
std::size_t g_allocations = 0;
bool g_counting = false;
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting) ++g_allocations;
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (g_counting) ++g_allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace veloz;

namespace {

constexpr int64_t T0 = 1'700'000'000'000'000'000;

struct Rng {
  SplitMix64 bits;
  explicit Rng(uint64_t seed) : bits(seed) {}
  int64_t range(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(bits.next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(0, 99) < percent; }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(bits.next() % n); }
};

InstrumentSpec usdm_spec() {
  InstrumentSpec spec;
  spec.market = BookMarket::usdm;
  make_grid("0.1", spec.price_grid);
  make_grid("0.001", spec.qty_grid);
  spec.maker_fee_rate_e8 = 20'000;
  spec.taker_fee_rate_e8 = 40'000;
  return spec;
}

InstrumentSpec spot_spec() {
  InstrumentSpec spec;
  spec.market = BookMarket::spot;
  make_grid("0.01", spec.price_grid);
  make_grid("0.001", spec.qty_grid);
  spec.maker_fee_rate_e8 = 100'000;
  spec.taker_fee_rate_e8 = 100'000;
  return spec;
}

// ---- input data --------------------------------------------------------------------------------

struct StreamData {
  StreamKind kind = StreamKind::trades;
  uint32_t instrument = 0;
  std::vector<int64_t> ts, local, seq, v0, v1, v2, v3;
  std::vector<int8_t> side, kind_col;
  bool with_seq = true;  // false: the seq column is handed as nullptr (read as 0)
  std::size_t size() const { return ts.size(); }
};

struct Row {
  int64_t ts, local, seq, v0, v1, v2, v3;
  int8_t side, kind;
};

void push(StreamData& s, const Row& r) {
  s.ts.push_back(r.ts);
  s.local.push_back(r.local);
  s.seq.push_back(r.seq);
  s.v0.push_back(r.v0);
  s.v1.push_back(r.v1);
  s.v2.push_back(r.v2);
  s.v3.push_back(r.v3);
  s.side.push_back(r.side);
  s.kind_col.push_back(r.kind);
}

// Rows of a stream in its own order, (ts, local_ts, seq), as the catalog writes them. The sort is
// stable, so the rows of one message (one key) stay together and in order.
void sort_stream(StreamData& s) {
  std::vector<std::size_t> order(s.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (s.ts[a] != s.ts[b]) return s.ts[a] < s.ts[b];
    if (s.local[a] != s.local[b]) return s.local[a] < s.local[b];
    return s.seq[a] < s.seq[b];
  });
  StreamData sorted;
  sorted.kind = s.kind;
  sorted.instrument = s.instrument;
  sorted.with_seq = s.with_seq;
  for (std::size_t i : order) {
    push(sorted, Row{s.ts[i], s.local[i], s.seq[i], s.v0[i], s.v1[i], s.v2[i], s.v3[i], s.side[i], s.kind_col[i]});
  }
  s = sorted;
}

struct Scenario {
  ReplayConfig config;
  std::vector<ReplayInstrument> instruments;
  std::vector<StreamData> streams;
  std::vector<uint32_t> subscriptions;  // per instrument
  std::vector<int64_t> bar_interval;    // per instrument, 0: none
  bool report_events = true;
  uint64_t strategy_seed = 1;
  std::vector<int64_t> base_mid;  // per instrument, ticks
  std::size_t total_rows() const {
    std::size_t n = 0;
    for (const StreamData& s : streams) n += s.size();
    return n;
  }
};

LatencyConfig random_latency(Rng& rng) {
  switch (rng.range(0, 3)) {
    case 0: return LatencyConfig{LatencyKind::constant, 0, 0, 0.0, 0.0};
    case 1: return LatencyConfig{LatencyKind::constant, rng.range(1, 6), 0, 0.0, 0.0};
    case 2: return LatencyConfig{LatencyKind::uniform, rng.range(0, 3), rng.range(1, 8), 0.0, 0.0};
    default: return LatencyConfig{LatencyKind::lognormal, 0, 0, 0.5, 0.8};
  }
}

// Book source per instrument: 0 depth (a ticker stream may be there too, and is ignored),
// 1 ticker only, 2 none (trades only).
Scenario make_scenario(uint64_t seed, BookMarket market, bool hedge) {
  Rng rng(seed * 0x9E3779B97F4A7C15ULL + 7);
  Scenario sc;
  sc.config.market = market;
  sc.config.hedge_mode = hedge;
  sc.config.deposit_e8 = market == BookMarket::spot ? 10'000'000 * kMoneyUnitsPerAsset : 1'000'000 * kMoneyUnitsPerAsset;
  sc.config.window_bits = 12;
  sc.config.sample_interval_ns = rng.chance(20) ? 0 : rng.range(5, 60);
  sc.config.venue.order_latency = random_latency(rng);
  sc.config.venue.report_latency = random_latency(rng);
  sc.config.venue.queue.kind = rng.chance(50) ? QueueModelKind::conservative : QueueModelKind::probabilistic;
  sc.config.venue.empty_book = rng.chance(50) ? EmptyBookPolicy::expire : EmptyBookPolicy::reject;
  sc.config.venue.seed = seed;
  sc.report_events = rng.chance(80);
  sc.strategy_seed = seed * 31 + 5;
  const bool futures = market != BookMarket::spot;
  const uint32_t n_inst = rng.chance(60) ? 2 : 1;
  static const char* kBases[] = {"BTC", "ETH"};
  for (uint32_t i = 0; i < n_inst; ++i) {
    ReplayInstrument inst;
    inst.spec = futures ? usdm_spec() : spot_spec();
    inst.base_asset = kBases[i];
    sc.instruments.push_back(inst);
    sc.base_mid.push_back(futures ? 600'000 + 1'000 * static_cast<int64_t>(i) : 6'000'000 + 10'000 * static_cast<int64_t>(i));
    uint32_t subs = 0;
    if (rng.chance(70)) subs |= kSubTrades;
    if (rng.chance(60)) subs |= kSubBook;
    if (rng.chance(40)) subs |= kSubDepth;
    if (rng.chance(60)) subs |= kSubMarkPrice;
    if (rng.chance(70)) subs |= kSubFunding;
    sc.subscriptions.push_back(subs);
    sc.bar_interval.push_back(rng.chance(50) ? rng.range(10, 200) : 0);
  }

  // Streams, in a random order of indices (ties between streams break by index).
  struct Plan {
    StreamKind kind;
    uint32_t instrument;
  };
  std::vector<Plan> plans;
  for (uint32_t i = 0; i < n_inst; ++i) {
    const int source = i == 0 ? static_cast<int>(rng.range(0, 4) == 4 ? 2 : (rng.chance(80) ? 0 : 1))
                              : static_cast<int>(rng.range(0, 2));
    const bool trades = source == 2 || rng.chance(80);
    if (source == 0) {
      plans.push_back({StreamKind::depth, i});
      if (rng.chance(25)) plans.push_back({StreamKind::book_ticker, i});  // ignored beside depth
    }
    if (source == 1) plans.push_back({StreamKind::book_ticker, i});
    if (trades) {
      plans.push_back({StreamKind::trades, i});
      if (rng.chance(15)) plans.push_back({StreamKind::trades, i});  // a second trade stream
    }
    if (rng.chance(50)) plans.push_back({StreamKind::mark_price, i});
    if (rng.chance(60)) plans.push_back({StreamKind::funding, i});
  }
  for (std::size_t i = plans.size(); i > 1; --i) std::swap(plans[i - 1], plans[rng.index(i)]);
  for (const Plan& p : plans) {
    StreamData s;
    s.kind = p.kind;
    s.instrument = p.instrument;
    s.with_seq = !(p.kind == StreamKind::mark_price || p.kind == StreamKind::funding) || rng.chance(30);
    sc.streams.push_back(s);
  }

  // Generation: one clock, a random-walk mid per instrument, rows for each stream now and then.
  const int steps = static_cast<int>(rng.range(200, 1500));
  std::vector<int64_t> mid = sc.base_mid;
  std::vector<int64_t> next_seq(sc.streams.size(), 1);
  int64_t t = T0 + rng.range(0, 100);
  for (int step = 0; step < steps; ++step) {
    t += rng.range(0, 3);
    for (uint32_t i = 0; i < n_inst; ++i) mid[i] += rng.range(-1, 1);
    for (std::size_t si = 0; si < sc.streams.size(); ++si) {
      StreamData& s = sc.streams[si];
      const int64_t m = mid[s.instrument];
      const int64_t local = t + rng.range(0, 2);
      switch (s.kind) {
        case StreamKind::trades: {
          if (!rng.chance(35)) break;
          const int n = static_cast<int>(rng.range(1, 2));
          for (int k = 0; k < n; ++k) {
            const int8_t side = rng.chance(50) ? 1 : -1;
            const int64_t px = side > 0 ? m + rng.range(0, 2) : m - rng.range(0, 2);
            push(s, Row{t, local, next_seq[si]++, px, rng.range(1, 20), 0, 0, side, 0});
          }
          break;
        }
        case StreamKind::depth: {
          const bool first = s.size() == 0;
          if (!first && !rng.chance(40)) break;
          const int64_t id = next_seq[si]++;
          if ((first && rng.chance(80)) || rng.chance(4)) {
            // A snapshot: every level of the book, one key; now and then two in a row.
            const int snapshots = rng.chance(25) ? 2 : 1;
            for (int k = 0; k < snapshots; ++k) {
              const int64_t sid = k == 0 ? id : next_seq[si]++;
              const int64_t levels = rng.range(1, 6);
              for (int64_t l = 0; l < levels; ++l) push(s, Row{t, local, sid, m - 1 - l, rng.range(1, 30), 0, 0, 1, 2});
              for (int64_t l = 0; l < levels; ++l) push(s, Row{t, local, sid, m + 1 + l, rng.range(1, 30), 0, 0, -1, 2});
            }
          } else {
            const int rows = static_cast<int>(rng.range(1, 4));
            for (int k = 0; k < rows; ++k) {
              const bool bid = rng.chance(50);
              const int64_t px = bid ? m - rng.range(0, 6) : m + rng.range(0, 6);
              push(s, Row{t, local, id, px, rng.chance(25) ? 0 : rng.range(1, 30), 0, 0, static_cast<int8_t>(bid ? 1 : -1), 0});
            }
          }
          break;
        }
        case StreamKind::book_ticker: {
          if (!rng.chance(40)) break;
          const int64_t bid = m - rng.range(0, 2), ask = m + 1 + rng.range(0, 2);
          push(s, Row{t, local, next_seq[si]++, bid, rng.chance(10) ? 0 : rng.range(1, 30), ask,
                      rng.chance(10) ? 0 : rng.range(1, 30), 0, 0});
          break;
        }
        case StreamKind::mark_price: {
          if (!rng.chance(10)) break;
          push(s, Row{t, local, 0, rng.chance(5) ? 0 : m + rng.range(-2, 2), m, rng.range(-20'000, 20'000),
                      t + 1'000, 0, 0});
          break;
        }
        case StreamKind::funding: {
          if (!rng.chance(2)) break;
          const int copies = rng.chance(20) ? 2 : 1;  // a repeated funding time is paid once
          for (int k = 0; k < copies; ++k) {
            push(s, Row{t, local, 0, rng.range(-30'000, 30'000), rng.chance(30) ? 0 : m, 0, 0, 0, 0});
          }
          break;
        }
      }
    }
  }
  for (StreamData& s : sc.streams) {
    if (!s.with_seq) std::fill(s.seq.begin(), s.seq.end(), 0);
    sort_stream(s);
  }
  return sc;
}

// ---- the run -----------------------------------------------------------------------------------

struct Outputs {
  std::vector<FillRecord> fills;
  std::vector<EquitySample> equity;
  std::vector<PositionSample> positions;
  std::vector<int64_t> decision_mid2;
  std::vector<int64_t> events;  // every event handed out: kind, instrument, ts, id, v[0..3]
  ReplayCounters counters;
  uint64_t orders = 0;
};

struct TimerModel {
  int64_t due;
  int64_t interval;
  bool cancelled = false;
  bool done = false;
};

bool row_event(ReplayEventKind kind) {
  return kind == ReplayEventKind::trade || kind == ReplayEventKind::depth || kind == ReplayEventKind::mark_price ||
         kind == ReplayEventKind::funding;
}

int64_t reference_price(const ReplayDriver& d, uint32_t i, int64_t fallback) {
  const L2Book& book = d.venue(i).book();
  const int64_t bid = book.best_price(Side::bid), ask = book.best_price(Side::ask);
  if (bid != kNoPrice && ask != kNoPrice) return bid + (ask - bid) / 2;
  if (bid != kNoPrice) return bid;
  if (ask != kNoPrice) return ask;
  const int64_t last = d.venue(i).last_trade_price();
  return last > 0 ? last : fallback;
}

// The strategy: one random action now and then, on events only (never on need_data or paused),
// so that how the data is cut cannot change what it does.
void act(ReplayDriver& d, const Scenario& sc, Rng& rng, std::vector<TimerModel>& timers) {
  const bool futures = sc.config.market != BookMarket::spot;
  const int roll = static_cast<int>(rng.range(0, 99));
  if (roll < 18 && d.oms().size() < 400) {
    const uint32_t i = static_cast<uint32_t>(rng.index(sc.instruments.size()));
    const int64_t ref = reference_price(d, i, sc.base_mid[i]);
    OrderRequest r;
    r.instrument = i;
    r.side = rng.chance(50) ? OrderSide::buy : OrderSide::sell;
    const bool buy = r.side == OrderSide::buy;
    r.qty = rng.range(1, 8);
    const int type = static_cast<int>(rng.range(0, 9));
    if (type <= 2) {
      r.type = OrderType::market;
    } else if (type <= 5) {
      r.type = OrderType::limit;
      r.price = std::max<int64_t>(1, ref + rng.range(-4, 4));
    } else if (type == 6) {  // post-only, passive or not
      r.type = OrderType::limit;
      r.time_in_force = TimeInForce::gtx;
      r.price = std::max<int64_t>(1, buy ? ref - rng.range(-1, 3) : ref + rng.range(-1, 3));
    } else if (type == 7) {  // IOC or FOK through the touch
      r.type = OrderType::limit;
      r.time_in_force = rng.chance(70) ? TimeInForce::ioc : TimeInForce::fok;
      r.price = std::max<int64_t>(1, buy ? ref + rng.range(0, 3) : ref - rng.range(0, 3));
    } else if (type == 8 && futures) {  // conditional
      r.type = rng.chance(50) ? OrderType::stop_market : OrderType::take_profit_market;
      r.trigger_source = rng.chance(50) ? TriggerSource::last_trade : TriggerSource::mark_price;
      const bool stop = r.type == OrderType::stop_market;
      const int64_t away = rng.range(1, 4);
      r.stop_price = std::max<int64_t>(1, (buy == stop) ? ref + away : ref - away);
    } else {
      r.type = OrderType::limit;
      r.price = std::max<int64_t>(1, buy ? ref - rng.range(0, 3) : ref + rng.range(0, 3));
    }
    if (futures && sc.config.hedge_mode) {
      r.position_side = rng.chance(50) ? PositionSide::long_side : PositionSide::short_side;
    } else if (futures && rng.chance(10)) {
      r.reduce_only = true;
    }
    uint64_t id = 0;
    d.submit(r, id);
    CHECK(id != 0, "a valid order gets an id");
  } else if (roll < 26) {
    const std::vector<uint64_t>& open = d.open_orders();
    if (!open.empty()) d.cancel(open[rng.index(open.size())]);
  } else if (roll < 31 && futures) {
    const std::vector<uint64_t>& open = d.open_orders();
    if (!open.empty()) {
      const uint64_t id = open[rng.index(open.size())];
      const Order* o = d.oms().find(id);
      if (o->type == OrderType::limit) d.amend(id, std::max<int64_t>(1, o->price + rng.range(-2, 2)), rng.range(1, 10));
    }
  } else if (roll < 36 && timers.size() < 24) {
    const int64_t due = d.now() == INT64_MIN ? T0 : d.now() + rng.range(0, 40);
    const int64_t interval = rng.chance(50) ? 0 : rng.range(1, 40);
    const uint64_t id = d.add_timer(due, interval);
    CHECK(id == timers.size() + 1, "timer ids count from 1");
    timers.push_back(TimerModel{due, interval});
  } else if (roll < 39 && !timers.empty()) {
    const std::size_t k = rng.index(timers.size());
    d.cancel_timer(k + 1);
    timers[k].cancelled = true;
  }
}

struct Cursor {
  std::size_t next = 0;  // first row not yet handed over
  int empties = 0;       // empty chunks handed in a row
};

StreamChunk slice(const StreamData& s, std::size_t from, std::size_t n, Rng& rng) {
  StreamChunk c;
  c.size = n;
  if (n == 0) return c;
  c.ts = &s.ts[from];
  c.local_ts = &s.local[from];
  c.seq = s.with_seq ? &s.seq[from] : nullptr;
  c.v0 = &s.v0[from];
  c.v1 = &s.v1[from];
  const bool quad = s.kind == StreamKind::book_ticker || s.kind == StreamKind::mark_price;
  c.v2 = quad || rng.chance(50) ? &s.v2[from] : nullptr;  // unused columns: there or not
  c.v3 = quad || rng.chance(50) ? &s.v3[from] : nullptr;
  c.side = &s.side[from];
  c.kind = s.kind == StreamKind::depth || rng.chance(50) ? &s.kind_col[from] : nullptr;
  return c;
}

bool key_before(const int64_t a[4], const int64_t b[4]) {
  for (int k = 0; k < 4; ++k)
    if (a[k] != b[k]) return a[k] < b[k];
  return false;
}

// The books the driver should show, rebuilt from the rows in merge order: depth as given, a
// snapshot replacing the book when its message ends; a ticker-only book holding the last ticker;
// a trades-only book one tick wide around the last trade.
class ReferenceBooks {
 public:
  explicit ReferenceBooks(const Scenario& sc) : sc_(sc), books_(sc.instruments.size()), in_snapshot_(sc.streams.size()),
                                                snapshot_seq_(sc.streams.size()) {
    has_depth_.assign(sc.instruments.size(), false);
    has_ticker_.assign(sc.instruments.size(), false);
    for (std::size_t si = 0; si < sc.streams.size(); ++si) {
      const StreamData& s = sc.streams[si];
      if (s.kind == StreamKind::depth) has_depth_[s.instrument] = true;
      if (s.kind == StreamKind::book_ticker) has_ticker_[s.instrument] = true;
      for (std::size_t r = 0; r < s.size(); ++r) merged_.push_back({static_cast<uint32_t>(si), r});
    }
    std::stable_sort(merged_.begin(), merged_.end(), [&](const Ref& a, const Ref& b) {
      const int64_t ka[4] = {ts(a), local(a), seq(a), a.stream}, kb[4] = {ts(b), local(b), seq(b), b.stream};
      return std::lexicographical_compare(ka, ka + 4, kb, kb + 4);
    });
  }
  std::size_t total() const { return merged_.size(); }
  // Applies the rows up to the `consumed`-th; rows leave the driver in this order.
  void advance(std::size_t consumed) {
    for (; applied_ < consumed && applied_ < merged_.size(); ++applied_) apply(applied_);
  }
  // Whether the last row applied is a depth row whose message goes on with the next row.
  bool inside_message() const {
    if (applied_ == 0 || applied_ >= merged_.size()) return false;
    const Ref& a = merged_[applied_ - 1];
    const Ref& b = merged_[applied_];
    return a.stream == b.stream && sc_.streams[a.stream].kind == StreamKind::depth && ts(a) == ts(b) &&
           local(a) == local(b) && seq(a) == seq(b);
  }
  bool matches(const ReplayDriver& d, uint32_t i) const {
    const L2Book& book = d.venue(i).book();
    for (Side side : {Side::bid, Side::ask}) {
      const std::map<int64_t, int64_t>& want = books_[i][static_cast<std::size_t>(side)];
      std::size_t n = 0;
      for (int64_t p = book.best_price(side); p != kNoPrice; p = book.next_level(side, p), ++n) {
        const auto it = want.find(p);
        if (it == want.end() || it->second != book.qty_at(side, p)) return false;
      }
      if (n != want.size()) return false;
    }
    return true;
  }

 private:
  struct Ref {
    uint32_t stream;
    std::size_t row;
  };
  int64_t ts(const Ref& r) const { return sc_.streams[r.stream].ts[r.row]; }
  int64_t local(const Ref& r) const { return sc_.streams[r.stream].local[r.row]; }
  int64_t seq(const Ref& r) const { return sc_.streams[r.stream].with_seq ? sc_.streams[r.stream].seq[r.row] : 0; }
  void set(uint32_t i, Side side, int64_t price, int64_t qty) {
    std::map<int64_t, int64_t>& levels = books_[i][static_cast<std::size_t>(side)];
    if (qty == 0) {
      levels.erase(price);
    } else {
      levels[price] = qty;
    }
  }
  void apply(std::size_t k) {
    const Ref& ref = merged_[k];
    const StreamData& s = sc_.streams[ref.stream];
    const std::size_t r = ref.row;
    const uint32_t i = s.instrument;
    switch (s.kind) {
      case StreamKind::depth: {
        const Side side = s.side[r] > 0 ? Side::bid : Side::ask;
        const bool snapshot = s.kind_col[r] == 2;
        if (snapshot) {
          if (!in_snapshot_[ref.stream] || seq(ref) != snapshot_seq_[ref.stream]) stated_ = {};
          stated_[static_cast<std::size_t>(side)][s.v0[r]] = 1;
          snapshot_seq_[ref.stream] = seq(ref);
        }
        in_snapshot_[ref.stream] = snapshot;
        set(i, side, s.v0[r], s.v1[r]);
        const bool message_ends = k + 1 >= merged_.size() || merged_[k + 1].stream != ref.stream ||
                                  ts(merged_[k + 1]) != ts(ref) || local(merged_[k + 1]) != local(ref) ||
                                  seq(merged_[k + 1]) != seq(ref);
        if (snapshot && message_ends) {
          for (std::size_t b = 0; b < 2; ++b) {
            for (auto it = books_[i][b].begin(); it != books_[i][b].end();) {
              it = stated_[b].count(it->first) ? std::next(it) : books_[i][b].erase(it);
            }
          }
        }
        break;
      }
      case StreamKind::book_ticker:
        if (has_depth_[i]) break;
        books_[i] = {};
        if (s.v0[r] > 0) set(i, Side::bid, s.v0[r], s.v1[r]);
        if (s.v2[r] > 0) set(i, Side::ask, s.v2[r], s.v3[r]);
        break;
      case StreamKind::trades: {
        if (has_depth_[i] || has_ticker_[i]) break;
        const int64_t px = s.v0[r];
        const int64_t bid = s.side[r] > 0 ? px - 1 : px;
        books_[i] = {};
        if (bid > 0) set(i, Side::bid, bid, int64_t{1} << 40);
        set(i, Side::ask, s.side[r] > 0 ? px : px + 1, int64_t{1} << 40);
        break;
      }
      default:
        break;
    }
  }

  const Scenario& sc_;
  std::vector<Ref> merged_;
  std::size_t applied_ = 0;
  std::vector<std::array<std::map<int64_t, int64_t>, 2>> books_;
  std::vector<bool> has_depth_, has_ticker_, in_snapshot_;
  std::vector<int64_t> snapshot_seq_;
  std::array<std::map<int64_t, int>, 2> stated_;  // the snapshot being loaded
};

Outputs run(const Scenario& sc, uint64_t chunk_seed, const char* label) {
  ReplayDriver d(sc.config, sc.instruments);
  for (const StreamData& s : sc.streams) d.add_stream(s.instrument, s.kind);
  for (uint32_t i = 0; i < sc.instruments.size(); ++i) {
    d.subscribe(i, sc.subscriptions[i]);
    if (sc.bar_interval[i] > 0) d.set_bar_interval(i, sc.bar_interval[i]);
  }
  d.set_report_events(sc.report_events);
  Rng chunks(chunk_seed), strategy(sc.strategy_seed);
  ReferenceBooks reference(sc);
  std::vector<Cursor> cursors(sc.streams.size());
  std::vector<std::size_t> matched(sc.streams.size(), 0);  // per stream: rows before this were seen
  std::vector<TimerModel> timers;
  Outputs out;
  int64_t last_event_ts = INT64_MIN, last_now = INT64_MIN;
  int64_t last_key[4] = {INT64_MIN, INT64_MIN, INT64_MIN, -1};
  std::size_t fills_seen = 0, equity_seen = 0, positions_seen = 0;
  const bool futures = sc.config.market != BookMarket::spot;
  std::vector<std::vector<int64_t>> bars(sc.instruments.size());  // per instrument: open ts, OHLC, volume, count
  std::vector<std::array<int64_t, 4>> tops(sc.instruments.size(), std::array<int64_t, 4>{0, 0, 0, 0});
  // As the backtest runner does: every stream gets its first chunk, then the strategy starts (and
  // may act) with the clock at the start of the data.
  for (std::size_t si = 0; si < sc.streams.size(); ++si) {
    const StreamData& s = sc.streams[si];
    if (s.size() == 0) {
      d.end_stream(static_cast<uint32_t>(si));
      continue;
    }
    const std::size_t take = std::min<std::size_t>(static_cast<std::size_t>(chunks.range(1, 9)), s.size());
    d.set_chunk(static_cast<uint32_t>(si), slice(s, 0, take, chunks));
    cursors[si].next = take;
  }
  int64_t start = INT64_MAX;
  for (const StreamData& s : sc.streams) start = s.size() > 0 ? std::min(start, s.ts[0]) : start;
  CHECK(d.now() == (start == INT64_MAX ? INT64_MIN : start), "%s: before the first row the clock reads the start", label);
  for (int k = 0; k < 3; ++k) act(d, sc, strategy, timers);
  ReplayEvent ev;
  for (int guard = 0;; ++guard) {
    if (guard > 2'000'000) {
      CHECK(false, "%s: the run does not end", label);
      break;
    }
    const uint64_t budget = chunks.chance(30) ? static_cast<uint64_t>(chunks.range(0, 3)) : UINT64_MAX;
    const ReplayEventKind kind = d.next(ev, budget);

    // ---- invariants after every next()
    CHECK(d.now() >= last_now, "%s: now() went back", label);
    last_now = d.now();
    for (uint32_t i = 0; i < sc.instruments.size(); ++i) {
      CHECK(d.execution_counters(i).oms_refusals == 0, "%s: the OMS refused a report", label);
    }
    for (; fills_seen < d.fills().size(); ++fills_seen) {
      const FillRecord& f = d.fills()[fills_seen];
      CHECK(fills_seen == 0 || d.fills()[fills_seen - 1].ts <= f.ts, "%s: fill ts went back", label);
      CHECK(f.ts <= d.now(), "%s: a fill after now", label);
    }
    for (; equity_seen < d.equity().size(); ++equity_seen) {
      const EquitySample& e = d.equity()[equity_seen];
      CHECK(equity_seen == 0 || d.equity()[equity_seen - 1].ts <= e.ts, "%s: equity ts went back", label);
      if (futures) {
        CHECK(e.equity_e8 == e.wallet_e8 + e.unrealized_e8, "%s: margin balance %lld != wallet %lld + unrealized %lld",
              label, static_cast<long long>(e.equity_e8), static_cast<long long>(e.wallet_e8),
              static_cast<long long>(e.unrealized_e8));
      } else {
        CHECK(e.equity_e8 == e.wallet_e8 + e.gross_exposure_e8, "%s: spot equity != cash + holdings", label);
      }
    }
    for (; positions_seen < d.positions().size(); ++positions_seen) {
      CHECK(positions_seen == 0 || d.positions()[positions_seen - 1].ts <= d.positions()[positions_seen].ts,
            "%s: position sample ts went back", label);
    }
    {
      std::size_t k = 0;
      const std::vector<uint64_t>& open = d.open_orders();
      bool same = true;
      for (std::size_t o = 0; o < d.oms().size(); ++o) {
        const Order& order = d.oms().data()[o];
        if (is_terminal(order.status)) continue;
        if (k >= open.size() || open[k] != order.order_id) same = false;
        ++k;
      }
      CHECK(same && k == open.size(), "%s: open_orders() is not the OMS's live orders", label);
    }

    if (kind == ReplayEventKind::end) break;
    if (kind == ReplayEventKind::paused) continue;
    if (kind == ReplayEventKind::need_data) {
      const StreamData& s = sc.streams[ev.stream];
      Cursor& c = cursors[ev.stream];
      if (c.next >= s.size()) {
        d.end_stream(ev.stream);
      } else {
        const std::size_t n = c.empties < 2 && chunks.chance(5) ? 0 : static_cast<std::size_t>(chunks.range(1, 9));
        const std::size_t take = std::min(n, s.size() - c.next);
        d.set_chunk(ev.stream, slice(s, c.next, take, chunks));
        c.empties = take == 0 ? c.empties + 1 : 0;
        c.next += take;
      }
      continue;
    }

    // ---- an event for the strategy
    CHECK(ev.ts >= last_event_ts, "%s: event ts %lld before %lld (kind %d)", label, static_cast<long long>(ev.ts),
          static_cast<long long>(last_event_ts), static_cast<int>(kind));
    CHECK(ev.ts <= d.now(), "%s: an event after now", label);
    last_event_ts = ev.ts;
    out.events.insert(out.events.end(), {static_cast<int64_t>(kind), ev.instrument, ev.ts, ev.id, ev.v[0], ev.v[1],
                                         ev.v[2], ev.v[3]});
    if (kind == ReplayEventKind::book) {
      const L2Book& book = d.venue(ev.instrument).book();
      const int64_t bid = book.best_price(Side::bid), ask = book.best_price(Side::ask);
      CHECK(ev.v[0] == (bid == kNoPrice ? 0 : bid) && ev.v[2] == (ask == kNoPrice ? 0 : ask) &&
                ev.v[1] == (bid == kNoPrice ? 0 : book.best_qty(Side::bid)) &&
                ev.v[3] == (ask == kNoPrice ? 0 : book.best_qty(Side::ask)),
            "%s: a book event that is not the book", label);
    }
    if (kind == ReplayEventKind::timer) {
      CHECK(ev.id >= 1 && static_cast<std::size_t>(ev.id) <= timers.size(), "%s: unknown timer", label);
      TimerModel& tm = timers[static_cast<std::size_t>(ev.id - 1)];
      CHECK(!tm.cancelled && !tm.done, "%s: a cancelled or finished timer fired", label);
      CHECK(ev.ts == tm.due, "%s: timer fired at %lld, due %lld", label, static_cast<long long>(ev.ts),
            static_cast<long long>(tm.due));
      if (tm.interval > 0) {
        tm.due += tm.interval;
      } else {
        tm.done = true;
      }
    }
    if (kind == ReplayEventKind::bar) {
      CHECK(ev.ts == ev.v[6] + ev.v[7], "%s: a bar closes at its end", label);
      bars[ev.instrument].insert(bars[ev.instrument].end(), {ev.v[6], ev.v[0], ev.v[1], ev.v[2], ev.v[3], ev.v[4], ev.v[5]});
    }
    if (kind == ReplayEventKind::book) {
      reference.advance(d.counters().data_events);
      CHECK(!reference.inside_message(), "%s: a book event inside a depth message", label);
      CHECK(reference.matches(d, ev.instrument), "%s: instrument %u: the book is not the data's", label, ev.instrument);
      const std::array<int64_t, 4> top{ev.v[0], ev.v[1], ev.v[2], ev.v[3]};
      CHECK(top != tops[ev.instrument], "%s: a book event that changes nothing", label);
      tops[ev.instrument] = top;
    }
    if (row_event(kind)) {
      // The row this event came from: the next matching row of its stream. Rows leave in
      // (ts, local_ts, seq, stream index) order.
      const StreamData& s = sc.streams[ev.stream];
      std::size_t r = matched[ev.stream];
      while (r < s.size() && !(s.ts[r] == ev.ts && s.v0[r] == ev.v[0] && (kind == ReplayEventKind::funding || s.v1[r] == ev.v[1])))
        ++r;
      CHECK(r < s.size(), "%s: an event matching no row of stream %u", label, ev.stream);
      if (r < s.size()) {
        const int64_t key[4] = {s.ts[r], s.local[r], s.with_seq ? s.seq[r] : 0, ev.stream};
        CHECK(!key_before(key, last_key), "%s: rows out of merge order", label);
        std::copy(key, key + 4, last_key);
        matched[ev.stream] = r + 1;
      }
    }
    act(d, sc, strategy, timers);
  }
  CHECK(d.counters().data_events == sc.total_rows(), "%s: %llu rows consumed of %zu", label,
        static_cast<unsigned long long>(d.counters().data_events), sc.total_rows());
  // Bars against a reference built from the trade rows in merge order; the last bar closes too if
  // its end is not after the last row.
  int64_t last_row = INT64_MIN;
  for (const StreamData& s : sc.streams) last_row = s.size() > 0 ? std::max(last_row, s.ts.back()) : last_row;
  for (uint32_t i = 0; i < sc.instruments.size(); ++i) {
    if (sc.bar_interval[i] == 0) continue;
    const int64_t interval = sc.bar_interval[i];
    std::vector<std::array<int64_t, 7>> trades;  // ts, local, seq, stream, px, qty, -
    for (std::size_t si = 0; si < sc.streams.size(); ++si) {
      const StreamData& s = sc.streams[si];
      if (s.kind != StreamKind::trades || s.instrument != i) continue;
      for (std::size_t r = 0; r < s.size(); ++r) {
        trades.push_back({s.ts[r], s.local[r], s.with_seq ? s.seq[r] : 0, static_cast<int64_t>(si), s.v0[r], s.v1[r], 0});
      }
    }
    std::stable_sort(trades.begin(), trades.end(), [](const auto& a, const auto& b) {
      return std::lexicographical_compare(a.begin(), a.begin() + 4, b.begin(), b.begin() + 4);
    });
    std::vector<int64_t> expected;
    std::array<int64_t, 7> bar{};
    bool open = false;
    for (const auto& t : trades) {
      if (open && t[0] >= bar[0] + interval) {
        expected.insert(expected.end(), bar.begin(), bar.end());
        open = false;
      }
      if (!open) {
        bar = {t[0] - ((t[0] % interval) + interval) % interval, t[4], t[4], t[4], t[4], 0, 0};
        open = true;
      }
      bar[2] = std::max(bar[2], t[4]);
      bar[3] = std::min(bar[3], t[4]);
      bar[4] = t[4];
      bar[5] += t[5];
      ++bar[6];
    }
    if (open && bar[0] + interval <= last_row) expected.insert(expected.end(), bar.begin(), bar.end());
    CHECK(bars[i] == expected, "%s: instrument %u: %zu bars, expected %zu", label, i, bars[i].size() / 7,
          expected.size() / 7);
  }
  for (const TimerModel& tm : timers) {
    CHECK(tm.cancelled || tm.done || tm.due > d.now(), "%s: a timer due at %lld <= the end %lld never fired", label,
          static_cast<long long>(tm.due), static_cast<long long>(d.now()));
  }
  d.finish();
  CHECK(!d.equity().empty() && d.equity().back().ts == d.now(), "%s: the closing sample is at the end", label);
  reference.advance(reference.total());
  for (uint32_t i = 0; i < sc.instruments.size(); ++i) {
    CHECK(reference.matches(d, i), "%s: instrument %u: the final book is not the data's", label, i);
  }
  // Each sample is one equity row and one position row per slot (spot and one-way: one per
  // instrument; hedge: LONG and SHORT), taken together: their PnL must agree.
  const std::size_t slots = sc.instruments.size() * (sc.config.hedge_mode ? 2 : 1);
  CHECK(d.positions().size() == d.equity().size() * slots, "%s: %zu position rows for %zu samples", label,
        d.positions().size(), d.equity().size());
  for (std::size_t k = 0; k < d.equity().size() && d.positions().size() == d.equity().size() * slots; ++k) {
    const EquitySample& e = d.equity()[k];
    int64_t unrealized = 0, realized = 0;
    for (std::size_t j = k * slots; j < (k + 1) * slots; ++j) {
      unrealized += d.positions()[j].unrealized_e8;
      realized += d.positions()[j].realized_e8;
      CHECK(d.positions()[j].ts == e.ts, "%s: a position row apart from its sample", label);
    }
    CHECK(unrealized == e.unrealized_e8 && realized == e.realized_e8,
          "%s: sample %zu: unrealized %lld / realized %lld, positions say %lld / %lld", label, k,
          static_cast<long long>(e.unrealized_e8), static_cast<long long>(e.realized_e8),
          static_cast<long long>(unrealized), static_cast<long long>(realized));
  }
  out.fills = d.fills();
  out.equity = d.equity();
  out.positions = d.positions();
  out.decision_mid2 = d.decision_mid2();
  out.counters = d.counters();
  out.orders = d.oms().size();
  return out;
}

template <typename T>
bool same_bytes(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

void random_runs(uint64_t seed, BookMarket market, bool hedge, uint64_t& fills, uint64_t& orders) {
  const Scenario sc = make_scenario(seed, market, hedge);
  char label[64];
  std::snprintf(label, sizeof label, "%s seed %llu", market == BookMarket::spot ? "spot" : (hedge ? "usdm-hedge" : "usdm"),
                static_cast<unsigned long long>(seed));
  const Outputs a = run(sc, seed + 1000, label);
  const Outputs b = run(sc, seed + 1000, label);
  CHECK(same_bytes(a.fills, b.fills) && same_bytes(a.equity, b.equity) && same_bytes(a.positions, b.positions) &&
            same_bytes(a.decision_mid2, b.decision_mid2) && same_bytes(a.events, b.events),
        "%s: a second identical run differs", label);
  // Cut into other chunks, with other budgets: the strategy sees the same events, so the run is the same.
  const Outputs c = run(sc, seed * 7 + 99, label);
  CHECK(same_bytes(a.fills, c.fills) && same_bytes(a.equity, c.equity) && same_bytes(a.positions, c.positions) &&
            same_bytes(a.events, c.events),
        "%s: other chunk boundaries change the run", label);
  fills += a.fills.size();
  orders += a.orders;
}

// ---- targeted tests -----------------------------------------------------------------------------

ReplayDriver one_usdm(int64_t sample_interval_ns = 0) {
  ReplayConfig config;
  config.deposit_e8 = 1'000'000 * kMoneyUnitsPerAsset;
  config.window_bits = 12;
  config.sample_interval_ns = sample_interval_ns;
  ReplayInstrument inst;
  inst.spec = usdm_spec();
  return ReplayDriver(config, {inst});
}

StreamData depth_rows(std::initializer_list<Row> rows) {
  StreamData s;
  s.kind = StreamKind::depth;
  for (const Row& r : rows) push(s, r);
  return s;
}

StreamData trade_rows(std::initializer_list<Row> rows) {
  StreamData s;
  s.kind = StreamKind::trades;
  for (const Row& r : rows) push(s, r);
  return s;
}

// Runs to the end, each stream's rows in one chunk; `on_event` gets every event for the caller.
// Returns the number of events, or -1 when the run had not ended after `max_events`.
template <typename F>
int drive(ReplayDriver& d, const std::vector<StreamData>& streams, F&& on_event, int max_events = 10'000) {
  std::vector<bool> handed(streams.size(), false);
  Rng unused(1);
  ReplayEvent ev;
  int events = 0;
  while (events <= max_events) {
    const ReplayEventKind kind = d.next(ev, UINT64_MAX);
    if (kind == ReplayEventKind::end) return events;
    if (kind == ReplayEventKind::need_data) {
      if (handed[ev.stream]) {
        d.end_stream(ev.stream);
      } else {
        handed[ev.stream] = true;
        d.set_chunk(ev.stream, slice(streams[ev.stream], 0, streams[ev.stream].size(), unused));
      }
      continue;
    }
    ++events;
    on_event(kind, ev);
  }
  return -1;
}

std::vector<Level> levels(const ReplayDriver& d, Side side) {
  std::vector<Level> out;
  const L2Book& book = d.venue(0).book();
  for (int64_t p = book.best_price(side); p != kNoPrice; p = book.next_level(side, p)) out.push_back({p, book.qty_at(side, p)});
  return out;
}

// A repeating timer whose next due time does not fit int64 fires once: re-arming it must neither
// overflow (undefined; in practice a due time far in the past that fires again and again, with
// time running backwards) nor keep the run from ending.
void a_repeating_timer_past_the_end_of_time_fires_once() {
  ReplayDriver d = one_usdm();
  d.subscribe(0, kSubTrades);
  const std::vector<StreamData> streams = {trade_rows({{T0, T0, 1, 100, 1, 0, 0, 1, 0}, {T0 + 100, T0 + 100, 2, 100, 1, 0, 0, 1, 0}})};
  d.add_stream(0, StreamKind::trades);
  int fired = 0;
  int64_t last_ts = INT64_MIN;
  bool backwards = false;
  const int events = drive(d, streams, [&](ReplayEventKind kind, const ReplayEvent& ev) {
    backwards |= ev.ts < last_ts;
    last_ts = ev.ts;
    if (kind == ReplayEventKind::trade && ev.id == 1) {
      d.add_timer(T0 + 10, INT64_MAX);
      d.add_timer(T0 + 20, INT64_MAX - T0);  // due + interval = INT64_MAX + 20
    }
    if (kind == ReplayEventKind::timer) ++fired;
  }, 1'000);
  CHECK(events == 4, "two trades and two timer events, got %d", events);
  CHECK(fired == 2 && !backwards, "each timer fires once, in time order: %d fired", fired);
}

// Before the first row the clock read INT64_MIN, so a strategy's on_start, which runs once every
// stream has its first chunk, set its timers (now + delay) and sent its orders at the dawn of time:
// a repeating timer fired about 2^63 / delay times before the data started (a hang), and an order
// reached an empty book. Now the clock reads the start of the data until the first row.
void before_the_first_row_the_clock_reads_the_start_of_the_data() {
  ReplayDriver d = one_usdm();
  d.add_stream(0, StreamKind::depth);
  d.add_stream(0, StreamKind::trades);
  const std::vector<StreamData> streams = {
      depth_rows({{T0 + 3, T0 + 3, 1, 99, 10, 0, 0, 1, 2}, {T0 + 3, T0 + 3, 1, 101, 10, 0, 0, -1, 2}}),
      trade_rows({{T0 + 5, T0 + 5, 1, 100, 1, 0, 0, 1, 0}, {T0 + 4'003, T0 + 4'003, 2, 100, 1, 0, 0, 1, 0}}),
  };
  CHECK(d.now() == INT64_MIN, "no data yet: no clock");
  Rng unused(1);
  d.set_chunk(0, slice(streams[0], 0, streams[0].size(), unused));
  CHECK(d.now() == INT64_MIN, "a stream's first rows are missing: no clock yet");
  d.set_chunk(1, slice(streams[1], 0, streams[1].size(), unused));
  CHECK(d.now() == T0 + 3, "the clock starts at the first row, got %lld", static_cast<long long>(d.now()));
  d.add_timer(d.now() + 1'000, 1'000);  // every microsecond from the start
  OrderRequest r;
  r.side = OrderSide::buy;
  r.type = OrderType::market;
  r.qty = 2;
  uint64_t id = 0;
  d.submit(r, id);
  std::vector<int64_t> fired;
  ReplayEvent ev;
  for (int guard = 0; guard < 1'000; ++guard) {
    const ReplayEventKind kind = d.next(ev, UINT64_MAX);
    if (kind == ReplayEventKind::end) break;
    if (kind == ReplayEventKind::need_data) d.end_stream(ev.stream);
    if (kind == ReplayEventKind::timer) fired.push_back(ev.ts);
  }
  CHECK(fired.size() == 4 && fired.front() == T0 + 1'003 && fired.back() == T0 + 4'003,
        "the timer fires at start + 1, 2, 3, 4 us: %zu times, first at T0%+lld", fired.size(),
        static_cast<long long>(fired.empty() ? 0 : fired.front() - T0));
  const Order* order = d.oms().find(id);
  CHECK(order != nullptr && order->created_ns == T0 + 3, "the order was sent at the start");
  CHECK(d.fills().size() == 1 && d.fills()[0].px == 101, "it met the book of the data, not an empty one");
}

// Trades only: the one-tick book must move to a trade before the venue sees the trade, or an order
// the trade triggers works against the book of the trade before: a stop buy at 1003 triggered by a
// buy at 1005 filled at the old ask, 1001, below its own stop price.
void a_stop_triggered_on_trades_only_data_meets_the_book_of_that_trade() {
  ReplayDriver d = one_usdm();
  d.subscribe(0, kSubTrades);
  d.add_stream(0, StreamKind::trades);
  const std::vector<StreamData> streams = {
      trade_rows({{T0, T0, 1, 1000, 1, 0, 0, -1, 0}, {T0 + 10, T0 + 10, 2, 1005, 1, 0, 0, 1, 0}})};
  drive(d, streams, [&](ReplayEventKind kind, const ReplayEvent& ev) {
    if (kind != ReplayEventKind::trade || ev.id != 1) return;
    OrderRequest r;
    r.side = OrderSide::buy;
    r.type = OrderType::stop_market;
    r.stop_price = 1003;
    r.qty = 1;
    uint64_t id = 0;
    d.submit(r, id);
  });
  CHECK(d.fills().size() == 1 && d.fills()[0].px == 1005, "the stop fills at the trade's ask, 1005: %zu fills at %lld",
        d.fills().size(), static_cast<long long>(d.fills().empty() ? 0 : d.fills()[0].px));
}

// Two snapshots in a row (no update between them): the second replaces the book the first built.
// Without an update id column (seq null) the snapshots are told apart by their times.
void a_snapshot_right_after_a_snapshot_replaces_the_book(bool with_seq) {
  ReplayDriver d = one_usdm();
  d.add_stream(0, StreamKind::depth);
  std::vector<StreamData> streams = {depth_rows({
      {T0, T0, 1, 99, 1, 0, 0, 1, 2}, {T0, T0, 1, 100, 1, 0, 0, 1, 2}, {T0, T0, 1, 101, 1, 0, 0, -1, 2},
      {T0, T0, 1, 102, 1, 0, 0, -1, 2},
      {T0 + 2, T0 + 2, 3, 90, 4, 0, 0, 1, 2}, {T0 + 2, T0 + 2, 3, 95, 4, 0, 0, -1, 2},
  })};
  streams[0].with_seq = with_seq;
  drive(d, streams, [](ReplayEventKind, const ReplayEvent&) {});
  const std::vector<Level> bids = levels(d, Side::bid), asks = levels(d, Side::ask);
  CHECK(bids.size() == 1 && bids[0].price == 90 && bids[0].qty == 4,
        "bids are the second snapshot's (seq %d): %zu levels, best %lld", with_seq, bids.size(),
        static_cast<long long>(bids.empty() ? 0 : bids[0].price));
  CHECK(asks.size() == 1 && asks[0].price == 95 && asks[0].qty == 4,
        "asks are the second snapshot's (seq %d): %zu levels, best %lld", with_seq, asks.size(),
        static_cast<long long>(asks.empty() ? 0 : asks[0].price));
}

// A snapshot that re-states our level unchanged is not a cancellation at it: a resting order keeps
// its place in the queue (conservative model: only trades at our price move us forward). Clearing
// the book before loading the snapshot emptied the level for a moment and sent us to the front.
void a_snapshot_keeps_a_resting_orders_place_in_the_queue() {
  ReplayDriver d = one_usdm();
  d.subscribe(0, kSubBook);
  d.add_stream(0, StreamKind::depth);
  d.add_stream(0, StreamKind::trades);
  const std::vector<StreamData> streams = {
      depth_rows({{T0, T0, 1, 100, 10, 0, 0, 1, 2}, {T0, T0, 1, 101, 10, 0, 0, -1, 2},
                  {T0 + 3, T0 + 3, 2, 98, 5, 0, 0, 1, 0},  // an update, then a new snapshot
                  {T0 + 5, T0 + 5, 3, 100, 10, 0, 0, 1, 2}, {T0 + 5, T0 + 5, 3, 101, 10, 0, 0, -1, 2}}),
      trade_rows({{T0 + 10, T0 + 10, 1, 100, 4, 0, 0, -1, 0}}),
  };
  bool placed = false;
  drive(d, streams, [&](ReplayEventKind kind, const ReplayEvent&) {
    if (kind != ReplayEventKind::book || placed) return;
    placed = true;
    OrderRequest r;
    r.side = OrderSide::buy;
    r.type = OrderType::limit;
    r.price = 100;
    r.qty = 1;
    uint64_t id = 0;
    d.submit(r, id);
  });
  CHECK(placed, "the order was placed");
  CHECK(levels(d, Side::bid).size() == 1, "the snapshot dropped the bid at 98");
  // 10 lots were ahead of us; a 4-lot sell at 100 cannot reach us.
  CHECK(d.fills().empty(), "no fill: %zu fills", d.fills().size());
  const SimOrder* order = d.venue(0).find(1);
  CHECK(order != nullptr && order->queue_ahead == 6, "6 lots still ahead, got %lld",
        static_cast<long long>(order == nullptr ? -1 : order->queue_ahead));
}

// Spot, a taker buy whose commission is charged in the base asset: the account holds the quantity
// less the fee, which fees_e8 already counts. The equity sample's unrealized PnL valued the holdings
// actually left against the full cost, so the fee was counted a second time there, and it disagreed
// with the position sample taken at the same moment.
void a_spot_fee_paid_in_the_base_asset_is_counted_once() {
  ReplayConfig config;
  config.market = BookMarket::spot;
  config.deposit_e8 = 100'000 * kMoneyUnitsPerAsset;
  config.window_bits = 12;
  config.sample_interval_ns = 0;
  ReplayInstrument inst;
  inst.spec = spot_spec();  // tick 0.01, lot 0.001, taker 0.1 %
  inst.base_asset = "BTC";
  ReplayDriver d(config, {inst});
  d.subscribe(0, kSubBook);
  d.add_stream(0, StreamKind::depth);
  const std::vector<StreamData> streams = {depth_rows({{T0, T0, 1, 5'999'900, 1'000, 0, 0, 1, 2},
                                                      {T0, T0, 1, 6'000'100, 1'000, 0, 0, -1, 2},
                                                      {T0 + 10, T0 + 10, 2, 5'999'000, 1, 0, 0, 1, 0}})};
  bool bought = false;
  drive(d, streams, [&](ReplayEventKind kind, const ReplayEvent&) {
    if (kind != ReplayEventKind::book || bought) return;
    bought = true;
    OrderRequest r;
    r.side = OrderSide::buy;
    r.type = OrderType::market;
    r.qty = 100;  // 0.1 BTC at the ask, 60001.00: 6000.10 USDT, fee 0.0001 BTC
    uint64_t id = 0;
    d.submit(r, id);
  });
  d.finish();
  CHECK(d.fills().size() == 1, "one fill");
  const EquitySample& e = d.equity().back();
  const PositionSample& p = d.positions().back();
  CHECK(p.ts == e.ts && p.qty == 100, "the closing position sample");
  // At the 60000.00 mid: 0.1 BTC is worth 6000.00, bought for 6000.10.
  CHECK(p.unrealized_e8 == -10'000'000, "position unrealized -0.10 USDT, got %lld", static_cast<long long>(p.unrealized_e8));
  CHECK(e.unrealized_e8 == p.unrealized_e8, "equity unrealized %lld == the position's %lld",
        static_cast<long long>(e.unrealized_e8), static_cast<long long>(p.unrealized_e8));
  CHECK(e.fees_e8 == 600'010'000, "fee 0.0001 BTC at 60001.00 = 6.0001 USDT, got %lld", static_cast<long long>(e.fees_e8));
  // equity - deposit = -0.10 - 6.00 (the fee, at today's price); realized + unrealized - fees
  // = -0.10 - 6.0001 (the fee at the fill price): only the fee's revaluation is between them.
  CHECK(e.equity_e8 - config.deposit_e8 == -610'000'000, "equity change -6.10 USDT, got %lld",
        static_cast<long long>(e.equity_e8 - config.deposit_e8));
  CHECK(e.realized_e8 + e.unrealized_e8 - e.fees_e8 == -610'010'000, "net PnL -6.1001 USDT, got %lld",
        static_cast<long long>(e.realized_e8 + e.unrealized_e8 - e.fees_e8));
}

// The data path allocates nothing per row once warm: depth updates and snapshots, trades, a
// ticker-only and a trades-only instrument, mark prices, resting orders scanned on every event.
// (Funding rows are left out: FuturesAccount::apply_funding builds its error text up front.)
void rows_do_not_allocate() {
  ReplayConfig config;
  config.deposit_e8 = 1'000'000 * kMoneyUnitsPerAsset;
  config.window_bits = 12;
  config.sample_interval_ns = 0;
  ReplayInstrument inst;
  inst.spec = usdm_spec();
  ReplayDriver d(config, {inst, inst, inst});
  std::vector<StreamData> streams(5);
  streams[0].kind = StreamKind::depth;
  streams[1].kind = StreamKind::trades;
  streams[2].kind = StreamKind::book_ticker;
  streams[2].instrument = 1;
  streams[3].kind = StreamKind::trades;
  streams[3].instrument = 2;
  streams[4].kind = StreamKind::mark_price;
  Rng rng(42);
  int64_t t = T0, id = 1;
  for (int step = 0; step < 20'000; ++step) {
    t += rng.range(1, 3);
    const int64_t mid = 600'000 + rng.range(-3, 3);
    if (step % 500 == 0) {
      for (int64_t l = 0; l < 8; ++l) push(streams[0], Row{t, t, id, mid - 1 - l, rng.range(1, 30), 0, 0, 1, 2});
      for (int64_t l = 0; l < 8; ++l) push(streams[0], Row{t, t, id, mid + 1 + l, rng.range(1, 30), 0, 0, -1, 2});
      ++id;
    }
    const bool bid = rng.chance(50);
    push(streams[0], Row{t, t, id++, bid ? mid - rng.range(1, 8) : mid + rng.range(1, 8), rng.range(0, 30), 0, 0,
                         static_cast<int8_t>(bid ? 1 : -1), 0});
    const int8_t side = rng.chance(50) ? 1 : -1;
    push(streams[1], Row{t, t, step + 1, mid + side, rng.range(1, 5), 0, 0, side, 0});
    push(streams[2], Row{t, t, step + 1, mid - rng.range(0, 1), rng.range(1, 9), mid + 1 + rng.range(0, 1), rng.range(1, 9), 0, 0});
    push(streams[3], Row{t, t, step + 1, mid + rng.range(-2, 2), 1, 0, 0, side, 0});
    if (step % 10 == 0) push(streams[4], Row{t, t, 0, mid, mid, 100, t + 1000, 0, 0});
  }
  for (const StreamData& s : streams) d.add_stream(s.instrument, s.kind);
  for (uint32_t i = 0; i < 3; ++i) {  // resting orders, far from the market
    for (int k = 0; k < 4; ++k) {
      OrderRequest r;
      r.instrument = i;
      r.side = k % 2 ? OrderSide::sell : OrderSide::buy;
      r.type = OrderType::limit;
      r.price = k % 2 ? 700'000 : 500'000;
      r.qty = 1;
      uint64_t order_id = 0;
      d.submit(r, order_id);
    }
  }
  Rng unused(1);
  for (std::size_t s = 0; s < streams.size(); ++s) d.set_chunk(static_cast<uint32_t>(s), slice(streams[s], 0, streams[s].size(), unused));
  ReplayEvent ev;
  CHECK(d.next(ev, 20'000) == ReplayEventKind::paused, "warm-up");
  g_allocations = 0;
  g_counting = true;
  const ReplayEventKind kind = d.next(ev, 40'000);
  g_counting = false;
  CHECK(kind == ReplayEventKind::paused, "no event for the caller while measuring");
  CHECK(g_allocations == 0, "%zu allocations over 40,000 rows", g_allocations);
  CHECK(d.open_orders().size() == 12, "the resting orders are still there");
}

}  // namespace

int main() {
  a_repeating_timer_past_the_end_of_time_fires_once();
  before_the_first_row_the_clock_reads_the_start_of_the_data();
  a_stop_triggered_on_trades_only_data_meets_the_book_of_that_trade();
  a_snapshot_right_after_a_snapshot_replaces_the_book(true);
  a_snapshot_right_after_a_snapshot_replaces_the_book(false);
  a_snapshot_keeps_a_resting_orders_place_in_the_queue();
  a_spot_fee_paid_in_the_base_asset_is_counted_once();
  rows_do_not_allocate();
  uint64_t fills = 0, orders = 0;
  for (uint64_t seed = 1; seed <= 80; ++seed) random_runs(seed, BookMarket::usdm, false, fills, orders);
  for (uint64_t seed = 1; seed <= 24; ++seed) random_runs(seed, BookMarket::usdm, true, fills, orders);
  for (uint64_t seed = 1; seed <= 60; ++seed) random_runs(seed, BookMarket::spot, false, fills, orders);
  CHECK(fills > 500 && orders > 1000, "the random runs trade: %llu fills of %llu orders",
        static_cast<unsigned long long>(fills), static_cast<unsigned long long>(orders));
  std::printf("replay driver: %llu orders, %llu fills; %d failure(s)\n", static_cast<unsigned long long>(orders),
              static_cast<unsigned long long>(fills), veloz_test::failures);
  return veloz_test::failures == 0 ? 0 : 1;
}
