// Randomized differential test of veloz::L2Book against a std::map per side. The random walks of
// the mid drift by more than the window and jump across it, so the `far` overflow, the
// summary-bitmap searches and re-centring all run. main() returns non-zero on failure; a failure
// prints the seed and step. Re-run one seed with VELOZ_L2_SEED=<seed>.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "veloz/l2_book.hpp"

namespace {

using veloz::kNoPrice;
using veloz::L2Book;
using veloz::Side;
using veloz::WalkResult;

constexpr Side kSides[2] = {Side::bid, Side::ask};
const char* side_name(Side side) { return side == Side::bid ? "bid" : "ask"; }

// splitmix64: deterministic on every platform, unlike the std distributions.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (hi - lo < 2^63).
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(0, 99) < percent; }
};

// Thrown by a failed check; the seed loop reports it and moves on to the next seed.
struct CheckFailure {};

struct Context {
  uint64_t seed = 0;
  int window_bits = 0;
  long step = 0;
  std::string last_op;
};
Context g_ctx;

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "FAIL seed=%" PRIu64 " window_bits=%d step=%ld last_op=[%s]: %s\n", g_ctx.seed,
               g_ctx.window_bits, g_ctx.step, g_ctx.last_op.c_str(), what.c_str());
  throw CheckFailure{};
}

// The message is formatted only on failure: checks run millions of times.
template <typename... Args>
void expect_eq(int64_t got, int64_t want, const char* format, Args... args) {
  if (got == want) return;
  char what[200];
  if constexpr (sizeof...(Args) == 0) {
    std::snprintf(what, sizeof what, "%s", format);
  } else {
    std::snprintf(what, sizeof what, format, args...);
  }
  fail(std::string(what) + ": got " + std::to_string(got) + ", expected " + std::to_string(want));
}

// The reference: one ordered map per side, price -> qty.
struct RefBook {
  std::map<int64_t, int64_t> levels[2];

  std::map<int64_t, int64_t>& of(Side side) { return levels[static_cast<int>(side)]; }
  const std::map<int64_t, int64_t>& of(Side side) const { return levels[static_cast<int>(side)]; }

  void set(Side side, int64_t price, int64_t qty) {
    if (qty == 0) {
      of(side).erase(price);
    } else {
      of(side)[price] = qty;
    }
  }
  void clear() {
    levels[0].clear();
    levels[1].clear();
  }
  int64_t best(Side side) const {
    const auto& m = of(side);
    if (m.empty()) return kNoPrice;
    return side == Side::bid ? m.rbegin()->first : m.begin()->first;
  }
  int64_t qty_at(Side side, int64_t price) const {
    auto it = of(side).find(price);
    return it == of(side).end() ? 0 : it->second;
  }
  int64_t next(Side side, int64_t price) const {
    const auto& m = of(side);
    if (side == Side::bid) {
      auto it = m.lower_bound(price);
      return it == m.begin() ? kNoPrice : std::prev(it)->first;
    }
    auto it = m.upper_bound(price);
    return it == m.end() ? kNoPrice : it->first;
  }
  // Best first.
  std::vector<veloz::Level> ordered(Side side) const {
    std::vector<veloz::Level> out;
    const auto& m = of(side);
    if (side == Side::bid) {
      for (auto it = m.rbegin(); it != m.rend(); ++it) out.push_back({it->first, it->second});
    } else {
      for (const auto& [price, qty] : m) out.push_back({price, qty});
    }
    return out;
  }
  WalkResult walk(Side side, int64_t qty) const {
    WalkResult result;
    int64_t remaining = qty;
    auto take_level = [&](int64_t price, int64_t level_qty) {
      const int64_t take = std::min(remaining, level_qty);
      remaining -= take;
      result.filled_qty += take;
      result.notional += static_cast<double>(price) * static_cast<double>(take);
      result.worst_price = price;
      ++result.levels_used;
    };
    const auto& m = of(side);
    if (side == Side::bid) {
      for (auto it = m.rbegin(); it != m.rend() && remaining > 0; ++it) take_level(it->first, it->second);
    } else {
      for (auto it = m.begin(); it != m.end() && remaining > 0; ++it) take_level(it->first, it->second);
    }
    return result;
  }
  int64_t depth(Side side, int64_t lo, int64_t hi) const {
    if (lo > hi) return 0;
    int64_t total = 0;
    const auto& m = of(side);
    for (auto it = m.lower_bound(lo); it != m.end() && it->first <= hi; ++it) total += it->second;
    return total;
  }
  int64_t total_qty(Side side) const {
    int64_t total = 0;
    for (const auto& [price, qty] : of(side)) total += qty;
    return total;
  }
  // A random existing price on `side`, or kNoPrice.
  int64_t random_level(Side side, Rng& rng) const {
    const auto& m = of(side);
    if (m.empty()) return kNoPrice;
    const int64_t lo = m.begin()->first;
    const int64_t hi = m.rbegin()->first;
    auto it = m.lower_bound(rng.range(lo, hi));
    return it == m.end() ? hi : it->first;
  }
};

