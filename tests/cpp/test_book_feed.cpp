// Native tests for the Binance feed path: (a) replay of the bundled real USD-M capture through
// BinanceBookFeed, (b) the same for the six hftbacktest captures when ../shared/data is present,
// (c) a mutation fuzz of real frames through BinanceDecoder and the feed, (d) hand-built BookSync
// scenarios for the spot and futures rules. main() returns non-zero on failure.
// Run from the repo root (ctest does): the captures are read via `gzip -dc`.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "veloz/binance_decoder.hpp"
#include "veloz/book_feed.hpp"
#include "veloz/book_sync.hpp"
#include "veloz/fixed_point.hpp"
#include "veloz/l2_book.hpp"

namespace {

using veloz::BinanceBookFeed;
using veloz::BinanceDecoder;
using veloz::BookMarket;
using veloz::BookSync;
using veloz::DecimalGrid;
using veloz::DecodedMessage;
using veloz::DecodeError;
using veloz::DiffEvent;
using veloz::DiffResult;
using veloz::kNoPrice;
using veloz::L2Book;
using veloz::Level;
using veloz::MessageKind;
using veloz::Side;
using veloz::SyncState;

int g_failures = 0;

__attribute__((format(printf, 3, 4))) void check_failed(int line, const char* expr, const char* format, ...) {
  ++g_failures;
  std::fprintf(stderr, "test_book_feed.cpp:%d: CHECK failed: %s -- ", line, expr);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
}
// CHECK(condition, "printf-style context", ...): the context is evaluated only on failure.
#define CHECK(cond, ...)                                         \
  do {                                                           \
    if (!(cond)) check_failed(__LINE__, #cond, __VA_ARGS__);     \
  } while (0)
#define CHECK_EQ(actual, expected, context)                                                             \
  do {                                                                                                  \
    const long long actual_value = static_cast<long long>(actual);                                     \
    const long long expected_value = static_cast<long long>(expected);                                 \
    if (actual_value != expected_value) {                                                               \
      check_failed(__LINE__, #actual " == " #expected, "%s: got %lld, expected %lld", context, actual_value, \
                   expected_value);                                                                     \
    }                                                                                                   \
  } while (0)

// A frame for a log line: at most 300 bytes, control and non-ASCII bytes escaped.
std::string printable(const std::string& frame) {
  std::string out;
  for (std::size_t i = 0; i < frame.size() && i < 300; ++i) {
    const auto c = static_cast<unsigned char>(frame[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  if (frame.size() > 300) out += "...";
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

DecimalGrid grid(const char* step) {
  DecimalGrid g;
  const veloz::DecimalStatus status = veloz::make_grid(step, g);
  if (status != veloz::DecimalStatus::ok) {
    std::fprintf(stderr, "make_grid(%s) failed: %s\n", step, veloz::describe(status));
    std::exit(2);
  }
  return g;
}

// splitmix64: deterministic on every platform.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  std::size_t index(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(int percent) { return range(0, 99) < percent; }
};

// A heap copy of exactly `size` bytes, so ASan sees any read past the end of a frame.
std::unique_ptr<char[]> exact_copy(const char* data, std::size_t size) {
  std::unique_ptr<char[]> copy(new char[size == 0 ? 1 : size]);
  if (size != 0) std::memcpy(copy.get(), data, size);
  return copy;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Calls fn(frame, size, line_number) for each `<local_ns> <json>` line of a gzip capture. Returns
// the number of lines, or -1 if gzip failed.
template <typename Fn>
long for_each_frame(const std::string& path, Fn&& fn) {
  const std::string command = "gzip -dc '" + path + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char* line = nullptr;
  std::size_t capacity = 0;
  long line_no = 0;
  ssize_t length;
  while ((length = ::getline(&line, &capacity, pipe)) > 0) {
    ++line_no;
    auto n = static_cast<std::size_t>(length);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) --n;
    const char* space = static_cast<const char*>(std::memchr(line, ' ', n));
    CHECK(space != nullptr, "%s line %ld has no '<local_ns> ' prefix", path.c_str(), line_no);
    if (space == nullptr) continue;
    const std::size_t offset = static_cast<std::size_t>(space - line) + 1;
    fn(line + offset, n - offset, line_no);
  }
  std::free(line);
  const int status = ::pclose(pipe);
  if (status != 0) return -1;
  return line_no;
}

// Feeds one capture file into `feed`; every frame must decode. Optionally keeps the frames.
long replay_file(BinanceBookFeed& feed, const std::string& path, std::vector<std::string>* keep) {
  long rejected = 0;
  const long lines = for_each_frame(path, [&](const char* frame, std::size_t size, long line_no) {
    const std::unique_ptr<char[]> copy = exact_copy(frame, size);
    DecodeError error;
    if (!feed.on_frame(copy.get(), size, error)) {
      if (++rejected <= 5) {
        std::fprintf(stderr, "%s line %ld rejected: field '%s': %s (offset %zu)\n", path.c_str(), line_no,
                     error.field.c_str(), error.reason.c_str(), error.offset);
      }
    }
    if (keep != nullptr) keep->emplace_back(frame, size);
  });
  CHECK(lines > 0, "could not read %s through gzip", path.c_str());
  CHECK_EQ(rejected, 0, path.c_str());
  return lines;
}

// The end-of-replay assertions shared by the bundled and the shared captures.
void check_replayed_feed(const BinanceBookFeed& feed, const char* label, uint64_t min_bbo_checks) {
  const veloz::FeedCounters& c = feed.counters();
  const veloz::SyncCounters& s = feed.sync().counters();
  CHECK_EQ(c.rejected, 0, label);
  CHECK_EQ(s.gaps, 0, label);
  CHECK_EQ(s.buffer_dropped, 0, label);
  CHECK_EQ(c.bbo_mismatches, 0, label);
  if (c.bbo_mismatches != 0) {
    const veloz::BboMismatch& m = feed.first_mismatch();
    std::fprintf(stderr,
                 "%s first BBO mismatch at u=%" PRId64 ": book %" PRId64 "x%" PRId64 " / %" PRId64 "x%" PRId64
                 ", ticker %" PRId64 "x%" PRId64 " / %" PRId64 "x%" PRId64 "\n",
                 label, m.update_id, m.book_bid_price, m.book_bid_qty, m.book_ask_price, m.book_ask_qty,
                 m.ticker_bid_price, m.ticker_bid_qty, m.ticker_ask_price, m.ticker_ask_qty);
  }
  CHECK(c.bbo_checks > min_bbo_checks, "%s: bbo_checks %" PRIu64 " <= %" PRIu64, label, c.bbo_checks, min_bbo_checks);
  CHECK_EQ(c.crossed, 0, label);
  CHECK(feed.sync().state() == SyncState::synced, "%s: final state %d, expected synced", label,
        static_cast<int>(feed.sync().state()));
  const L2Book& book = feed.sync().book();
  CHECK(book.level_count(Side::bid) > 0 && book.level_count(Side::ask) > 0, "%s: final book has an empty side", label);
  std::printf("  %-22s depth %6" PRIu64 " (applied %6" PRIu64 ", stale %3" PRIu64 ", buffered %3" PRIu64
              ")  tickers %6" PRIu64 "  trades %6" PRIu64 "  bbo checks %5" PRIu64 "  levels %zu/%zu  recentres %zu\n",
              label, c.depth_updates, s.applied, s.stale, s.buffered, c.book_tickers, c.trades, c.bbo_checks,
              book.level_count(Side::bid), book.level_count(Side::ask), book.recenters());
}

constexpr const char* kDemoCapture = "demo/data/usdm_btcusdt_20240808.gz";

// (a) The bundled capture; keeps its frames for the fuzz.
void test_demo_replay(std::vector<std::string>& frames) {
  const auto start = std::chrono::steady_clock::now();
  BinanceBookFeed feed(BookMarket::usdm, grid("0.10"), grid("0.001"), "BTCUSDT");
  const long lines = replay_file(feed, kDemoCapture, &frames);
  const veloz::FeedCounters& c = feed.counters();
  // Frame counts documented in demo/data/README.md.
  CHECK_EQ(lines, 93954, "demo capture lines");
  CHECK_EQ(c.messages, 93954, "demo decoded frames");
  CHECK_EQ(c.depth_updates, 6551, "demo depth frames");
  CHECK_EQ(c.book_tickers, 66089, "demo bookTicker frames");
  CHECK_EQ(c.trades, 21313, "demo trade frames");
  CHECK_EQ(c.snapshots, 1, "demo snapshots");
  check_replayed_feed(feed, "usdm BTCUSDT (demo)", 500);
  std::printf("(a) demo replay: %ld frames in %.2f s\n", lines, seconds_since(start));
}

// (b) The hftbacktest captures in the shared data directory, when present.
struct SharedCapture {
  const char* dir;
  const char* name;  // file stem, e.g. btcusdt -> btcusdt_20240808.gz
  BookMarket market;
  const char* symbol;
  const char* tick;
  const char* lot;
  uint64_t min_bbo_checks;
};

void test_shared_replays() {
  const auto start = std::chrono::steady_clock::now();
  const char* env = std::getenv("VELOZ_SHARED_DATA");
  const std::string root = env != nullptr && env[0] != '\0' ? env : "../shared/data";
  std::string dir;
  if (is_directory(root + "/hftbacktest/spot")) {
    dir = root + "/hftbacktest";
  } else if (is_directory(root + "/spot")) {
    dir = root;
  } else {
    std::printf("(b) shared captures: SKIPPED, no hftbacktest captures under '%s' (set VELOZ_SHARED_DATA)\n",
                root.c_str());
    return;
  }
  const SharedCapture captures[] = {
      {"spot", "btcusdt", BookMarket::spot, "BTCUSDT", "0.01", "0.00000001", 100},
      {"spot", "ethusdt", BookMarket::spot, "ETHUSDT", "0.01", "0.00000001", 100},
      {"usdm", "btcusdt", BookMarket::usdm, "BTCUSDT", "0.10", "0.001", 100},
      {"usdm", "ethusdt", BookMarket::usdm, "ETHUSDT", "0.01", "0.001", 100},
      {"cm", "btcusd_perp", BookMarket::coinm, "BTCUSD_PERP", "0.1", "1", 100},
      {"cm", "ethusd_perp", BookMarket::coinm, "ETHUSD_PERP", "0.01", "1", 100},
  };
  int replayed = 0;
  for (const SharedCapture& capture : captures) {
    const std::string first = dir + "/" + capture.dir + "/" + capture.name + "_20240808.gz";
    const std::string second = dir + "/" + capture.dir + "/" + capture.name + "_20240809.gz";
    if (!is_file(first)) {
      std::printf("  %s/%s: SKIPPED, %s is missing\n", capture.dir, capture.name, first.c_str());
      continue;
    }
    // One feed across both days: the 0809 file continues the same socket without a snapshot.
    BinanceBookFeed feed(capture.market, grid(capture.tick), grid(capture.lot), capture.symbol);
    long lines = replay_file(feed, first, nullptr);
    if (is_file(second)) lines += replay_file(feed, second, nullptr);
    const std::string label = std::string(capture.dir) + " " + capture.symbol;
    CHECK_EQ(feed.counters().snapshots, 1, label.c_str());
    CHECK_EQ(feed.counters().messages, lines, label.c_str());
    check_replayed_feed(feed, label.c_str(), capture.min_bbo_checks);
    ++replayed;
  }
  std::printf("(b) shared captures: %d replayed from %s in %.2f s\n", replayed, dir.c_str(), seconds_since(start));
}

// ---------------------------------------------------------------------------------------------
// (c) Mutation fuzz.

// Everything observable about a feed except `rejected` (and top_changed, reset per frame).
struct FeedState {
  std::vector<int64_t> values;
  std::vector<const char*> names;
  void add(const char* name, int64_t value) {
    names.push_back(name);
    values.push_back(value);
  }
};

FeedState observe(const BinanceBookFeed& feed) {
  FeedState state;
  const L2Book& book = feed.sync().book();
  for (Side side : {Side::bid, Side::ask}) {
    int64_t prices[20], qtys[20];
    const std::size_t n = book.top(side, 20, prices, qtys);
    state.add(side == Side::bid ? "bid top count" : "ask top count", static_cast<int64_t>(n));
    for (std::size_t i = 0; i < n; ++i) {
      state.add(side == Side::bid ? "bid top price" : "ask top price", prices[i]);
      state.add(side == Side::bid ? "bid top qty" : "ask top qty", qtys[i]);
    }
    state.add("level_count", static_cast<int64_t>(book.level_count(side)));
  }
  state.add("window_base", book.window_base());
  const veloz::FeedCounters& c = feed.counters();
  const uint64_t feed_counters[] = {c.messages, c.depth_updates, c.book_tickers, c.trades, c.snapshots,
                                    c.partial_depth, c.other, c.bbo_checks, c.bbo_mismatches, c.crossed};
  for (uint64_t v : feed_counters) state.add("feed counter (messages..crossed)", static_cast<int64_t>(v));
  const veloz::SyncCounters& s = feed.sync().counters();
  const uint64_t sync_counters[] = {s.snapshots, s.applied, s.buffered, s.stale, s.gaps, s.buffer_dropped};
  for (uint64_t v : sync_counters) state.add("sync counter (snapshots..buffer_dropped)", static_cast<int64_t>(v));
  state.add("sync state", static_cast<int64_t>(feed.sync().state()));
  state.add("book_update_id", feed.sync().book_update_id());
  state.add("buffered_now", static_cast<int64_t>(feed.sync().buffered_now()));
  state.add("last_diff_result", static_cast<int64_t>(feed.last_diff_result()));
  return state;
}

// Returns the name of the first differing entry, or nullptr when equal.
const char* first_difference(const FeedState& a, const FeedState& b, std::size_t& at) {
  const std::size_t n = std::min(a.values.size(), b.values.size());
  for (at = 0; at < n; ++at) {
    if (a.values[at] != b.values[at] || a.names[at] != b.names[at]) return a.names[at];
  }
  return a.values.size() == b.values.size() ? nullptr : "entry count";
}

constexpr char kInteresting[] = "{}[],:\"\\-.0123456789eE+ \tntfu\x7f\x01";

// Applies 1..8 random byte-level mutations (flip, replace, delete, insert, truncate, digit
// tweak, chunk duplication).
std::string mutate(const std::string& frame, Rng& rng) {
  std::string s = frame;
  const int count = rng.chance(60) ? 1 : static_cast<int>(rng.range(2, 8));
  auto random_byte = [&]() -> char {
    if (rng.chance(70)) return kInteresting[rng.index(sizeof kInteresting - 1)];
    return static_cast<char>(rng.range(0, 255));
  };
  for (int i = 0; i < count; ++i) {
    const std::size_t pos = s.empty() ? 0 : rng.index(s.size());
    switch (rng.range(0, 9)) {
      case 0:
      case 1:  // flip one bit
        if (!s.empty()) s[pos] = static_cast<char>(s[pos] ^ (1 << rng.range(0, 7)));
        break;
      case 2:  // replace with an interesting byte
        if (!s.empty()) s[pos] = random_byte();
        break;
      case 3:  // delete a short range
        s.erase(pos, static_cast<std::size_t>(rng.range(1, 8)));
        break;
      case 4: {  // insert a few bytes
        const auto n = static_cast<std::size_t>(rng.range(1, 4));
        for (std::size_t k = 0; k < n; ++k) s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), random_byte());
        break;
      }
      case 5:  // truncate
        if (rng.chance(50)) s.resize(rng.index(s.size() + 1));
        break;
      case 6:
      case 7: {  // change one digit: keeps the frame well-formed more often than not
        for (std::size_t k = 0; k < s.size(); ++k) {
          const std::size_t at = (pos + k) % s.size();
          if (s[at] >= '0' && s[at] <= '9') {
            s[at] = static_cast<char>('0' + rng.range(0, 9));
            break;
          }
        }
        break;
      }
      case 8: {  // duplicate a chunk elsewhere
        if (s.empty()) break;
        const std::size_t from = rng.index(s.size());
        const std::string chunk = s.substr(from, static_cast<std::size_t>(rng.range(1, 24)));
        s.insert(rng.index(s.size() + 1), chunk);
        break;
      }
      default: {  // delete a whole byte class instance such as a quote or bracket
        const char target = "\"[]{},:"[rng.index(7)];
        const std::size_t at = s.find(target, pos);
        if (at != std::string::npos) s.erase(at, 1);
        break;
      }
    }
  }
  return s;
}

// Decoder contract for an accepted frame: prices positive (tickers may carry 0), quantities >= 0.
void check_decoded_values(const DecodedMessage& m, const std::string& frame) {
  bool ok = true;
  for (const std::vector<Level>* levels : {&m.bids, &m.asks}) {
    for (const Level& level : *levels) ok = ok && level.price > 0 && level.qty >= 0;
  }
  if (m.kind == MessageKind::trade) ok = ok && m.price > 0 && m.qty >= 0;
  if (m.kind == MessageKind::book_ticker) {
    ok = ok && m.bid_price >= 0 && m.bid_qty >= 0 && m.ask_price >= 0 && m.ask_qty >= 0;
  }
  CHECK(ok, "accepted frame decoded a negative/zero value: %s", printable(frame).c_str());
}

// The book must stay well-formed whatever frames were accepted.
void check_book_shape(const L2Book& book) {
  for (Side side : {Side::bid, Side::ask}) {
    int64_t prices[20], qtys[20];
    const std::size_t n = book.top(side, 20, prices, qtys);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(qtys[i] > 0, "%s level %zu has qty %" PRId64, side == Side::bid ? "bid" : "ask", i, qtys[i]);
      if (i > 0) {
        CHECK(side == Side::bid ? prices[i] < prices[i - 1] : prices[i] > prices[i - 1],
              "%s levels %zu/%zu out of order", side == Side::bid ? "bid" : "ask", i - 1, i);
      }
    }
    CHECK_EQ(n == 0 ? kNoPrice : prices[0], book.best_price(side), "top(1) vs best_price");
  }
}

// Hand-made hostile frames, fuzzed alongside the real ones.
std::vector<std::string> hostile_frames() {
  std::vector<std::string> frames = {
      "",
      " ",
      "{",
      "}",
      "{}",
      "[]",
      "null",
      "{\"stream\":\"btcusdt@depth\",\"data\":[]}",
      "{\"data\":{\"e\":\"depthUpdate\"}}",
      "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"pu\":0,\"b\":[[\"1.0\"]],\"a\":[]}",
      "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"pu\":0,\"b\":[[\"-1.0\",\"1\"]],\"a\":[]}",
      "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":99999999999999999999,\"u\":2,\"b\":[],\"a\":[]}",
      "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"b\":[[\"1.05\",\"1\"]],\"a\":[]}",
      "{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"ETHUSDT\",\"U\":1,\"u\":2,\"b\":[],\"a\":[]}",
      "{\"e\":\"bookTicker\",\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"1e5\",\"B\":\"1\",\"a\":\"2\",\"A\":\"1\"}",
      "{\"lastUpdateId\":1,\"bids\":[[\"\\u0031\",\"1\"]],\"asks\":[]}",
      "{\"x\":\"\\",
      "{\"x\":1.5e",
      "{\"x\":-}",
      "{\"x\":tru}",
      std::string("{\"s\":\"BTC\0USDT\"}", 16),
  };
  std::string deep = "{\"x\":";  // far deeper than the scanner's nesting limit
  deep.append(20000, '[');
  frames.push_back(deep);
  std::string deep_objects = "{\"x\":";
  for (int i = 0; i < 5000; ++i) deep_objects += "{\"y\":";
  frames.push_back(deep_objects);
  return frames;
}

void test_mutation_fuzz(const std::vector<std::string>& frames) {
  const auto start = std::chrono::steady_clock::now();
  if (frames.size() < 1000) {
    CHECK(false, "the demo capture was not loaded (%zu frames); skipping the fuzz", frames.size());
    return;
  }
  std::size_t snapshot_index = frames.size();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].compare(0, 15, "{\"lastUpdateId\"") == 0) {
      snapshot_index = i;
      break;
    }
  }
  CHECK(snapshot_index < frames.size(), "no snapshot frame in the demo capture");
  if (snapshot_index >= frames.size()) return;
  const std::vector<std::string> hostile = hostile_frames();

  const DecimalGrid price_grid = grid("0.10"), qty_grid = grid("0.001");
  BinanceDecoder decoder(price_grid, qty_grid, "BTCUSDT", /*futures=*/true);  // the usdm feed requires pu too
  DecodedMessage message;
  Rng rng{20240808};
  std::vector<bool> is_depth(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    is_depth[i] = frames[i].find("\"depthUpdate\"") != std::string::npos;
  }
  constexpr uint64_t kMutations = 50000;
  constexpr int kMaxStepsPerFeed = 4000;
  uint64_t accepted = 0, rejected = 0, real_fed = 0, state_mismatches = 0, applied_mutants = 0, feeds = 0;

  while (accepted + rejected < kMutations) {
    // A fresh feed, synced on the real capture up to a random point past the snapshot. A feed is
    // used until a mutation knocks it out of sync, so accepted mutated diffs meet a live book.
    ++feeds;
    BinanceBookFeed feed(BookMarket::usdm, price_grid, qty_grid, "BTCUSDT", feeds % 2 == 0 ? 18 : 12);
    std::size_t cursor = std::min(frames.size(), snapshot_index + 1 + rng.index(600));
    for (std::size_t i = 0; i < cursor; ++i) {
      DecodeError error;
      feed.on_frame(frames[i].data(), frames[i].size(), error);
    }
    CHECK(feed.counters().rejected == 0, "feed %" PRIu64 ": real frames rejected while syncing", feeds);
    auto feed_real_frame = [&]() {
      DecodeError error;
      const bool ok = feed.on_frame(frames[cursor].data(), frames[cursor].size(), error);
      CHECK(ok, "real frame %zu rejected: %s", cursor, error.reason.c_str());
      ++cursor;
      ++real_fed;
    };

    for (int k = 0; k < kMaxStepsPerFeed && accepted + rejected < kMutations; ++k) {
      if (feed.sync().state() != SyncState::synced || cursor + 1 >= frames.size()) break;
      // Source: the next real frame (half the time the next depth diff, so an accepted mutation is
      // applied where the real one would be), any frame, the snapshot (rarely: 42 KB), a hostile one.
      const std::string* source;
      const int64_t pick = rng.range(0, 99);
      if (pick < 3) {
        source = &hostile[rng.index(hostile.size())];
      } else if (pick < 4) {
        source = &frames[snapshot_index];
      } else if (pick < 60) {
        if (rng.chance(50)) {
          while (cursor + 1 < frames.size() && !is_depth[cursor]) feed_real_frame();
        }
        source = &frames[cursor];
      } else {
        std::size_t at = rng.index(frames.size());
        if (at == snapshot_index) ++at;
        source = &frames[at];
      }
      const std::string mutated = (pick < 3 && rng.chance(30)) ? *source : mutate(*source, rng);
      const std::unique_ptr<char[]> bytes = exact_copy(mutated.data(), mutated.size());

      DecodeError decoder_error;
      const bool decoded = decoder.decode(bytes.get(), mutated.size(), message, decoder_error);
      if (decoded) {
        check_decoded_values(message, mutated);
      } else {
        CHECK(!decoder_error.reason.empty(), "decoder rejected without a reason: %s", printable(mutated).c_str());
        CHECK(decoder_error.offset <= mutated.size(), "error offset %zu beyond the frame (%zu bytes)",
              decoder_error.offset, mutated.size());
      }

      const FeedState before = observe(feed);
      const uint64_t rejected_before = feed.counters().rejected;
      DecodeError feed_error;
      const bool fed = feed.on_frame(bytes.get(), mutated.size(), feed_error);
      CHECK(fed == decoded, "feed (%d) and decoder (%d) disagree on: %s", fed, decoded,
            printable(mutated).c_str());
      if (fed) {
        ++accepted;
        if (feed.last().kind == MessageKind::depth_update && feed.last_diff_result() == DiffResult::applied) {
          ++applied_mutants;
        }
      } else {
        ++rejected;
        CHECK(!feed_error.reason.empty(), "feed rejected without a reason: %s", printable(mutated).c_str());
        CHECK_EQ(feed.counters().rejected, rejected_before + 1, "rejected counter");
        const FeedState after = observe(feed);
        std::size_t at = 0;
        if (const char* field = first_difference(before, after, at)) {
          if (++state_mismatches <= 5) {
            CHECK(false, "rejected frame changed feed state '%s' (entry %zu): %s", field, at,
                  printable(mutated).c_str());
          }
        }
      }
      check_book_shape(feed.sync().book());
      if (rng.chance(50)) feed_real_frame();
    }
  }
  CHECK_EQ(state_mismatches, 0, "rejected frames that changed the feed");
  CHECK(accepted > 1000 && rejected > 1000, "fuzz balance: %" PRIu64 " accepted, %" PRIu64 " rejected", accepted,
        rejected);
  std::printf("(c) mutation fuzz: %" PRIu64 " mutated frames (%" PRIu64 " accepted, %" PRIu64
              " of them depth diffs applied to the book; %" PRIu64 " rejected), %" PRIu64
              " real frames interleaved, %" PRIu64 " feeds, %.2f s\n",
              accepted + rejected, accepted, applied_mutants, rejected, real_fed, feeds, seconds_since(start));
}

