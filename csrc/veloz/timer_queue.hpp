// The strategy's timers: a min-heap ordered by (due time, creation order), so timers due at the
// same time fire in the order they were set. Cancelling marks the timer; it is dropped when it
// reaches the top. Repeating timers are re-armed from their due time (no drift).
#pragma once
#include <cstdint>
#include <queue>
#include <vector>

namespace veloz {

class TimerQueue {
 public:
  // Returns the timer id (1, 2, ...).
  uint64_t add(int64_t due_ns, int64_t interval_ns) {
    const uint64_t id = cancelled_.size() + 1;
    cancelled_.push_back(0);
    heap_.push(Entry{due_ns, id, interval_ns});
    return id;
  }
  // False for an unknown id; cancelling twice is harmless.
  bool cancel(uint64_t id) noexcept {
    if (id == 0 || id > cancelled_.size()) return false;
    cancelled_[id - 1] = 1;
    return true;
  }
  int64_t next_due() {
    drop_cancelled();
    return heap_.empty() ? INT64_MAX : heap_.top().due_ns;
  }
  // Pops the earliest live timer (next_due() must not be INT64_MAX); re-arms a repeating one,
  // unless its next due time would not fit int64 (no replay reaches it: it is over).
  uint64_t pop(int64_t& due_ns) {
    drop_cancelled();
    const Entry top = heap_.top();
    heap_.pop();
    due_ns = top.due_ns;
    if (top.interval_ns > 0 && top.due_ns < INT64_MAX - top.interval_ns) {
      heap_.push(Entry{top.due_ns + top.interval_ns, top.id, top.interval_ns});
    }
    return top.id;
  }

 private:
  struct Entry {
    int64_t due_ns;
    uint64_t id;
    int64_t interval_ns;
    // std::priority_queue is a max-heap: "less" means "fires later".
    bool operator<(const Entry& other) const noexcept {
      return due_ns != other.due_ns ? due_ns > other.due_ns : id > other.id;
    }
  };
  void drop_cancelled() {
    while (!heap_.empty() && cancelled_[heap_.top().id - 1] != 0) heap_.pop();
  }
  std::priority_queue<Entry> heap_;
  std::vector<uint8_t> cancelled_;
};

}  // namespace veloz
