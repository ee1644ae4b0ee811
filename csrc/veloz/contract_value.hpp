// Exact values of contracts in the asset they settle in, for accounting: linear (price x qty, in
// the quote asset) and inverse (contracts x contract_size / price, in the coin). Values stay exact
// rationals until a formula is complete, so every accounting operation rounds once (half to even).
#pragma once
#include <cstdint>
#include <stdexcept>

#include "veloz/instrument_spec.hpp"

namespace veloz {

// An exact amount num / den in 1e-8 units of an asset; den > 0.
struct ExactAmount {
  int128 num = 0;
  int128 den = 1;
};

// a x b; throws std::overflow_error rather than wrap (real markets stay far below 2^127).
inline int128 checked_mul(int128 a, int128 b) {
  int128 product = 0;
  if (__builtin_mul_overflow(a, b, &product)) throw std::overflow_error("money arithmetic overflows 128 bits");
  return product;
}

inline int128 checked_add(int128 a, int128 b) {
  int128 sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) throw std::overflow_error("money arithmetic overflows 128 bits");
  return sum;
}

inline int64_t checked_int64(int128 value) {
  if (value > INT64_MAX || value < INT64_MIN) throw std::overflow_error("money amount overflows 64 bits");
  return static_cast<int64_t>(value);
}

// balance + amount and balance - amount for int64 money, throwing rather than wrapping.
inline int64_t add_money(int64_t balance, int64_t amount) { return checked_int64(static_cast<int128>(balance) + amount); }
inline int64_t sub_money(int64_t balance, int64_t amount) { return checked_int64(static_cast<int128>(balance) - amount); }

// amount x multiplier / divisor, still exact; divisor > 0.
inline ExactAmount scaled(ExactAmount amount, int128 multiplier, int128 divisor) {
  return {checked_mul(amount.num, multiplier), checked_mul(amount.den, divisor)};
}

// The one rounding of an operation: to the nearest 1e-8 unit, ties to even.
inline int64_t round_half_even(ExactAmount amount) {
  int128 quotient = amount.num / amount.den;
  int128 remainder = amount.num % amount.den;
  if (remainder < 0) {  // floor division
    remainder += amount.den;
    quotient -= 1;
  }
  const int128 twice = remainder * 2;
  if (twice > amount.den || (twice == amount.den && (quotient & 1) != 0)) quotient += 1;
  return checked_int64(quotient);
}

inline int128 pow10_checked(int exponent) {
  if (exponent < 0 || exponent > 36) throw std::overflow_error("decimal scale out of range");
  return pow10_i128(exponent);
}

// price x qty in 1e-8 of the quote asset (the value linear_notional_e8 rounds).
inline ExactAmount linear_value_exact(const InstrumentSpec& spec, int64_t price_ticks, int64_t qty_lots) {
  const int128 units = checked_mul(checked_mul(price_ticks, spec.price_grid.step_units),
                                   checked_mul(qty_lots, spec.qty_grid.step_units));
  const int exponent = 8 - spec.price_grid.scale - spec.qty_grid.scale;  // units are 10^-(ps+qs)
  if (exponent >= 0) return {checked_mul(units, pow10_checked(exponent)), 1};
  return {units, pow10_checked(-exponent)};
}

// contracts x contract_size / price in 1e-8 of the coin (COIN-M); price_ticks > 0.
inline ExactAmount inverse_value_exact(const InstrumentSpec& spec, int64_t price_ticks, int64_t qty_contracts) {
  const int128 usd = checked_mul(checked_mul(qty_contracts, spec.qty_grid.step_units), spec.contract_size);
  return {checked_mul(usd, pow10_checked(8 + spec.price_grid.scale)),
          checked_mul(checked_mul(price_ticks, spec.price_grid.step_units), pow10_checked(spec.qty_grid.scale))};
}

// What `qty` is worth at `price` in the asset the contract settles in: the quote asset for
// spot and USD-M, the coin for COIN-M.
inline ExactAmount contract_value_exact(const InstrumentSpec& spec, int64_t price_ticks, int64_t qty) {
  return spec.market == BookMarket::coinm ? inverse_value_exact(spec, price_ticks, qty)
                                          : linear_value_exact(spec, price_ticks, qty);
}

inline int64_t inverse_notional_e8(const InstrumentSpec& spec, int64_t price_ticks, int64_t qty_contracts) {
  return round_half_even(inverse_value_exact(spec, price_ticks, qty_contracts));
}

// A base-asset quantity in 1e-8 units; exact because spot lot scales are at most 8.
inline int64_t base_amount_e8(const InstrumentSpec& spec, int64_t qty_lots) {
  const int128 units = checked_mul(qty_lots, spec.qty_grid.step_units);
  return checked_int64(checked_mul(units, pow10_checked(8 - spec.qty_grid.scale)));
}

}  // namespace veloz