// ---------------------------------------------------------------------------------------------
// (d) BookSync scenarios.

// A diff whose bid (900 + tag) and ask (1100 + tag) levels, both of qty `tag`, show whether it was applied.
struct TestDiff {
  int64_t first_update_id, last_update_id, prev_update_id;
  std::vector<Level> bids, asks;
  DiffEvent event() const {
    return DiffEvent{first_update_id, last_update_id, prev_update_id, bids.data(), bids.size(), asks.data(), asks.size()};
  }
};

TestDiff tagged(int64_t first, int64_t last, int64_t prev, int64_t tag) {
  return TestDiff{first, last, prev, {Level{900 + tag, tag}}, {Level{1100 + tag, tag}}};
}

bool applied_tag(const L2Book& book, int64_t tag) {
  return book.qty_at(Side::bid, 900 + tag) == tag && book.qty_at(Side::ask, 1100 + tag) == tag;
}
bool absent_tag(const L2Book& book, int64_t tag) {
  return book.qty_at(Side::bid, 900 + tag) == 0 && book.qty_at(Side::ask, 1100 + tag) == 0;
}

// Snapshot: bids 1000 (qty 10 + salt), 999; asks 1010, 1011. `salt` tells snapshots apart.
void snapshot(BookSync& sync, int64_t last_update_id, int64_t salt = 0) {
  const Level bids[] = {{1000, 10 + salt}, {999, 4}};
  const Level asks[] = {{1010, 5}, {1011, 6}};
  sync.apply_snapshot(last_update_id, bids, 2, asks, 2);
}

