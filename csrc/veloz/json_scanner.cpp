#include "veloz/json_scanner.hpp"

namespace veloz {

namespace {
constexpr int kMaxDepth = 32;
}  // namespace

const char* JsonScanner::expected_reason(char c) noexcept {
  switch (c) {
    case '{': return "expected an object";
    case '[': return "expected an array";
    case ':': return "expected ':'";
    default: return "unexpected character";
  }
}

// Strings with escapes or control characters: validate the escapes; `p_` is at the first one.
bool JsonScanner::read_string_slow(const char* start, std::string_view& out) noexcept {
  while (p_ != end_) {
    const char c = *p_;
    if (c == '"') {
      out = std::string_view(start, static_cast<std::size_t>(p_ - start));
      ++p_;
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) return fail("control character in string");
    ++p_;
    if (c != '\\') continue;
    if (p_ == end_) return fail("unterminated string");
    const char esc = *p_++;
    if (esc == 'u') {
      for (int i = 0; i < 4; ++i, ++p_) {
        if (p_ == end_) return fail("unterminated string");
        const char h = *p_;
        if (!(is_digit(h) || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) return fail("bad \\u escape");
      }
    } else if (esc == '\0' || std::strchr("\"\\/bfnrt", esc) == nullptr) {
      return fail("bad escape in string");
    }
  }
  return fail("unterminated string");
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
