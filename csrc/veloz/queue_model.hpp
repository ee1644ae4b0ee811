// Where a resting order stands in the queue at its price level. Historical data never contains
// our simulated order, so its position is estimated:
//   conservative:  we join behind everything displayed at our price; only trades at our price
//                  move us forward (and the queue ahead can never exceed what is displayed).
//   probabilistic: as conservative, plus a share of every decrease at our level that trades do
//                  not explain (cancellations) is taken from the queue ahead of us:
//                      share_ahead = ahead^n / (ahead^n + behind^n)
//                  n = 1 spreads cancellations in proportion to the quantity on each side of us;
//                  larger n assumes cancellations come mostly from the larger side.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace veloz {

enum class QueueModelKind : uint8_t { conservative = 0, probabilistic = 1 };

struct QueueModelConfig {
  QueueModelKind kind = QueueModelKind::conservative;
  double exponent = 1.0;  // n above
};

// Share of a cancellation at our level that was ahead of us (probabilistic model).
inline double share_ahead(const QueueModelConfig& config, int64_t ahead, int64_t behind) noexcept {
  if (ahead <= 0) return 0.0;
  if (behind <= 0) return 1.0;
  const double a = std::pow(static_cast<double>(ahead), config.exponent);
  const double b = std::pow(static_cast<double>(behind), config.exponent);
  return a / (a + b);
}

// New queue-ahead after the displayed quantity at our price went from `old_qty` to `new_qty`,
// `traded` of which trades at our price already explained (and already advanced us).
inline int64_t queue_after_level_change(const QueueModelConfig& config, int64_t ahead, int64_t old_qty,
                                        int64_t new_qty, int64_t traded) noexcept {
  int64_t result = ahead;
  const int64_t cancelled = (old_qty - new_qty) - traded;
  if (config.kind == QueueModelKind::probabilistic && cancelled > 0) {
    const int64_t behind = std::max<int64_t>(0, old_qty - traded - ahead);
    const double taken = static_cast<double>(cancelled) * share_ahead(config, ahead, behind);
    result -= static_cast<int64_t>(std::llround(taken));
  }
  return std::clamp<int64_t>(result, 0, std::max<int64_t>(new_qty, 0));
}

}  // namespace veloz
