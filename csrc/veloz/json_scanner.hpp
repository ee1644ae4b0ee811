// A strict, allocation-free JSON pull scanner over one message. It validates what it skips, so a
// truncated or malformed frame is always reported, never half-read.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace veloz {

class JsonScanner {
 public:
  JsonScanner(const char* data, std::size_t size) noexcept : p_(data), end_(data + size) {}

  // All functions return false on a syntax error and record a reason (see error()).
  bool expect(char c) noexcept;
  // Peeks the next significant character (after white space); '\0' at the end of input.
  char peek() noexcept;
  // Reads a string; `out` views its raw content (escapes validated but not decoded).
  bool read_string(std::string_view& out) noexcept;
  bool read_int(int64_t& out) noexcept;
  bool read_bool(bool& out) noexcept;
  bool skip_value() noexcept;
  // Object/array iteration: after '{' or '[', call more() before each member/element.
  // more() consumes ',' between items and the closing bracket at the end (returns false then).
  bool more(char close, bool first) noexcept;
  // True when only white space is left.
  bool at_end() noexcept;

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
  void skip_ws() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool skip_value_at_depth(int depth) noexcept;
  bool skip_number() noexcept;
  bool skip_literal(std::string_view word) noexcept;

  const char* p_;
  const char* end_;
  const char* error_ = nullptr;
};

}  // namespace veloz
