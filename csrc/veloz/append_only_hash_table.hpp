// Open-addressing hash table for entries that are never erased (client order ids and trade ids
// live for a whole run): linear probing, power-of-two capacity, at most half full. Lookups and
// inserts allocate nothing; an insert into a half-full table doubles it (reserve() avoids that).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace veloz {

// Entry must be trivially copyable and provide:
//   static uint64_t hash(const Key&);  bool holds(const Key&) const;  bool empty() const;
//   Key key() const;
// A value-initialised Entry is empty.
template <typename Entry, typename Key>
class AppendOnlyHashTable {
 public:
  AppendOnlyHashTable() { slots_.resize(kMinCapacity); }

  const Entry* find(const Key& key) const noexcept {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = Entry::hash(key) & mask;; i = (i + 1) & mask) {
      const Entry& slot = slots_[i];
      if (slot.empty()) return nullptr;
      if (slot.holds(key)) return &slot;
    }
  }

  // The entry's key must not be in the table yet.
  void insert(const Entry& entry) {
    if (2 * (size_ + 1) > slots_.size()) rehash(2 * slots_.size());
    place(entry);
    ++size_;
  }

  void reserve(std::size_t entries) {
    std::size_t capacity = slots_.size();
    while (capacity < 2 * entries) capacity *= 2;
    if (capacity != slots_.size()) rehash(capacity);
  }

  std::size_t size() const noexcept { return size_; }

 private:
  static constexpr std::size_t kMinCapacity = 64;

  void place(const Entry& entry) noexcept {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = Entry::hash(entry.key()) & mask;
    while (!slots_[i].empty()) i = (i + 1) & mask;
    slots_[i] = entry;
  }

  void rehash(std::size_t capacity) {
    std::vector<Entry> old(capacity);
    old.swap(slots_);
    for (const Entry& entry : old) {
      if (!entry.empty()) place(entry);
    }
  }

  std::vector<Entry> slots_;
  std::size_t size_ = 0;
};

// The finaliser of splitmix64: spreads every input bit over the whole word.
inline constexpr uint64_t mix64(uint64_t x) noexcept {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

}  // namespace veloz
