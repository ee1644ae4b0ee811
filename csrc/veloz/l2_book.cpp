#include "veloz/l2_book.hpp"

#include <algorithm>
#include <stdexcept>

namespace veloz {

namespace {

constexpr std::size_t kWordBits = 64;

// Bits 0..bit inclusive.
inline uint64_t mask_upto(std::size_t bit) noexcept {
  return bit == 63 ? ~0ULL : ((1ULL << (bit + 1)) - 1);
}
inline int highest_bit(uint64_t word) noexcept { return 63 - __builtin_clzll(word); }
inline int lowest_bit(uint64_t word) noexcept { return __builtin_ctzll(word); }

bool far_less(const Level& level, int64_t price) noexcept { return level.price < price; }

}  // namespace

L2Book::L2Book(int window_bits) : window_bits_(window_bits) {
  if (window_bits < 12 || window_bits > 26) {
    throw std::invalid_argument("L2Book window_bits must be within 12..26");
  }
  width_ = std::size_t{1} << window_bits;
  for (SideLevels& s : sides_) {
    s.qty.assign(width_, 0);
    s.occupied.assign(width_ / kWordBits, 0);
    s.summary.assign(width_ / kWordBits / kWordBits, 0);
    s.far.reserve(1024);
  }
  for (auto& scratch : scratch_) scratch.reserve(4096);
}

void L2Book::clear_side(SideLevels& s) noexcept {
  for (std::size_t w = 0; w < s.summary.size(); ++w) {
    uint64_t sw = s.summary[w];
    while (sw != 0) {
      const std::size_t word = w * kWordBits + static_cast<std::size_t>(lowest_bit(sw));
      sw &= sw - 1;
      uint64_t bits = s.occupied[word];
      while (bits != 0) {
        s.qty[word * kWordBits + static_cast<std::size_t>(lowest_bit(bits))] = 0;
        bits &= bits - 1;
      }
      s.occupied[word] = 0;
    }
    s.summary[w] = 0;
  }
  s.far.clear();
  s.count = 0;
  s.best = kNoPrice;
}

void L2Book::clear() noexcept {
  clear_side(sides_[0]);
  clear_side(sides_[1]);
}

void L2Book::hint_center(int64_t price) noexcept {
  if (sides_[0].count == 0 && sides_[1].count == 0) {
    base_ = price - static_cast<int64_t>(width_ / 2);
  }
}

int L2Book::window_set(SideLevels& s, std::size_t slot, int64_t qty) noexcept {
  const int64_t old = s.qty[slot];
  s.qty[slot] = qty;
  const std::size_t word = slot / kWordBits;
  const uint64_t bit = 1ULL << (slot % kWordBits);
  if (old == 0 && qty != 0) {
    s.occupied[word] |= bit;
    s.summary[word / kWordBits] |= 1ULL << (word % kWordBits);
    return 1;
  }
  if (old != 0 && qty == 0) {
    s.occupied[word] &= ~bit;
    if (s.occupied[word] == 0) s.summary[word / kWordBits] &= ~(1ULL << (word % kWordBits));
    return -1;
  }
  return 0;
}

int L2Book::far_set(SideLevels& s, int64_t price, int64_t qty) {
  auto it = std::lower_bound(s.far.begin(), s.far.end(), price, far_less);
  const bool exists = it != s.far.end() && it->price == price;
  if (exists) {
    if (qty == 0) {
      s.far.erase(it);
      return -1;
    }
    it->qty = qty;
    return 0;
  }
  if (qty == 0) return 0;
  s.far.insert(it, Level{price, qty});
  return 1;
}

int64_t L2Book::window_highest_below(const SideLevels& s, int64_t slot_exclusive) const noexcept {
  if (slot_exclusive <= 0) return -1;
  const std::size_t slot = static_cast<std::size_t>(slot_exclusive - 1);
  std::size_t word = slot / kWordBits;
  uint64_t bits = s.occupied[word] & mask_upto(slot % kWordBits);
  if (bits != 0) return static_cast<int64_t>(word * kWordBits) + highest_bit(bits);
  if (word == 0) return -1;
  // Search the summary for the highest non-empty word below `word`.
  std::size_t target = word - 1;
  std::size_t sw = target / kWordBits;
  uint64_t summary = s.summary[sw] & mask_upto(target % kWordBits);
  while (true) {
    if (summary != 0) {
      const std::size_t found = sw * kWordBits + static_cast<std::size_t>(highest_bit(summary));
      return static_cast<int64_t>(found * kWordBits) + highest_bit(s.occupied[found]);
    }
    if (sw == 0) return -1;
    summary = s.summary[--sw];
  }
}

int64_t L2Book::window_lowest_above(const SideLevels& s, int64_t slot_exclusive) const noexcept {
  const int64_t first = slot_exclusive + 1;
  if (first >= static_cast<int64_t>(width_)) return -1;
  const std::size_t slot = static_cast<std::size_t>(first < 0 ? 0 : first);
  std::size_t word = slot / kWordBits;
  uint64_t bits = s.occupied[word] & (~0ULL << (slot % kWordBits));
  if (bits != 0) return static_cast<int64_t>(word * kWordBits) + lowest_bit(bits);
  std::size_t target = word + 1;
  if (target >= s.occupied.size()) return -1;
  std::size_t sw = target / kWordBits;
  uint64_t summary = s.summary[sw] & (~0ULL << (target % kWordBits));
  while (true) {
    if (summary != 0) {
      const std::size_t found = sw * kWordBits + static_cast<std::size_t>(lowest_bit(summary));
      return static_cast<int64_t>(found * kWordBits) + lowest_bit(s.occupied[found]);
    }
    if (++sw >= s.summary.size()) return -1;
    summary = s.summary[sw];
  }
}

// Highest level strictly below `price` (window or far).
int64_t L2Book::below(const SideLevels& s, int64_t price) const noexcept {
  int64_t best = kNoPrice;
  const int64_t slot = window_highest_below(s, clamped_slot(price));
  if (slot >= 0) best = base_ + slot;
  auto it = std::lower_bound(s.far.begin(), s.far.end(), price, far_less);
  if (it != s.far.begin()) best = std::max(best, std::prev(it)->price);
  return best;
}

// Lowest level strictly above `price` (window or far).
int64_t L2Book::above(const SideLevels& s, int64_t price) const noexcept {
  int64_t best = kNoPrice;
  const int64_t slot = window_lowest_above(s, clamped_slot(price));
  if (slot >= 0) best = base_ + slot;
  auto it = std::upper_bound(s.far.begin(), s.far.end(), price,
                             [](int64_t p, const Level& level) { return p < level.price; });
  if (it != s.far.end() && (best == kNoPrice || it->price < best)) best = it->price;
  return best;
}

void L2Book::set_far_level(Side side, int64_t price, int64_t qty) {
  SideLevels& s = sides_[index(side)];
  const int delta = far_set(s, price, qty);
  s.count = static_cast<std::size_t>(static_cast<int64_t>(s.count) + delta);
  if (delta > 0) {
    if (s.best == kNoPrice || (side == Side::bid ? price > s.best : price < s.best)) {
      s.best = price;
      maybe_recenter();  // the touch has moved outside the window
    }
  } else if (delta < 0 && price == s.best) {
    replace_best(side);
  }
}

void L2Book::replace_best(Side side) {
  SideLevels& s = sides_[index(side)];
  s.best = side == Side::bid ? below(s, s.best) : above(s, s.best);
  if (s.best != kNoPrice && !in_window(s.best)) maybe_recenter();
}

void L2Book::maybe_recenter() {
  const int64_t bid = sides_[0].best;
  const int64_t ask = sides_[1].best;
  int64_t target;
  if (bid != kNoPrice && ask != kNoPrice) {
    target = bid + (ask - bid) / 2;
  } else {
    target = bid != kNoPrice ? bid : ask;
  }
  if (target == kNoPrice) return;
  const int64_t center = base_ + static_cast<int64_t>(width_ / 2);
  // Hysteresis: only move for a real drift, so a wide or oscillating book cannot thrash.
  const int64_t drift = target > center ? target - center : center - target;
  if (drift < static_cast<int64_t>(width_ / 4)) return;
  rebase(target - static_cast<int64_t>(width_ / 2));
}

void L2Book::rebase(int64_t new_base) {
  ++recenters_;
  // Gather both sides at the old base first: the base is shared by the two sides.
  for (std::size_t i = 0; i < 2; ++i) {
    SideLevels& s = sides_[i];
    std::vector<Level>& out = scratch_[i];
    out.clear();
    // Ascending price: far below the window, the window, far above it.
    auto split = std::lower_bound(s.far.begin(), s.far.end(), base_, far_less);
    out.insert(out.end(), s.far.begin(), split);
    for (int64_t slot = window_lowest_above(s, -1); slot >= 0; slot = window_lowest_above(s, slot)) {
      out.push_back(Level{base_ + slot, s.qty[static_cast<std::size_t>(slot)]});
    }
    out.insert(out.end(), split, s.far.end());
  }
  base_ = new_base;
  for (std::size_t i = 0; i < 2; ++i) {
    SideLevels& s = sides_[i];
    const int64_t best = s.best;
    clear_side(s);
    s.best = best;
    s.count = scratch_[i].size();
    for (const Level& level : scratch_[i]) {
      if (in_window(level.price)) {
        window_set(s, static_cast<std::size_t>(level.price - base_), level.qty);
      } else {
        s.far.push_back(level);  // ascending input keeps `far` sorted
      }
    }
  }
}

int64_t L2Book::best_qty(Side side) const noexcept {
  const int64_t best = sides_[index(side)].best;
  return best == kNoPrice ? 0 : qty_at(side, best);
}

int64_t L2Book::qty_at(Side side, int64_t price) const noexcept {
  const SideLevels& s = sides_[index(side)];
  if (in_window(price)) return s.qty[static_cast<std::size_t>(price - base_)];
  auto it = std::lower_bound(s.far.begin(), s.far.end(), price, far_less);
  return it != s.far.end() && it->price == price ? it->qty : 0;
}

bool L2Book::crossed() const noexcept {
  const int64_t bid = sides_[0].best;
  const int64_t ask = sides_[1].best;
  return bid != kNoPrice && ask != kNoPrice && bid >= ask;
}

int64_t L2Book::next_level(Side side, int64_t price) const noexcept {
  const SideLevels& s = sides_[index(side)];
  return side == Side::bid ? below(s, price) : above(s, price);
}

std::size_t L2Book::top(Side side, std::size_t n, int64_t* prices, int64_t* qtys) const noexcept {
  std::size_t written = 0;
  for (int64_t price = best_price(side); price != kNoPrice && written < n;
       price = next_level(side, price)) {
    prices[written] = price;
    qtys[written] = qty_at(side, price);
    ++written;
  }
  return written;
}

WalkResult L2Book::walk(Side side, int64_t qty) const noexcept {
  WalkResult result;
  int64_t remaining = qty;
  for (int64_t price = best_price(side); price != kNoPrice && remaining > 0;
       price = next_level(side, price)) {
    const int64_t take = std::min(remaining, qty_at(side, price));
    remaining -= take;
    result.filled_qty += take;
    result.notional += static_cast<double>(price) * static_cast<double>(take);
    result.worst_price = price;
    ++result.levels_used;
  }
  return result;
}

int64_t L2Book::depth_between(Side side, int64_t lo, int64_t hi) const noexcept {
  int64_t total = 0;
  for (int64_t price = best_price(side); price != kNoPrice; price = next_level(side, price)) {
    if (price < lo || price > hi) {
      // Levels are visited best first: once past the far edge nothing further can be in range.
      if ((side == Side::bid && price < lo) || (side == Side::ask && price > hi)) break;
      continue;
    }
    total += qty_at(side, price);
  }
  return total;
}

}  // namespace veloz