std::vector<Level> all_levels(const L2Book& book) {
  std::vector<Level> out;
  for (Side side : {Side::bid, Side::ask}) {
    const std::size_t n = book.level_count(side);
    std::vector<int64_t> prices(n + 1), qtys(n + 1);
    const std::size_t got = book.top(side, n + 1, prices.data(), qtys.data());
    for (std::size_t i = 0; i < got; ++i) out.push_back(Level{prices[i], qtys[i]});
    out.push_back(Level{kNoPrice, static_cast<int64_t>(got)});  // side separator
  }
  return out;
}
bool same_levels(const std::vector<Level>& a, const std::vector<Level>& b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](const Level& x, const Level& y) {
           return x.price == y.price && x.qty == y.qty;
         });
}

const char* state_name(SyncState s) {
  switch (s) {
    case SyncState::needs_snapshot: return "needs_snapshot";
    case SyncState::awaiting_first_diff: return "awaiting_first_diff";
    case SyncState::synced: return "synced";
  }
  return "?";
}
const char* result_name(DiffResult r) {
  switch (r) {
    case DiffResult::applied: return "applied";
    case DiffResult::buffered: return "buffered";
    case DiffResult::stale: return "stale";
    case DiffResult::gap: return "gap";
  }
  return "?";
}

#define EXPECT_RESULT(sync, diff, expected, what)                                                          \
  do {                                                                                                     \
    const DiffResult result_ = (sync).apply_diff((diff).event());                                          \
    CHECK(result_ == (expected), "%s: U=%" PRId64 " u=%" PRId64 " pu=%" PRId64 " -> %s, expected %s", what, \
          (diff).first_update_id, (diff).last_update_id, (diff).prev_update_id, result_name(result_),       \
          result_name(expected));                                                                          \
  } while (0)
