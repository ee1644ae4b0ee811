// What the matching engine and accounting need to know about an instrument, and exact money
// arithmetic: notional and fees as int64 units of 1e-8 of an asset (Binance's 8 decimals).
#pragma once
#include <cstdint>

#include "veloz/book_sync.hpp"
#include "veloz/fixed_point.hpp"

namespace veloz {

inline constexpr int64_t kMoneyUnitsPerAsset = 100'000'000;

// 128-bit intermediates keep price x qty x scale exact; __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 int128;  // 1e8: amounts are in 1e-8 of an asset

struct InstrumentSpec {
  BookMarket market = BookMarket::usdm;
  DecimalGrid price_grid;       // tick
  DecimalGrid qty_grid;         // lot
  int64_t contract_size = 0;    // COIN-M: quote value of one contract (e.g. 100 USD); 0 otherwise
  int64_t maker_fee_rate_e8 = 0;  // fee rate x 1e8: 0.0002 -> 20000; negative = rebate
  int64_t taker_fee_rate_e8 = 0;
};

// Rounds numerator / denominator (denominator > 0) half to even.
inline int64_t divide_round_half_even(int128 numerator, int128 denominator) noexcept {
  int128 quotient = numerator / denominator;
  int128 remainder = numerator % denominator;
  if (remainder < 0) {  // floor division
    remainder += denominator;
    quotient -= 1;
  }
  const int128 twice = remainder * 2;
  if (twice > denominator || (twice == denominator && (quotient & 1) != 0)) quotient += 1;
  return static_cast<int64_t>(quotient);
}

// 10^exponent for 0 <= exponent <= 36.
inline int128 pow10_i128(int exponent) noexcept {
  int128 value = 1;
  for (int i = 0; i < exponent; ++i) value *= 10;
  return value;
}

// price x qty in 1e-8 units of the quote asset (linear instruments), rounded half to even.
inline int64_t linear_notional_e8(const InstrumentSpec& spec, int64_t price_ticks, int64_t qty_lots) noexcept {
  const int128 units = static_cast<int128>(price_ticks) * spec.price_grid.step_units *
                         static_cast<int128>(qty_lots) * spec.qty_grid.step_units;
  const int exponent = 8 - spec.price_grid.scale - spec.qty_grid.scale;  // units are 10^-(ps+qs)
  if (exponent >= 0) return static_cast<int64_t>(units * pow10_i128(exponent));
  return divide_round_half_even(units, pow10_i128(-exponent));
}

// Fee on a notional: notional_e8 x rate_e8 / 1e8, rounded half to even (sign follows the rate).
inline int64_t fee_e8(int64_t notional_e8, int64_t rate_e8) noexcept {
  return divide_round_half_even(static_cast<int128>(notional_e8) * rate_e8, kMoneyUnitsPerAsset);
}

}  // namespace veloz