// Cheap checks, after every operation.
void check_touch(const L2Book& book, const RefBook& ref) {
  for (Side side : kSides) {
    const char* name = side_name(side);
    expect_eq(book.best_price(side), ref.best(side), "%s best_price", name);
    expect_eq(book.best_qty(side), ref.best(side) == kNoPrice ? 0 : ref.qty_at(side, ref.best(side)),
              "%s best_qty", name);
    expect_eq(static_cast<int64_t>(book.level_count(side)), static_cast<int64_t>(ref.of(side).size()),
              "%s level_count", name);
  }
  const bool want_crossed = ref.best(Side::bid) != kNoPrice && ref.best(Side::ask) != kNoPrice &&
                            ref.best(Side::bid) >= ref.best(Side::ask);
  expect_eq(book.crossed(), want_crossed, "crossed");
}

// Prices worth probing: levels, their neighbours, the window edges, far outside, the extremes.
int64_t probe_price(const L2Book& book, const RefBook& ref, Side side, Rng& rng) {
  const int64_t width = int64_t{1} << book.window_bits();
  const int64_t base = book.window_base();
  switch (rng.range(0, 5)) {
    case 0: {
      const int64_t p = ref.random_level(side, rng);
      return p == kNoPrice ? base : p;
    }
    case 1: {
      const int64_t p = ref.random_level(side, rng);
      return (p == kNoPrice ? base : p) + rng.range(-2, 2);
    }
    case 2: {
      const int64_t edges[] = {base - 1, base, base + 1, base + width - 1, base + width, base + width + 1,
                               base + width / 2, base + 63, base + 64, base + 4095, base + 4096};
      return edges[rng.range(0, static_cast<int64_t>(std::size(edges)) - 1)];
    }
    case 3:
      return base + rng.range(-3 * width, 4 * width);
    case 4: {
      const int64_t b = ref.best(side);
      return (b == kNoPrice ? base : b) + rng.range(-70, 70);
    }
    default:
      return rng.chance(50) ? base - 10 * width : base + 11 * width;
  }
}