#define EXPECT_STATE(sync, expected, what)                                                                 \
  CHECK((sync).state() == (expected), "%s: state %s, expected %s", what, state_name((sync).state()),        \
        state_name(expected))

void test_spot_sync() {
  BookSync sync(BookMarket::spot, 12);
  EXPECT_STATE(sync, SyncState::needs_snapshot, "spot initial");
  CHECK_EQ(sync.book_update_id(), -1, "spot initial book_update_id");

  // Diffs before the first snapshot are buffered, not applied.
  const TestDiff d1 = tagged(91, 95, 0, 1), d2 = tagged(96, 100, 0, 2), d3 = tagged(101, 103, 0, 3),
                 d4 = tagged(104, 106, 0, 4);
  for (const TestDiff* d : {&d1, &d2, &d3, &d4}) EXPECT_RESULT(sync, *d, DiffResult::buffered, "spot pre-snapshot");
  CHECK_EQ(sync.buffered_now(), 4, "spot buffered before the snapshot");
  CHECK_EQ(sync.counters().buffered, 4, "spot buffered counter");
  CHECK_EQ(sync.book().level_count(Side::bid) + sync.book().level_count(Side::ask), 0, "spot book before snapshot");

  // L = 100: d1 (u < L) and d2 (u == L: spot drops u <= L) are stale; d3 starts at U == L+1; d4 continues.
  snapshot(sync, 100);
  EXPECT_STATE(sync, SyncState::synced, "spot after replaying the buffer");
  CHECK_EQ(sync.book_update_id(), 106, "spot book_update_id after replay");
  CHECK_EQ(sync.counters().stale, 2, "spot stale in replay");
  CHECK_EQ(sync.counters().applied, 2, "spot applied in replay");
  CHECK_EQ(sync.buffered_now(), 0, "spot buffer after replay");
  CHECK(absent_tag(sync.book(), 1) && absent_tag(sync.book(), 2), "stale buffered diffs were applied");
  CHECK(applied_tag(sync.book(), 3) && applied_tag(sync.book(), 4), "buffered diffs were not replayed");
  CHECK_EQ(sync.book().qty_at(Side::bid, 1000), 10, "spot snapshot level");

  // Continuation needs U == prev.u + 1; duplicates and overlaps are stale.
  const TestDiff d5 = tagged(107, 110, 0, 5);
  EXPECT_RESULT(sync, d5, DiffResult::applied, "spot U == prev.u + 1");
  EXPECT_RESULT(sync, d5, DiffResult::stale, "spot duplicate");
  EXPECT_RESULT(sync, tagged(105, 108, 0, 6), DiffResult::stale, "spot overlap with u <= book u");
  CHECK(absent_tag(sync.book(), 6), "a stale diff was applied");
  CHECK_EQ(sync.book_update_id(), 110, "spot book_update_id after stale diffs");

  // Chain break: gap -> needs_snapshot; the breaking diff and later ones are held, not applied.
  const std::vector<Level> before_gap = all_levels(sync.book());
  const TestDiff d8 = tagged(112, 115, 0, 8), d9 = tagged(116, 118, 0, 9);
  EXPECT_RESULT(sync, d8, DiffResult::gap, "spot U == prev.u + 2");
  EXPECT_STATE(sync, SyncState::needs_snapshot, "spot after a gap");
  CHECK_EQ(sync.counters().gaps, 1, "spot gaps");
  CHECK_EQ(sync.buffered_now(), 1, "spot gap diff is buffered");
  EXPECT_RESULT(sync, d9, DiffResult::buffered, "spot while needs_snapshot");
  EXPECT_RESULT(sync, tagged(111, 111, 0, 10), DiffResult::buffered, "spot the missing diff, while needs_snapshot");
  CHECK(same_levels(all_levels(sync.book()), before_gap), "the book changed while it needed a snapshot");
  CHECK_EQ(sync.counters().applied, 3, "spot applied while needs_snapshot");

  // A snapshot that does not join the held diffs (U > L+1 for the first non-stale one) keeps them.
  snapshot(sync, 108, 1);
  EXPECT_STATE(sync, SyncState::needs_snapshot, "spot snapshot older than the held diffs");
  CHECK_EQ(sync.counters().gaps, 2, "spot gap counted on a non-joining snapshot");
  CHECK_EQ(sync.buffered_now(), 3, "spot held diffs kept for the next snapshot");

  // L = 113: d8 straddles it (U=112 <= 114 <= 115), d9 continues; tag 10 (u=111) is stale.
  snapshot(sync, 113, 2);
  EXPECT_STATE(sync, SyncState::synced, "spot after the second snapshot");
  CHECK_EQ(sync.book_update_id(), 118, "spot book_update_id after the second replay");
  CHECK(applied_tag(sync.book(), 8) && applied_tag(sync.book(), 9), "held diffs were not replayed");
  CHECK(absent_tag(sync.book(), 3) && absent_tag(sync.book(), 10), "levels survived a snapshot / stale applied");
  CHECK_EQ(sync.book().qty_at(Side::bid, 1000), 12, "spot second snapshot level");
  CHECK_EQ(sync.buffered_now(), 0, "spot buffer after the second replay");

  // First-event boundaries against a fresh snapshot (no buffer).
  {
    BookSync s(BookMarket::spot, 12);
    snapshot(s, 200);
    EXPECT_STATE(s, SyncState::awaiting_first_diff, "spot snapshot with an empty buffer");
    EXPECT_RESULT(s, tagged(190, 200, 0, 1), DiffResult::stale, "spot u == L");
    EXPECT_STATE(s, SyncState::awaiting_first_diff, "spot after a stale first diff");
    EXPECT_RESULT(s, tagged(195, 201, 0, 2), DiffResult::applied, "spot u == L+1");
    CHECK_EQ(s.book_update_id(), 201, "spot book_update_id after u == L+1");
  }
  {
    BookSync s(BookMarket::spot, 12);
    snapshot(s, 200);
    EXPECT_RESULT(s, tagged(201, 201, 0, 1), DiffResult::applied, "spot U == u == L+1");
    EXPECT_STATE(s, SyncState::synced, "spot after U == L+1");
  }
  {
    BookSync s(BookMarket::spot, 12);
    snapshot(s, 200);
    EXPECT_RESULT(s, tagged(202, 205, 0, 1), DiffResult::gap, "spot U == L+2");
    EXPECT_STATE(s, SyncState::needs_snapshot, "spot first diff past the snapshot");
    CHECK(absent_tag(s.book(), 1), "a gap diff was applied");
    snapshot(s, 203);  // the held diff now straddles L+1
    EXPECT_STATE(s, SyncState::synced, "spot resync from the held gap diff");
    CHECK(applied_tag(s.book(), 1), "the held gap diff was not replayed");
  }
  {
    // Every held diff stale: the buffer empties and the book waits for the first diff.
    BookSync s(BookMarket::spot, 12);
    EXPECT_RESULT(s, tagged(10, 20, 0, 1), DiffResult::buffered, "spot pre-snapshot");
    snapshot(s, 20);
    EXPECT_STATE(s, SyncState::awaiting_first_diff, "spot all-stale buffer");
    CHECK_EQ(s.buffered_now(), 0, "spot all-stale buffer drained");
    EXPECT_RESULT(s, tagged(21, 22, 0, 2), DiffResult::applied, "spot first live diff");
  }
}

