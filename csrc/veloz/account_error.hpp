// The error accounting raises for bad input (unknown instrument or asset, non-positive quantity,
// a placement the free balance cannot cover, ...). It is always thrown before anything changes.
#pragma once
#include <stdexcept>
#include <string>

namespace veloz {

class AccountError : public std::invalid_argument {
 public:
  explicit AccountError(const std::string& message) : std::invalid_argument(message) {}
};

}  // namespace veloz
