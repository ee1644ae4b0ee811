// Latency between the strategy and the simulated venue: constant, or drawn from a seeded
// distribution. Draws are deterministic for a seed, and arrivals on one path never overtake each
// other (a TCP connection delivers in order), so a later command cannot arrive first.
#pragma once
#include <cmath>
#include <cstdint>

namespace veloz {

enum class LatencyKind : uint8_t {
  constant = 0,    // always base_ns
  uniform = 1,     // base_ns + U[0, spread_ns)
  lognormal = 2,   // base_ns + exp(N(mu, sigma)) ns, the usual shape of network tails
};

struct LatencyConfig {
  LatencyKind kind = LatencyKind::constant;
  int64_t base_ns = 0;
  int64_t spread_ns = 0;  // uniform: width of the added range
  double mu = 0.0;        // lognormal: parameters of the underlying normal, in ln(ns)
  double sigma = 0.0;
};

// splitmix64: tiny, fast, statistically solid for simulation, and identical on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) noexcept : state_(seed) {}
  uint64_t next() noexcept {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1) with 53 random bits.
  double next_unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t state_;
};

class LatencyModel {
 public:
  LatencyModel(const LatencyConfig& config, uint64_t seed) noexcept : config_(config), rng_(seed) {}

  // Arrival time of something sent at `sent_ns`, never before the previous arrival on this path.
  int64_t arrival(int64_t sent_ns) noexcept {
    int64_t at = sent_ns + draw();
    if (at < last_arrival_) at = last_arrival_;
    last_arrival_ = at;
    return at;
  }

  int64_t draw() noexcept {
    switch (config_.kind) {
      case LatencyKind::constant:
        return config_.base_ns;
      case LatencyKind::uniform:
        return config_.base_ns + (config_.spread_ns > 0 ? static_cast<int64_t>(rng_.next() %
                                                          static_cast<uint64_t>(config_.spread_ns)) : 0);
      case LatencyKind::lognormal: {
        // Box-Muller from two uniforms; u1 is kept away from 0 for the log.
        const double u1 = 1.0 - rng_.next_unit();
        const double u2 = rng_.next_unit();
        const double normal = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
        return config_.base_ns + static_cast<int64_t>(std::exp(config_.mu + config_.sigma * normal));
      }
    }
    return config_.base_ns;
  }

  const LatencyConfig& config() const noexcept { return config_; }

 private:
  LatencyConfig config_;
  SplitMix64 rng_;
  int64_t last_arrival_ = INT64_MIN;
};

}  // namespace veloz
