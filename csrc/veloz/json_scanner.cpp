#include "veloz/json_scanner.hpp"

namespace veloz {

namespace {
constexpr int kMaxDepth = 32;
}  // namespace

namespace {

unsigned hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return static_cast<unsigned>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<unsigned>(c - 'a' + 10);
  return static_cast<unsigned>(c - 'A' + 10);
}

unsigned read_hex4(const char* p) noexcept {
  return (hex_value(p[0]) << 12) | (hex_value(p[1]) << 8) | (hex_value(p[2]) << 4) | hex_value(p[3]);
}

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

}  // namespace

void json_unescape(std::string_view raw, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    const char esc = raw[++i];
    switch (esc) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        unsigned code = read_hex4(raw.data() + i + 1);
        i += 4;
        if (code >= 0xD800 && code <= 0xDBFF && i + 6 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') {
          const unsigned low = read_hex4(raw.data() + i + 3);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;  // a lone surrogate
        append_utf8(out, code);
        break;
      }
      default: out.push_back(esc); break;  // \" \\ \/
    }
  }
}

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