void check_full(const L2Book& book, const RefBook& ref, Rng& rng) {
  for (Side side : kSides) {
    const char* name = side_name(side);
    const std::vector<veloz::Level> want = ref.ordered(side);
    const auto count = static_cast<int64_t>(want.size());

    // next_level walk over the whole side.
    int64_t price = book.best_price(side);
    for (int64_t i = 0; i < count; ++i) {
      expect_eq(price, want[static_cast<std::size_t>(i)].price, "%s next_level walk #%" PRId64, name, i);
      price = book.next_level(side, price);
    }
    expect_eq(price, kNoPrice, "%s next_level after the last level", name);

    // top(n) for a few n, including more than there are levels.
    const int64_t ns[] = {0, 1, 5, 20, count, count + 3};
    for (int64_t n : ns) {
      std::vector<int64_t> prices(static_cast<std::size_t>(n) + 1, -7), qtys(static_cast<std::size_t>(n) + 1, -7);
      const std::size_t got = book.top(side, static_cast<std::size_t>(n), prices.data(), qtys.data());
      const int64_t expected = std::min(n, count);
      expect_eq(static_cast<int64_t>(got), expected, "%s top(%" PRId64 ") count", name, n);
      for (int64_t i = 0; i < expected; ++i) {
        const auto u = static_cast<std::size_t>(i);
        expect_eq(prices[u], want[u].price, "%s top price #%" PRId64, name, i);
        expect_eq(qtys[u], want[u].qty, "%s top qty #%" PRId64, name, i);
      }
      expect_eq(prices[static_cast<std::size_t>(expected)], -7, "%s top wrote past its count", name);
    }

    // qty_at and next_level from arbitrary prices.
    for (int i = 0; i < 24; ++i) {
      const int64_t p = probe_price(book, ref, side, rng);
      expect_eq(book.qty_at(side, p), ref.qty_at(side, p), "%s qty_at(%" PRId64 ")", name, p);
      expect_eq(book.next_level(side, p), ref.next(side, p), "%s next_level(%" PRId64 ")", name, p);
    }

    // walk for assorted sizes.
    const int64_t total = ref.total_qty(side);
    const int64_t sizes[] = {0, 1, rng.range(1, 2000), total > 0 ? rng.range(1, total) : 3, total, total + 1,
                             int64_t{1} << 50};
    for (int64_t qty : sizes) {
      const WalkResult got = book.walk(side, qty);
      const WalkResult exp = ref.walk(side, qty);
      expect_eq(got.filled_qty, exp.filled_qty, "%s walk(%" PRId64 ") filled_qty", name, qty);
      expect_eq(got.worst_price, exp.worst_price, "%s walk(%" PRId64 ") worst_price", name, qty);
      expect_eq(got.levels_used, exp.levels_used, "%s walk(%" PRId64 ") levels_used", name, qty);
      const double tolerance = 1e-9 * std::max(1.0, std::fabs(exp.notional));
      if (!(std::fabs(got.notional - exp.notional) <= tolerance)) {
        fail(std::string(name) + " walk(" + std::to_string(qty) + ") notional: got " + std::to_string(got.notional) + ", expected " + std::to_string(exp.notional));
      }
    }

    // depth_between over assorted ranges (including empty and inverted ones).
    for (int i = 0; i < 12; ++i) {
      int64_t lo = probe_price(book, ref, side, rng);
      int64_t hi = probe_price(book, ref, side, rng);
      if (i % 4 != 3 && lo > hi) std::swap(lo, hi);  // mostly proper ranges, some inverted
      if (i == 0) lo = kNoPrice + 1, hi = INT64_MAX;
      expect_eq(book.depth_between(side, lo, hi), ref.depth(side, lo, hi),
                "%s depth_between(%" PRId64 ", %" PRId64 ")", name, lo, hi);
    }
  }
}

void check_empty(const L2Book& book) {
  for (Side side : kSides) {
    expect_eq(book.best_price(side), kNoPrice, "empty best_price");
    expect_eq(book.best_qty(side), 0, "empty best_qty");
    expect_eq(static_cast<int64_t>(book.level_count(side)), 0, "empty level_count");
    int64_t p[1], q[1];
    expect_eq(static_cast<int64_t>(book.top(side, 1, p, q)), 0, "empty top");
    const WalkResult w = book.walk(side, 100);
    expect_eq(w.filled_qty, 0, "empty walk filled");
    expect_eq(w.worst_price, kNoPrice, "empty walk worst_price");
    expect_eq(book.depth_between(side, kNoPrice + 1, INT64_MAX), 0, "empty depth_between");
  }
  expect_eq(book.crossed(), false, "empty crossed");
}

struct SeedStats {
  std::size_t recenters = 0;
  std::size_t max_levels = 0;
};

