// A strict, allocation-free JSON pull scanner over one message. It validates what it skips, so a
// truncated or malformed frame is always reported, never half-read. The per-token members are
// inline: they run several times per price level of every frame.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace veloz {

// Decodes the escapes of a raw JSON string body (validated by JsonScanner) into UTF-8.
// Lone surrogates become U+FFFD. Only needed when the body contains a backslash.
void json_unescape(std::string_view raw, std::string& out);

class JsonScanner {
 public:
  JsonScanner(const char* data, std::size_t size) noexcept : p_(data), end_(data + size) {}

  // All functions return false on a syntax error and record a reason (see error()).
  bool expect(char c) noexcept {
    skip_ws();
    if (p_ == end_ || *p_ != c) return fail(expected_reason(c));
    ++p_;
    return true;
  }
  // Peeks the next significant character (after white space); '\0' at the end of input.
  char peek() noexcept {
    skip_ws();
    return p_ == end_ ? '\0' : *p_;
  }
  // Reads a string; `out` views its raw content (escapes validated but not decoded).
  bool read_string(std::string_view& out) noexcept {
    skip_ws();
    if (p_ == end_ || *p_ != '"') return fail("expected a string");
    const char* start = ++p_;
    while (p_ != end_) {
      const char c = *p_;
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c == '\\' || static_cast<unsigned char>(c) < 0x20) return read_string_slow(start, out);
      ++p_;
    }
    return fail("unterminated string");
  }
  bool read_int(int64_t& out) noexcept {
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
  bool read_bool(bool& out) noexcept;
  bool skip_value() noexcept;
  // Object/array iteration: after '{' or '[', call more() before each member/element.
  // more() consumes ',' between items and the closing bracket at the end (returns false then).
  bool more(char close, bool first) noexcept {
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
  // True when only white space is left.
  bool at_end() noexcept {
    skip_ws();
    return p_ == end_;
  }

  const char* error() const noexcept { return error_; }
  // Lets a caller retry a value after a typed read failed on well-formed JSON.
  const char* position() const noexcept { return p_; }
  void rewind(const char* position) noexcept {
    p_ = position;
    error_ = nullptr;
  }
  std::size_t offset(const char* begin) const noexcept { return static_cast<std::size_t>(p_ - begin); }
  bool fail(const char* reason) noexcept {
    if (error_ == nullptr) error_ = reason;
    return false;
  }

 private:
  static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
  static const char* expected_reason(char c) noexcept;
  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool read_string_slow(const char* start, std::string_view& out) noexcept;
  bool skip_value_at_depth(int depth) noexcept;
  bool skip_number() noexcept;
  bool skip_literal(std::string_view word) noexcept;

  const char* p_;
  const char* end_;
  const char* error_ = nullptr;
};

}  // namespace veloz
