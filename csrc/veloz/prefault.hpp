// Reserving vector capacity that is touched now, so later growth up to it takes no page faults
// (a first touch of fresh memory costs microseconds per 4 KiB page on some virtual machines).
#pragma once
#include <cstddef>
#include <vector>

namespace veloz {

template <typename T>
void reserve_prefaulted(std::vector<T>& items, std::size_t capacity) {
  if (capacity <= items.capacity()) return;
  const std::size_t in_use = items.size();
  items.resize(capacity);  // constructs (writes) every element of the new block
  items.resize(in_use);
}

}  // namespace veloz