// One seed: a random walk of the mid with set_level traffic around it and far from it.
void run_seed(uint64_t seed, int window_bits, long steps, SeedStats& stats) {
  g_ctx = Context{seed, window_bits, 0, "construct"};
  Rng rng{seed * 0x2545F4914F6CDD1DULL + 1};
  L2Book book(window_bits);
  RefBook ref;
  const int64_t width = int64_t{1} << window_bits;
  // Start near zero (negative window base), at spot-BTC tick counts, or very large.
  const int64_t starts[] = {300, 6'180'000, 618'003'000'000, 1'000'000'000'000'000};
  int64_t mid = starts[rng.range(0, 3)];
  if (rng.chance(50)) book.hint_center(mid);
  int64_t velocity = 0;
  const long clear_at = rng.range(steps / 3, 2 * steps / 3);
  char op[160];

  for (long step = 0; step < steps; ++step) {
    g_ctx.step = step;
    // Drift: a new velocity every 400 steps, plus rare jumps across the window.
    if (step % 400 == 0) velocity = rng.range(-12, 12);
    mid += velocity / 4 + rng.range(-2, 2);
    if (rng.range(0, 499) == 0) mid += (rng.chance(50) ? 1 : -1) * rng.range(width / 4, 3 * width);
    if (mid < 50) mid = 50 + rng.range(0, 100);  // keep prices positive

    if (step == clear_at) {
      book.clear();
      ref.clear();
      g_ctx.last_op = "clear()";
      check_empty(book);
      check_full(book, ref, rng);
      if (rng.chance(50)) mid += rng.range(-4 * width, 4 * width);
      if (mid < 50) mid = 50;
      if (rng.chance(50)) book.hint_center(mid);
      continue;
    }

    const Side side = rng.chance(50) ? Side::bid : Side::ask;
    const int sign = side == Side::bid ? -1 : 1;
    const std::size_t levels = ref.of(side).size();
    // Deletes get likelier as the side fills up, which keeps level counts bounded.
    const int delete_percent = levels > 1200 ? 70 : levels > 400 ? 35 : 20;
    int64_t qty = rng.chance(delete_percent) ? 0 : rng.range(1, 1000);
    if (qty != 0 && rng.range(0, 99) == 0) qty = rng.range(1, int64_t{1} << 40);
    int64_t price;
    const int64_t kind = rng.range(0, 99);
    if (kind < 45) {  // near the touch, occasionally on the wrong side (crossing)
      const int64_t offset = rng.range(0, 1) ? rng.range(0, 8) : rng.range(0, 200);
      price = mid + sign * (offset + (side == Side::ask ? 1 : 0));
      if (rng.range(0, 19) == 0) price = mid - sign * rng.range(0, 30);
    } else if (kind < 60) {  // an existing level: update or delete
      price = ref.random_level(side, rng);
      if (price == kNoPrice) price = mid + sign * 3;
      if (rng.chance(60)) qty = 0;
    } else if (kind < 70) {  // the best level: delete, so the next best must be found
      price = ref.best(side);
      if (price == kNoPrice) price = mid + sign;
      qty = rng.chance(85) ? 0 : rng.range(1, 1000);
    } else if (kind < 85) {  // far from the touch, beyond the window
      price = mid + sign * rng.range(0, 3 * width);
    } else if (kind < 95) {  // on and around the window edges
      const int64_t base = book.window_base();
      const int64_t edges[] = {base - 1, base, base + 1, base + 63, base + 64, base + width - 1, base + width,
                               base + width + 1};
      price = edges[rng.range(0, static_cast<int64_t>(std::size(edges)) - 1)] + rng.range(-1, 1);
    } else {  // absent-level delete or a hint (a no-op unless the book is empty)
      price = mid + rng.range(-width, width);
      if (rng.chance(50)) {
        std::snprintf(op, sizeof op, "hint_center(%" PRId64 ")", price);
        g_ctx.last_op = op;
        const bool empty = ref.of(Side::bid).empty() && ref.of(Side::ask).empty();
        const int64_t base_before = book.window_base();
        book.hint_center(price);
        if (!empty) expect_eq(book.window_base(), base_before, "hint_center moved a non-empty window");
        check_touch(book, ref);
        continue;
      }
      if (ref.qty_at(side, price) == 0) qty = 0;
    }
    if (price < 1) price = 1;

    std::snprintf(op, sizeof op, "set_level(%s, %" PRId64 ", %" PRId64 ") base=%" PRId64, side_name(side), price, qty,
                  book.window_base());
    g_ctx.last_op = op;
    book.set_level(side, price, qty);
    ref.set(side, price, qty);
    check_touch(book, ref);
    if (step % 97 == 0) check_full(book, ref, rng);
    stats.max_levels = std::max(stats.max_levels, ref.of(Side::bid).size() + ref.of(Side::ask).size());
  }
  g_ctx.step = steps;
  g_ctx.last_op = "end of seed";
  check_full(book, ref, rng);
  stats.recenters += book.recenters();
}