void test_futures_sync(BookMarket market, const char* label) {
  char what[96];
  auto name = [&](const char* text) {
    std::snprintf(what, sizeof what, "%s %s", label, text);
    return what;
  };
  {
    BookSync s(market, 12);
    snapshot(s, 100);
    EXPECT_RESULT(s, tagged(90, 99, 89, 1), DiffResult::stale, name("u == L-1"));
    EXPECT_RESULT(s, tagged(95, 100, 94, 2), DiffResult::applied, name("u == L (kept on futures)"));
    EXPECT_STATE(s, SyncState::synced, name("after u == L"));
    // Futures ids are shared across symbols: only pu must chain.
    EXPECT_RESULT(s, tagged(130, 140, 100, 3), DiffResult::applied, name("pu == prev.u, U != prev.u+1"));
    EXPECT_RESULT(s, tagged(130, 140, 100, 4), DiffResult::stale, name("duplicate"));
    EXPECT_RESULT(s, tagged(120, 135, 90, 5), DiffResult::stale, name("u < book u"));
    CHECK(applied_tag(s.book(), 2) && applied_tag(s.book(), 3), "%s chained diffs missing", label);
    CHECK(absent_tag(s.book(), 1) && absent_tag(s.book(), 4) && absent_tag(s.book(), 5), "%s stale diff applied",
          label);
    const std::vector<Level> before_gap = all_levels(s.book());
    EXPECT_RESULT(s, tagged(141, 150, 139, 6), DiffResult::gap, name("pu != prev.u"));
    EXPECT_STATE(s, SyncState::needs_snapshot, name("after a pu break"));
    CHECK_EQ(s.counters().gaps, 1, label);
    EXPECT_RESULT(s, tagged(151, 160, 150, 7), DiffResult::buffered, name("while needs_snapshot"));
    CHECK(same_levels(all_levels(s.book()), before_gap), "%s book changed while it needed a snapshot", label);
    // L = 150: the gap diff (U=141 <= 150 <= u=150) starts the book, the next chains on pu.
    snapshot(s, 150, 3);
    EXPECT_STATE(s, SyncState::synced, name("after replaying the held diffs"));
    CHECK(applied_tag(s.book(), 6) && applied_tag(s.book(), 7), "%s held diffs not replayed", label);
    CHECK(absent_tag(s.book(), 2), "%s level survived a snapshot", label);
    CHECK_EQ(s.book_update_id(), 160, label);
  }
  {
    BookSync s(market, 12);
    snapshot(s, 200);
    EXPECT_RESULT(s, tagged(200, 210, 190, 1), DiffResult::applied, name("U == L"));
  }
  {
    BookSync s(market, 12);
    snapshot(s, 300);
    EXPECT_RESULT(s, tagged(301, 310, 299, 1), DiffResult::gap, name("U == L+1, pu != L (futures needs U <= L)"));
    CHECK(absent_tag(s.book(), 1), "%s gap diff applied", label);
  }
  {
    // A diff continuing the snapshot exactly (pu == L) joins it: a refresh at an event boundary.
    BookSync s(market, 12);
    snapshot(s, 300);
    EXPECT_RESULT(s, tagged(305, 310, 300, 1), DiffResult::applied, name("pu == L continues the snapshot"));
  }
  {
    // Buffered before the snapshot, replayed on the pu chain.
    BookSync s(market, 12);
    const TestDiff d1 = tagged(50, 60, 40, 1), d2 = tagged(70, 80, 60, 2), d3 = tagged(85, 90, 80, 3);
    for (const TestDiff* d : {&d1, &d2, &d3}) EXPECT_RESULT(s, *d, DiffResult::buffered, name("pre-snapshot"));
    snapshot(s, 80);  // d1 stale (u < L), d2 straddles with u == L, d3 chains
    EXPECT_STATE(s, SyncState::synced, name("after the replay"));
    CHECK(absent_tag(s.book(), 1) && applied_tag(s.book(), 2) && applied_tag(s.book(), 3), "%s replay", label);
    CHECK_EQ(s.counters().stale, 1, label);
    CHECK_EQ(s.book_update_id(), 90, label);
  }
}

