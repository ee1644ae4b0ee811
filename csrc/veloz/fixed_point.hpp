// Exact conversion between Binance decimal strings and integer steps (ticks or lots).
// No floating point anywhere: "61800.30" on a 0.10 grid is exactly 618003.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace veloz {

// A grid of allowed values: step = step_units * 10^-scale. "0.10" -> {scale 1, step_units 1};
// "0.05" -> {2, 5}; "100" -> {0, 100}. Scale is the number of decimals needed to write any value.
struct DecimalGrid {
  int32_t scale = 0;
  int64_t step_units = 1;
};

enum class DecimalStatus : uint8_t {
  ok = 0,
  empty,        // no digits
  bad_char,     // anything but [-]digits[.digits]
  overflow,     // does not fit int64 at the grid's scale
  off_grid,     // not a whole multiple of the step
  zero_step,    // a grid step of zero (e.g. Binance MARKET_LOT_SIZE "0.00000000")
};

const char* describe(DecimalStatus status) noexcept;

// Builds a grid from a step string such as "0.01000000". Trailing zeros do not count toward scale.
DecimalStatus make_grid(std::string_view step, DecimalGrid& out) noexcept;

// Value of `text` in units of 10^-scale, with overflow checks on every digit (the slow path).
DecimalStatus parse_scaled_checked(std::string_view text, int32_t scale, int64_t& out) noexcept;

// Value of `text` in units of 10^-scale. Fails with off_grid if a non-zero digit lies beyond scale.
// Inline fast path: up to 18 digits cannot overflow, so no per-digit check; longer input (rare)
// takes the checked path. It runs twice per price level of every frame.
inline DecimalStatus parse_scaled(std::string_view text, int32_t scale, int64_t& out) noexcept {
  const char* p = text.data();
  const char* end = p + text.size();
  const bool negative = p != end && *p == '-';
  if (negative) ++p;
  uint64_t acc = 0;
  int digits = 0;
  const char* first = p;
  for (; p != end && *p != '.'; ++p) {
    const unsigned digit = static_cast<unsigned>(*p - '0');
    if (digit > 9) return DecimalStatus::bad_char;
    acc = acc * 10 + digit;
    ++digits;
  }
  const bool any_int_digit = p != first;
  int32_t frac_digits = 0;
  if (p != end) {  // at '.'
    ++p;
    if (p == end && !any_int_digit) return DecimalStatus::empty;
    for (; p != end; ++p) {
      const unsigned digit = static_cast<unsigned>(*p - '0');
      if (digit > 9) return DecimalStatus::bad_char;
      if (frac_digits < scale) {
        acc = acc * 10 + digit;
        ++frac_digits;
        ++digits;
      } else if (digit != 0) {
        return DecimalStatus::off_grid;  // finer than the grid's scale
      }
    }
  } else if (!any_int_digit) {
    return DecimalStatus::empty;
  }
  digits += scale - frac_digits;
  if (digits > 18) return parse_scaled_checked(text, scale, out);
  for (; frac_digits < scale; ++frac_digits) acc *= 10;
  out = negative ? -static_cast<int64_t>(acc) : static_cast<int64_t>(acc);
  return DecimalStatus::ok;
}

// Value of `text` in whole steps of `grid`.
inline DecimalStatus parse_steps(std::string_view text, const DecimalGrid& grid, int64_t& out) noexcept {
  int64_t units = 0;
  DecimalStatus status = parse_scaled(text, grid.scale, units);
  if (status != DecimalStatus::ok) return status;
  if (grid.step_units != 1) {
    if (units % grid.step_units != 0) return DecimalStatus::off_grid;
    units /= grid.step_units;
  }
  out = units;
  return DecimalStatus::ok;
}

// Writes steps * step as a decimal with exactly grid.scale decimals; returns the length written.
// `buf` must hold at least 24 bytes. Fails (returns 0) only on overflow.
std::size_t format_steps(int64_t steps, const DecimalGrid& grid, char* buf) noexcept;

}  // namespace veloz
