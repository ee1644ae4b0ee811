#include "veloz/fixed_point.hpp"

#include <cstring>

namespace veloz {

const char* describe(DecimalStatus status) noexcept {
  switch (status) {
    case DecimalStatus::ok: return "ok";
    case DecimalStatus::empty: return "no digits";
    case DecimalStatus::bad_char: return "not a plain decimal number";
    case DecimalStatus::overflow: return "too large for a 64-bit fixed-point value";
    case DecimalStatus::off_grid: return "not a multiple of the step";
    case DecimalStatus::zero_step: return "step is zero";
  }
  return "unknown";
}

DecimalStatus parse_scaled_checked(std::string_view text, int32_t scale, int64_t& out) noexcept {
  const char* p = text.data();
  const char* end = p + text.size();
  bool negative = false;
  if (p != end && *p == '-') {
    negative = true;
    ++p;
  }
  uint64_t acc = 0;
  bool any_digit = false;
  constexpr uint64_t limit = static_cast<uint64_t>(INT64_MAX);
  for (; p != end && *p != '.'; ++p) {
    const unsigned digit = static_cast<unsigned>(*p - '0');
    if (digit > 9) return DecimalStatus::bad_char;
    any_digit = true;
    if (acc > (limit - digit) / 10) return DecimalStatus::overflow;
    acc = acc * 10 + digit;
  }
  int32_t frac_digits = 0;
  if (p != end) {  // at '.'
    ++p;
    for (; p != end; ++p) {
      const unsigned digit = static_cast<unsigned>(*p - '0');
      if (digit > 9) return DecimalStatus::bad_char;
      any_digit = true;
      if (frac_digits < scale) {
        if (acc > (limit - digit) / 10) return DecimalStatus::overflow;
        acc = acc * 10 + digit;
        ++frac_digits;
      } else if (digit != 0) {
        return DecimalStatus::off_grid;  // finer than the grid's scale
      }
    }
  }
  if (!any_digit) return DecimalStatus::empty;
  for (; frac_digits < scale; ++frac_digits) {
    if (acc > limit / 10) return DecimalStatus::overflow;
    acc *= 10;
  }
  out = negative ? -static_cast<int64_t>(acc) : static_cast<int64_t>(acc);
  return DecimalStatus::ok;
}

DecimalStatus make_grid(std::string_view step, DecimalGrid& out) noexcept {
  // Scale = decimals up to the last non-zero fractional digit.
  std::size_t dot = step.find('.');
  int32_t scale = 0;
  if (dot != std::string_view::npos) {
    std::size_t last = step.size();
    while (last > dot + 1 && step[last - 1] == '0') --last;
    scale = static_cast<int32_t>(last - dot - 1);
  }
  if (scale > 18) return DecimalStatus::overflow;
  int64_t units = 0;
  DecimalStatus status = parse_scaled(step, scale, units);
  if (status != DecimalStatus::ok) return status;
  if (units < 0) return DecimalStatus::bad_char;
  if (units == 0) return DecimalStatus::zero_step;
  out.scale = scale;
  out.step_units = units;
  return DecimalStatus::ok;
}

std::size_t format_steps(int64_t steps, const DecimalGrid& grid, char* buf) noexcept {
  int64_t units = 0;
  if (__builtin_mul_overflow(steps, grid.step_units, &units) || units == INT64_MIN) return 0;
  const bool negative = units < 0;
  uint64_t magnitude = static_cast<uint64_t>(negative ? -units : units);
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  while (n <= grid.scale) digits[n++] = '0';  // at least one integer digit
  std::size_t len = 0;
  if (negative) buf[len++] = '-';
  for (int i = n - 1; i >= 0; --i) {
    buf[len++] = digits[i];
    if (i == grid.scale && i != 0) buf[len++] = '.';
  }
  return len;
}

}  // namespace veloz
