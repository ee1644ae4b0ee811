#include "veloz/json_scanner.hpp"

#include <cstring>

namespace veloz {

namespace {
constexpr int kMaxDepth = 32;
inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
}  // namespace

bool JsonScanner::expect(char c) noexcept {
  skip_ws();
  if (p_ == end_ || *p_ != c) return fail(c == '{' ? "expected an object" : c == '[' ? "expected an array" : c == ':' ? "expected ':'" : "unexpected character");
  ++p_;
  return true;
}

char JsonScanner::peek() noexcept {
  skip_ws();
  return p_ == end_ ? '\0' : *p_;
}

bool JsonScanner::at_end() noexcept {
  skip_ws();
  return p_ == end_;
}

bool JsonScanner::read_string(std::string_view& out) noexcept {
  skip_ws();
  if (p_ == end_ || *p_ != '"') return fail("expected a string");
  const char* start = ++p_;
  while (true) {
    // Fast scan to the next quote or backslash.
    while (p_ != end_ && *p_ != '"' && *p_ != '\\') {
      if (static_cast<unsigned char>(*p_) < 0x20) return fail("control character in string");
      ++p_;
    }
    if (p_ == end_) return fail("unterminated string");
    if (*p_ == '"') break;
    ++p_;  // backslash
    if (p_ == end_) return fail("unterminated string");
    const char esc = *p_++;
    if (esc == 'u') {
      for (int i = 0; i < 4; ++i, ++p_) {
        if (p_ == end_) return fail("unterminated string");
        const char h = *p_;
        if (!(is_digit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) return fail("bad \\u escape");
      }
    } else if (std::strchr("\"\\/bfnrt", esc) == nullptr || esc == '\0') {
      return fail("bad escape in string");
    }
  }
  out = std::string_view(start, static_cast<std::size_t>(p_ - start));
  ++p_;
  return true;
}

bool JsonScanner::read_int(int64_t& out) noexcept {
  skip_ws();
  bool negative = false;
  if (p_ != end_ && *p_ == '-') {
    negative = true;
    ++p_;
  }
  if (p_ == end_ || !is_digit(*p_)) return fail("expected an integer");
  uint64_t acc = 0;
  while (p_ != end_ && is_digit(*p_)) {
    const unsigned digit = static_cast<unsigned>(*p_ - '0');
    if (acc > (static_cast<uint64_t>(INT64_MAX) - digit) / 10) return fail("integer out of range");
    acc = acc * 10 + digit;
    ++p_;
  }
  if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return fail("expected an integer");
  out = negative ? -static_cast<int64_t>(acc) : static_cast<int64_t>(acc);
  return true;
}

bool JsonScanner::skip_literal(std::string_view word) noexcept {
  if (static_cast<std::size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) {
    return fail("invalid literal");
  }
  p_ += word.size();
  return true;
}

bool JsonScanner::read_bool(bool& out) noexcept {
  skip_ws();
  if (p_ != end_ && *p_ == 't') {
    out = true;
    return skip_literal("true");
  }
  if (p_ != end_ && *p_ == 'f') {
    out = false;
    return skip_literal("false");
  }
  return fail("expected true or false");
}

bool JsonScanner::skip_number() noexcept {
  if (p_ != end_ && *p_ == '-') ++p_;
  if (p_ == end_ || !is_digit(*p_)) return fail("invalid number");
  while (p_ != end_ && is_digit(*p_)) ++p_;
  if (p_ != end_ && *p_ == '.') {
    ++p_;
    if (p_ == end_ || !is_digit(*p_)) return fail("invalid number");
    while (p_ != end_ && is_digit(*p_)) ++p_;
  }
  if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
    ++p_;
    if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ == end_ || !is_digit(*p_)) return fail("invalid number");
    while (p_ != end_ && is_digit(*p_)) ++p_;
  }
  return true;
}

bool JsonScanner::more(char close, bool first) noexcept {
  skip_ws();
  if (p_ == end_) return fail("unexpected end of message");
  if (*p_ == close) {
    ++p_;
    return false;
  }
  if (!first) {
    if (*p_ != ',') return fail("expected ',' or a closing bracket");
    ++p_;
    skip_ws();
    if (p_ != end_ && *p_ == close) return fail("trailing comma");
  }
  return true;
}

bool JsonScanner::skip_value() noexcept { return skip_value_at_depth(0); }

bool JsonScanner::skip_value_at_depth(int depth) noexcept {
  if (depth > kMaxDepth) return fail("nesting too deep");
  skip_ws();
  if (p_ == end_) return fail("unexpected end of message");
  std::string_view ignored;
  switch (*p_) {
    case '"':
      return read_string(ignored);
    case '{': {
      ++p_;
      for (bool first = true; more('}', first); first = false) {
        if (!read_string(ignored) || !expect(':') || !skip_value_at_depth(depth + 1)) return false;
      }
      return error_ == nullptr;
    }
    case '[': {
      ++p_;
      for (bool first = true; more(']', first); first = false) {
        if (!skip_value_at_depth(depth + 1)) return false;
      }
      return error_ == nullptr;
    }
    case 't':
      return skip_literal("true");
    case 'f':
      return skip_literal("false");
    case 'n':
      return skip_literal("null");
    default:
      return skip_number();
  }
}

}  // namespace veloz
