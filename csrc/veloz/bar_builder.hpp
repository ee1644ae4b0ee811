// Time bars from trades for one instrument: a bar covers [open_ts, open_ts + interval) aligned to
// multiples of the interval since the epoch, and is complete at its end time (every trade before
// it has been seen, since the replay is in time order). Intervals without trades give no bar.
#pragma once
#include <algorithm>
#include <cstdint>

namespace veloz {

struct Bar {
  int64_t open_ts = 0;
  int64_t open = 0, high = 0, low = 0, close = 0;  // ticks
  int64_t volume = 0;                              // lots
  int64_t trades = 0;
};

class BarBuilder {
 public:
  void set_interval(int64_t interval_ns) noexcept { interval_ = interval_ns; }
  int64_t interval() const noexcept { return interval_; }
  bool enabled() const noexcept { return interval_ > 0; }

  // When the open bar completes (INT64_MAX when none is open).
  int64_t due_ns() const noexcept { return open_ ? bar_.open_ts + interval_ : INT64_MAX; }

  // The trade must not be later than due_ns(): the caller closes the bar first.
  void on_trade(int64_t ts, int64_t price, int64_t qty) noexcept {
    if (!open_) {
      const int64_t start = ts - floor_mod(ts, interval_);
      bar_ = Bar{start, price, price, price, price, 0, 0};
      open_ = true;
    }
    bar_.high = std::max(bar_.high, price);
    bar_.low = std::min(bar_.low, price);
    bar_.close = price;
    bar_.volume += qty;
    ++bar_.trades;
  }

  Bar close() noexcept {
    open_ = false;
    return bar_;
  }

 private:
  static int64_t floor_mod(int64_t a, int64_t b) noexcept {
    const int64_t r = a % b;
    return r < 0 ? r + b : r;
  }
  int64_t interval_ = 0;
  bool open_ = false;
  Bar bar_;
};

}  // namespace veloz