void test_buffer_overflow() {
  {
    // Capacity 3, five contiguous spot diffs: the two oldest are dropped.
    BookSync s(BookMarket::spot, 12, 3);
    std::vector<TestDiff> diffs;
    for (int64_t i = 1; i <= 5; ++i) diffs.push_back(tagged(100 + 2 * i, 101 + 2 * i, 0, i));
    for (const TestDiff& d : diffs) EXPECT_RESULT(s, d, DiffResult::buffered, "spot small buffer");
    CHECK_EQ(s.counters().buffer_dropped, 2, "buffer_dropped with capacity 3");
    CHECK_EQ(s.buffered_now(), 3, "buffered_now with capacity 3");
    // A snapshot that would join the dropped d1 finds d3 first: U > L+1, so no sync.
    snapshot(s, diffs[0].first_update_id - 1);
    EXPECT_STATE(s, SyncState::needs_snapshot, "snapshot joining only a dropped diff");
    CHECK_EQ(s.buffered_now(), 3, "held diffs kept after a non-joining snapshot");
    snapshot(s, diffs[2].first_update_id - 1);
    EXPECT_STATE(s, SyncState::synced, "snapshot joining the oldest kept diff");
    CHECK(absent_tag(s.book(), 1) && absent_tag(s.book(), 2), "dropped diffs were applied");
    CHECK(applied_tag(s.book(), 3) && applied_tag(s.book(), 4) && applied_tag(s.book(), 5), "kept diffs missing");
    CHECK_EQ(s.book_update_id(), diffs[4].last_update_id, "book_update_id after the small-buffer replay");
  }
  {
    // Many drops through repeated compaction: 1000 futures diffs of 0..5 levels into capacity 4.
    BookSync s(BookMarket::usdm, 12, 4);
    std::vector<TestDiff> diffs;
    for (int64_t i = 1; i <= 1000; ++i) {
      TestDiff d{10 * i, 10 * i + 5, 10 * i - 5, {}, {}};
      for (int64_t k = 0; k < i % 6; ++k) {
        d.bids.push_back(Level{100 + 6 * i + k, i});
        d.asks.push_back(Level{100000 + 6 * i + k, i});
      }
      diffs.push_back(std::move(d));
    }
    for (const TestDiff& d : diffs) EXPECT_RESULT(s, d, DiffResult::buffered, "usdm compaction");
    CHECK_EQ(s.counters().buffer_dropped, 996, "usdm buffer_dropped");
    CHECK_EQ(s.buffered_now(), 4, "usdm buffered_now");
    const Level bid{50, 1}, ask{200000, 1};
    s.apply_snapshot(diffs[996].last_update_id - 1, &bid, 1, &ask, 1);  // straddled by diff 997
    EXPECT_STATE(s, SyncState::synced, "usdm after the compaction replay");
    CHECK_EQ(s.counters().applied, 4, "usdm applied after compaction");
    std::size_t expected_bids = 1;
    for (std::size_t i = 996; i < 1000; ++i) expected_bids += diffs[i].bids.size();
    CHECK_EQ(s.book().level_count(Side::bid), expected_bids, "usdm bid levels after compaction replay");
    bool levels_match = true;
    for (std::size_t i = 996; i < 1000; ++i) {
      for (const Level& level : diffs[i].bids) levels_match = levels_match && s.book().qty_at(Side::bid, level.price) == level.qty;
      for (const Level& level : diffs[i].asks) levels_match = levels_match && s.book().qty_at(Side::ask, level.price) == level.qty;
    }
    CHECK(levels_match, "usdm replayed levels do not match the last four diffs");
  }
  {
    // Drops also happen while waiting after a gap.
    BookSync s(BookMarket::spot, 12, 2);
    snapshot(s, 10);
    EXPECT_RESULT(s, tagged(11, 12, 0, 1), DiffResult::applied, "spot first diff");
    EXPECT_RESULT(s, tagged(20, 21, 0, 2), DiffResult::gap, "spot gap");
    EXPECT_RESULT(s, tagged(22, 23, 0, 3), DiffResult::buffered, "spot after gap");
    EXPECT_RESULT(s, tagged(24, 25, 0, 4), DiffResult::buffered, "spot after gap, full");
    CHECK_EQ(s.counters().buffer_dropped, 1, "buffer_dropped after a gap");
    snapshot(s, 21);
    EXPECT_STATE(s, SyncState::synced, "spot resync after drops");
    CHECK(absent_tag(s.book(), 2) && applied_tag(s.book(), 3) && applied_tag(s.book(), 4), "resync after drops");
  }
}

