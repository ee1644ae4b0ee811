// L2 order book on integer ticks/lots: a flat tick-indexed window (with occupancy bitmaps) around
// the touch, plus a sorted overflow for levels far from it. The window re-centres when the touch
// drifts away, so updates near the touch are an array store and a bit flip.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace veloz {

enum class Side : uint8_t { bid = 0, ask = 1 };

struct Level {
  int64_t price;  // ticks
  int64_t qty;    // lots
};

inline constexpr int64_t kNoPrice = INT64_MIN;
// Prices accepted by the book: |price| <= 2^61 ticks, so spreads, mids and window arithmetic
// never overflow. Callers (decoder, bindings) enforce it; set_level assumes it.
inline constexpr int64_t kMaxAbsPrice = int64_t{1} << 61;

// Result of walking one side of the book with a market order.
struct WalkResult {
  int64_t filled_qty = 0;      // lots filled (< requested when the side is too thin)
  int64_t worst_price = kNoPrice;
  int64_t levels_used = 0;
  double notional = 0.0;       // sum(price * qty) in tick*lot units
};

class L2Book {
 public:
  // The window covers 2^window_bits ticks (default 2^18). Memory: ~8 bytes per tick per side.
  explicit L2Book(int window_bits = 18);

  void clear() noexcept;
  // Sets the absolute quantity at a price level; qty 0 deletes it (deleting an absent level is a no-op).
  // Inline: this is the per-update hot path; only far levels and a vanished best leave it.
  void set_level(Side side, int64_t price, int64_t qty) {
    SideLevels& s = sides_[index(side)];
    if (!in_window(price)) {
      set_far_level(side, price, qty);
      return;
    }
    const std::size_t slot = static_cast<std::size_t>(price - base_);
    const int64_t old = s.qty[slot];
    s.qty[slot] = qty;
    if ((old == 0) == (qty == 0)) return;  // a quantity change, or deleting an absent level
    const std::size_t word = slot / 64;
    if (qty != 0) {
      s.occupied[word] |= 1ULL << (slot % 64);
      s.summary[word / 64] |= 1ULL << (word % 64);
      ++s.count;
      if (s.best == kNoPrice || (side == Side::bid ? price > s.best : price < s.best)) s.best = price;
      return;
    }
    s.occupied[word] &= ~(1ULL << (slot % 64));
    if (s.occupied[word] == 0) s.summary[word / 64] &= ~(1ULL << (word % 64));
    --s.count;
    if (price == s.best) replace_best(side);
  }
  // Re-centres the window on `price` if the book is empty (lets a snapshot load without re-centring).
  void hint_center(int64_t price) noexcept;

  int64_t best_price(Side side) const noexcept { return sides_[index(side)].best; }
  int64_t best_qty(Side side) const noexcept;
  int64_t qty_at(Side side, int64_t price) const noexcept;
  std::size_t level_count(Side side) const noexcept { return sides_[index(side)].count; }
  bool crossed() const noexcept;

  // Next level strictly worse than `price` on that side (lower for bids, higher for asks),
  // or kNoPrice. Passing the best price walks the book level by level.
  int64_t next_level(Side side, int64_t price) const noexcept;
  // Copies up to n best levels of a side, best first. Returns how many were written.
  std::size_t top(Side side, std::size_t n, int64_t* prices, int64_t* qtys) const noexcept;
  // Walks `side` (asks for a buy, bids for a sell) for `qty` lots.
  WalkResult walk(Side side, int64_t qty) const noexcept;
  // Sum of quantity on `side` at prices within [lo, hi].
  int64_t depth_between(Side side, int64_t lo, int64_t hi) const noexcept;

  int window_bits() const noexcept { return window_bits_; }
  int64_t window_base() const noexcept { return base_; }
  std::size_t recenters() const noexcept { return recenters_; }

 private:
  struct SideLevels {
    std::vector<int64_t> qty;        // window: quantity at base + i
    std::vector<uint64_t> occupied;  // one bit per window slot
    std::vector<uint64_t> summary;   // one bit per non-zero occupied word
    std::vector<Level> far;          // levels outside the window, ascending price
    std::size_t count = 0;
    int64_t best = kNoPrice;
  };

  static constexpr std::size_t index(Side side) noexcept { return static_cast<std::size_t>(side); }
  // Unsigned distance: price - base_ may not fit int64 for extreme prices and a negative base.
  bool in_window(int64_t price) const noexcept {
    return price >= base_ && static_cast<uint64_t>(price) - static_cast<uint64_t>(base_) < width_;
  }
  // Window slot of `price`, clamped to [-1, width]: -1 below the window, width above it.
  int64_t clamped_slot(int64_t price) const noexcept {
    if (price < base_) return -1;
    const uint64_t distance = static_cast<uint64_t>(price) - static_cast<uint64_t>(base_);
    return distance >= width_ ? static_cast<int64_t>(width_) : static_cast<int64_t>(distance);
  }
  // Window slot operations; return +1 / -1 / 0 change in level count.
  int window_set(SideLevels& s, std::size_t slot, int64_t qty) noexcept;
  int far_set(SideLevels& s, int64_t price, int64_t qty);
  void set_far_level(Side side, int64_t price, int64_t qty);
  void replace_best(Side side);
  int64_t window_highest_below(const SideLevels& s, int64_t slot_exclusive) const noexcept;
  int64_t window_lowest_above(const SideLevels& s, int64_t slot_exclusive) const noexcept;
  int64_t below(const SideLevels& s, int64_t price) const noexcept;
  int64_t above(const SideLevels& s, int64_t price) const noexcept;
  void clear_side(SideLevels& s) noexcept;
  void maybe_recenter();
  void rebase(int64_t new_base);

  int window_bits_;
  std::size_t width_;
  int64_t base_ = 0;
  std::size_t recenters_ = 0;
  SideLevels sides_[2];
  std::vector<Level> scratch_[2];  // used only while re-centring
};

}  // namespace veloz