// Directed cases at the bitmap word and summary boundaries, and best moving between far and window.
void run_directed() {
  g_ctx = Context{0, 12, 0, "directed"};
  L2Book book(12);  // 4096 slots: 64 occupancy words, one summary word
  RefBook ref;
  book.hint_center(10'000);
  const int64_t base = book.window_base();
  auto set = [&](Side side, int64_t price, int64_t qty) {
    g_ctx.last_op = std::string("directed set_level(") + side_name(side) + ", " + std::to_string(price) + ", " +
                    std::to_string(qty) + ")";
    book.set_level(side, price, qty);
    ref.set(side, price, qty);
    check_touch(book, ref);
  };
  Rng rng{12345};
  // Bids at the first/last slot of words and of the window, plus far ones on both sides of it.
  for (int64_t p : {base, base + 63, base + 64, base + 127, base + 2047, base + 4095, base - 1, base - 500, base + 4096,
                    base + 9000}) {
    set(Side::bid, p, 7);
    check_full(book, ref, rng);
  }
  // Peel bids from the top: best walks down through far, the window, far again.
  while (ref.best(Side::bid) != kNoPrice) {
    set(Side::bid, ref.best(Side::bid), 0);
    check_full(book, ref, rng);
  }
  // Same for asks, peeling from the bottom.
  for (int64_t p : {base + 4095, base + 4032, base + 4031, base + 64, base + 63, base, base - 1, base - 7000,
                    base + 4096, base + 5000}) {
    set(Side::ask, p, 3);
  }
  check_full(book, ref, rng);
  while (ref.best(Side::ask) != kNoPrice) {
    set(Side::ask, ref.best(Side::ask), 0);
    check_full(book, ref, rng);
  }
  check_empty(book);
  // Deleting absent levels (in the window and far) is a no-op.
  set(Side::bid, base + 5, 0);
  set(Side::ask, base - 100000, 0);
  check_empty(book);
}

// Regression: L2Book::in_window() and below() once computed `price - base_` in int64, which
// overflowed when the window base is negative (a book centred below 2^(window_bits-1) ticks, e.g.
// a 0.0001-tick coin near 0.5) and the price is near INT64_MAX: UBSan aborted, and a release build
// answered wrongly or wrote outside the window arrays. The decoder now also caps prices at 2^61.
void extreme_price_query_scenario() {
  g_ctx = Context{0, 18, 0, "extreme price queries"};
  L2Book book(18);
  RefBook ref;
  book.hint_center(5000);  // base = 5000 - 2^17 < 0
  book.set_level(Side::bid, 4999, 1);
  ref.set(Side::bid, 4999, 1);
  book.set_level(Side::ask, 5001, 1);
  ref.set(Side::ask, 5001, 1);
  g_ctx.last_op = "queries at INT64_MAX with window base " + std::to_string(book.window_base());
  for (Side side : kSides) {
    expect_eq(book.next_level(side, INT64_MAX), ref.next(side, INT64_MAX), "%s next_level(INT64_MAX)",
              side_name(side));
    expect_eq(book.qty_at(side, INT64_MAX), 0, "%s qty_at(INT64_MAX)", side_name(side));
    expect_eq(book.depth_between(side, 0, INT64_MAX), 1, "%s depth_between(0, INT64_MAX)", side_name(side));
  }
}

void extreme_price_set_scenario() {
  g_ctx = Context{0, 18, 0, "extreme price set_level"};
  L2Book book(18);
  RefBook ref;
  book.hint_center(5000);  // base = 5000 - 2^17 < 0
  const int64_t huge = INT64_MAX - 5;
  const struct {
    Side side;
    int64_t price, qty;
  } ops[] = {{Side::bid, 4999, 1}, {Side::ask, 5001, 1}, {Side::ask, huge, 2}, {Side::bid, huge, 3},
             {Side::bid, huge, 0}, {Side::ask, huge, 0}};
  for (const auto& op : ops) {
    g_ctx.last_op = std::string("set_level(") + side_name(op.side) + ", " + std::to_string(op.price) + ", " +
                    std::to_string(op.qty) + ")";
    book.set_level(op.side, op.price, op.qty);
    ref.set(op.side, op.price, op.qty);
    check_touch(book, ref);
  }
}

// Runs a scenario in a child process so that a crash or sanitizer abort in a regression scenario
// is reported as one labelled failure instead of ending the whole test.
bool run_isolated(const char* label, void (*scenario)()) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 0;
    try {
      scenario();
    } catch (const CheckFailure&) {
      code = 1;
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  int status = 0;
  const bool waited = pid > 0 && ::waitpid(pid, &status, 0) == pid;
  if (waited && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    std::printf("  %s: passed\n", label);
    return true;
  }
  std::fprintf(stderr, "FAILED %s: child %s %d\n", label, WIFSIGNALED(status) ? "killed by signal" : "exited with",
               WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
  return false;
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep progress lines in order with stderr reports
  int failures = 0;
  try {
    L2Book too_small(11);
    std::fprintf(stderr, "FAIL L2Book(11) did not throw\n");
    ++failures;
  } catch (const std::invalid_argument&) {
  }
  try {
    L2Book too_large(27);
    std::fprintf(stderr, "FAIL L2Book(27) did not throw\n");
    ++failures;
  } catch (const std::invalid_argument&) {
  }

  try {
    run_directed();
  } catch (const CheckFailure&) {
    ++failures;
  }

  // Window bits 12 (one summary word), 14 (four), 18 (the default, 64); the small windows get
  // more steps per seed so the mid drifts many windows away.
  const int window_bits[] = {12, 14, 18};
  const long steps_for[] = {6000, 5000, 4000};
  uint64_t first_seed = 1, seed_count = 60;
  if (const char* only = std::getenv("VELOZ_L2_SEED")) {
    first_seed = std::strtoull(only, nullptr, 10);
    seed_count = 1;
  }
  SeedStats stats;
  int failed_seeds = 0;
  for (uint64_t seed = first_seed; seed < first_seed + seed_count; ++seed) {
    const std::size_t variant = static_cast<std::size_t>(seed % 3);
    try {
      run_seed(seed, window_bits[variant], steps_for[variant], stats);
    } catch (const CheckFailure&) {
      ++failed_seeds;
      if (failed_seeds >= 10) {
        std::fprintf(stderr, "stopping after 10 failing seeds\n");
        break;
      }
    }
  }
  failures += failed_seeds;

  if (!run_isolated("regression: l2_book queries at INT64_MAX with a negative window base",
                    extreme_price_query_scenario)) {
    ++failures;
  }
  if (!run_isolated("regression: l2_book set_level near INT64_MAX with a negative window base",
                    extreme_price_set_scenario)) {
    ++failures;
  }
  std::printf("l2_book: %" PRIu64 " seeds, %zu re-centres, max %zu levels, %d failure(s)\n", seed_count,
              stats.recenters, stats.max_levels, failures);
  return failures == 0 ? 0 : 1;
}