// Regression: with max_buffered 1 (also what 0 maps to), BookSync::buffer() once dropped the only
// held diff (buffer_head_ = 1 == size) and then compacted by reading one past the end.
void max_buffered_one_scenario() {
  BookSync s(BookMarket::spot, 12, 1);
  EXPECT_RESULT(s, tagged(11, 12, 0, 1), DiffResult::buffered, "max_buffered 1, first diff");
  EXPECT_RESULT(s, tagged(13, 14, 0, 2), DiffResult::buffered, "max_buffered 1, second diff");
  CHECK_EQ(s.counters().buffer_dropped, 1, "max_buffered 1 buffer_dropped");
  CHECK_EQ(s.buffered_now(), 1, "max_buffered 1 buffered_now");
  EXPECT_RESULT(s, tagged(15, 16, 0, 3), DiffResult::buffered, "max_buffered 1, third diff");
  snapshot(s, 14);
  EXPECT_STATE(s, SyncState::synced, "max_buffered 1 replay");
  CHECK(applied_tag(s.book(), 3) && absent_tag(s.book(), 2), "max_buffered 1 kept the newest diff");
}

// Runs a scenario in a child process so that a crash or sanitizer abort in a regression scenario
// is reported as one labelled failure instead of ending the whole test.
void run_isolated(const char* label, void (*scenario)()) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    g_failures = 0;
    scenario();
    std::fflush(nullptr);
    ::_exit(g_failures == 0 ? 0 : 1);
  }
  int status = 0;
  CHECK(pid > 0 && ::waitpid(pid, &status, 0) == pid, "%s: fork/wait failed", label);
  const bool passed = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (passed) {
    std::printf("  %s: passed\n", label);
  } else {
    ++g_failures;
    std::fprintf(stderr, "FAILED %s: child %s %d\n", label, WIFSIGNALED(status) ? "killed by signal" : "exited with",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
  }
}

void test_sync_scenarios() {
  const auto start = std::chrono::steady_clock::now();
  test_spot_sync();
  test_futures_sync(BookMarket::usdm, "usdm");
  test_futures_sync(BookMarket::coinm, "coinm");
  test_buffer_overflow();
  run_isolated("regression: BookSync::buffer() with max_buffered=1",
               max_buffered_one_scenario);
  std::printf("(d) sync scenarios: %.2f s\n", seconds_since(start));
}

}  // namespace

int main() {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep progress lines in order with stderr reports
  std::vector<std::string> frames;
  frames.reserve(94000);
  test_sync_scenarios();
  test_demo_replay(frames);
  test_mutation_fuzz(frames);
  frames.clear();
  frames.shrink_to_fit();
  test_shared_replays();
  if (g_failures != 0) std::fprintf(stderr, "test_book_feed: %d failure(s)\n", g_failures);
  return g_failures == 0 ? 0 : 1;
}
