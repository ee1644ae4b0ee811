#include "veloz/book_sync.hpp"

namespace veloz {

BookSync::BookSync(BookMarket market, int window_bits, std::size_t max_buffered)
    : market_(market), book_(window_bits), max_buffered_(max_buffered == 0 ? 1 : max_buffered) {
  buffer_events_.reserve(1024);
  buffer_levels_.reserve(16384);
}

bool BookSync::is_stale(const DiffEvent& diff) const noexcept {
  // Spot drops u <= L; futures keep u == L (a first event often ends exactly at L there).
  if (state_ == SyncState::synced) return diff.last_update_id <= book_update_id_;
  return futures() ? diff.last_update_id < book_update_id_ : diff.last_update_id <= book_update_id_;
}

bool BookSync::starts_book(const DiffEvent& diff) const noexcept {
  const int64_t L = book_update_id_;
  return futures() ? ((diff.first_update_id <= L && L <= diff.last_update_id) || diff.prev_update_id == L)
                   : (diff.first_update_id <= L + 1 && L + 1 <= diff.last_update_id);
}

bool BookSync::continues_book(const DiffEvent& diff) const noexcept {
  return futures() ? diff.prev_update_id == book_update_id_ : diff.first_update_id == book_update_id_ + 1;
}

void BookSync::apply_levels(const DiffEvent& diff) {
  for (std::size_t i = 0; i < diff.bid_count; ++i) book_.set_level(Side::bid, diff.bids[i].price, diff.bids[i].qty);
  for (std::size_t i = 0; i < diff.ask_count; ++i) book_.set_level(Side::ask, diff.asks[i].price, diff.asks[i].qty);
  book_update_id_ = diff.last_update_id;
  ++counters_.applied;
}

bool BookSync::apply_snapshot(int64_t last_update_id, const Level* bids, std::size_t bid_count, const Level* asks,
                              std::size_t ask_count) {
  if (state_ != SyncState::needs_snapshot && last_update_id < book_update_id_) {
    ++counters_.stale_snapshots;
    return false;
  }
  book_.clear();
  if (bid_count != 0 && ask_count != 0) {
    book_.hint_center(bids[0].price + (asks[0].price - bids[0].price) / 2);
  } else if (bid_count != 0 || ask_count != 0) {
    book_.hint_center(bid_count != 0 ? bids[0].price : asks[0].price);
  }
  for (std::size_t i = 0; i < bid_count; ++i) book_.set_level(Side::bid, bids[i].price, bids[i].qty);
  for (std::size_t i = 0; i < ask_count; ++i) book_.set_level(Side::ask, asks[i].price, asks[i].qty);
  book_update_id_ = last_update_id;
  state_ = SyncState::awaiting_first_diff;
  ++counters_.snapshots;
  drain_buffer();
  return true;
}

DiffResult BookSync::apply_diff(const DiffEvent& diff) {
  if (state_ == SyncState::needs_snapshot) {
    buffer(diff);
    ++counters_.buffered;
    return DiffResult::buffered;
  }
  if (is_stale(diff)) {
    ++counters_.stale;
    return DiffResult::stale;
  }
  const bool fits = state_ == SyncState::synced ? continues_book(diff) : starts_book(diff);
  if (!fits) {
    state_ = SyncState::needs_snapshot;
    ++counters_.gaps;
    buffer(diff);  // a newer snapshot may still start from this diff
    return DiffResult::gap;
  }
  apply_levels(diff);
  state_ = SyncState::synced;
  return DiffResult::applied;
}

DiffEvent BookSync::buffered_event(std::size_t i) const noexcept {
  const BufferedDiff& b = buffer_events_[i];
  const Level* levels = buffer_levels_.data() + b.level_offset;
  return DiffEvent{b.first_update_id, b.last_update_id, b.prev_update_id, levels, b.bid_count,
                   levels + b.bid_count, b.ask_count};
}

void BookSync::buffer(const DiffEvent& diff) {
  if (buffered_now() >= max_buffered_) {
    // Drop the oldest: a later snapshot is newer than it anyway.
    ++buffer_head_;
    ++counters_.buffer_dropped;
  }
  if (buffer_head_ >= buffer_events_.size()) {
    buffer_events_.clear();  // everything buffered was dropped
    buffer_levels_.clear();
    buffer_head_ = 0;
  } else if (buffer_head_ > 0 && buffer_head_ * 2 >= buffer_events_.size()) {
    // Compact so the buffer does not grow without bound.
    const std::size_t level_start = buffer_events_[buffer_head_].level_offset;
    buffer_levels_.erase(buffer_levels_.begin(), buffer_levels_.begin() + static_cast<std::ptrdiff_t>(level_start));
    buffer_events_.erase(buffer_events_.begin(), buffer_events_.begin() + static_cast<std::ptrdiff_t>(buffer_head_));
    for (BufferedDiff& b : buffer_events_) b.level_offset -= level_start;
    buffer_head_ = 0;
  }
  buffer_events_.push_back(BufferedDiff{diff.first_update_id, diff.last_update_id, diff.prev_update_id,
                                        buffer_levels_.size(), diff.bid_count, diff.ask_count});
  buffer_levels_.insert(buffer_levels_.end(), diff.bids, diff.bids + diff.bid_count);
  buffer_levels_.insert(buffer_levels_.end(), diff.asks, diff.asks + diff.ask_count);
}

void BookSync::drain_buffer() {
  std::size_t i = buffer_head_;
  for (; i < buffer_events_.size(); ++i) {
    const DiffEvent diff = buffered_event(i);
    if (is_stale(diff)) {
      ++counters_.stale;
      continue;
    }
    const bool fits = state_ == SyncState::synced ? continues_book(diff) : starts_book(diff);
    if (!fits) {
      // Keep this diff and the rest: the snapshot does not join the stream, so wait for another.
      state_ = SyncState::needs_snapshot;
      ++counters_.gaps;
      break;
    }
    apply_levels(diff);
    state_ = SyncState::synced;
  }
  if (i >= buffer_events_.size()) {
    buffer_events_.clear();
    buffer_levels_.clear();
    buffer_head_ = 0;
  } else {
    buffer_head_ = i;
  }
}

}  // namespace veloz
