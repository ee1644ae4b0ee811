// Binance local-book synchronisation: snapshot + diff stream, with the rules that differ by market.
//   spot:    drop u <= L; first applied needs U <= L+1 <= u; then U == prev.u + 1
//   futures: drop u <  L; first applied needs U <= L   <= u; then pu == prev.u
// A first diff that continues the snapshot exactly (futures pu == L; spot U == L+1, already covered)
// is accepted too: it happens when a snapshot refreshes a live book at an event boundary.
// Diffs that arrive before a snapshot (or after a gap) are buffered and replayed once it arrives.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "veloz/l2_book.hpp"

namespace veloz {

enum class BookMarket : uint8_t { spot = 0, usdm = 1, coinm = 2 };

enum class SyncState : uint8_t {
  needs_snapshot = 0,       // no valid book: initial, or after a gap
  awaiting_first_diff = 1,  // snapshot applied, waiting for the diff that straddles it
  synced = 2,
};

enum class DiffResult : uint8_t {
  applied = 0,
  buffered = 1,  // held until a snapshot arrives
  stale = 2,     // older than the book: ignored
  gap = 3,       // sequence broken: book now needs a snapshot; this diff is buffered for it
};

struct DiffEvent {
  int64_t first_update_id;  // U
  int64_t last_update_id;   // u
  int64_t prev_update_id;   // pu (futures)
  const Level* bids;
  std::size_t bid_count;
  const Level* asks;
  std::size_t ask_count;
};

struct SyncCounters {
  uint64_t snapshots = 0;
  uint64_t stale_snapshots = 0;  // older than the book already was: ignored
  uint64_t applied = 0;
  uint64_t buffered = 0;
  uint64_t stale = 0;
  uint64_t gaps = 0;
  uint64_t buffer_dropped = 0;  // oldest buffered diffs dropped because the buffer was full
};

class BookSync {
 public:
  BookSync(BookMarket market, int window_bits = 18, std::size_t max_buffered = 100000);

  // Applies a snapshot and replays buffered diffs. A snapshot older than a book that is already
  // consistent (synced or just snapshotted) is ignored and counted: REST answers can arrive late,
  // and a periodic refresh must never throw a good book away. Returns false when ignored.
  bool apply_snapshot(int64_t last_update_id, const Level* bids, std::size_t bid_count, const Level* asks,
                      std::size_t ask_count);
  DiffResult apply_diff(const DiffEvent& diff);

  const L2Book& book() const noexcept { return book_; }
  L2Book& book() noexcept { return book_; }
  SyncState state() const noexcept { return state_; }
  BookMarket market() const noexcept { return market_; }
  // Update id the book reflects (snapshot L, then each applied diff's u); -1 when none.
  int64_t book_update_id() const noexcept { return book_update_id_; }
  std::size_t buffered_now() const noexcept { return buffer_events_.size() - buffer_head_; }
  const SyncCounters& counters() const noexcept { return counters_; }

 private:
  struct BufferedDiff {
    int64_t first_update_id, last_update_id, prev_update_id;
    std::size_t level_offset, bid_count, ask_count;
  };

  bool futures() const noexcept { return market_ != BookMarket::spot; }
  bool is_stale(const DiffEvent& diff) const noexcept;
  bool starts_book(const DiffEvent& diff) const noexcept;
  bool continues_book(const DiffEvent& diff) const noexcept;
  void apply_levels(const DiffEvent& diff);
  void buffer(const DiffEvent& diff);
  void drain_buffer();
  DiffEvent buffered_event(std::size_t i) const noexcept;

  BookMarket market_;
  L2Book book_;
  SyncState state_ = SyncState::needs_snapshot;
  int64_t book_update_id_ = -1;
  SyncCounters counters_;
  std::size_t max_buffered_;
  std::vector<BufferedDiff> buffer_events_;
  std::vector<Level> buffer_levels_;
  std::size_t buffer_head_ = 0;
};

}  // namespace veloz
