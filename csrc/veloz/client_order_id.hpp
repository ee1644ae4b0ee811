// Client order ids: Binance's newClientOrderId (^[\.A-Z\:/a-z0-9_-]{1,36}$) stored inline in 36
// zero-padded bytes, and the registry that keeps them unique for a whole run.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "veloz/append_only_hash_table.hpp"

namespace veloz {

inline constexpr std::size_t kClientOrderIdMaxSize = 36;

// Zero-padded: a 36-character id has no terminating NUL, so read it through view().
struct ClientOrderId {
  char chars[kClientOrderIdMaxSize] = {};

  // Copies up to 36 characters; validate with is_valid_client_order_id first.
  static ClientOrderId from(std::string_view text) noexcept;
  std::string_view view() const noexcept;
  bool operator==(const ClientOrderId& other) const noexcept = default;
};

// True for 1 to 36 characters from [.A-Z:/a-z0-9_-].
bool is_valid_client_order_id(std::string_view text) noexcept;

// Every client order id used in a run, mapped to its order id; ids are never released, so
// reusing a live or finished order's id is detected.
//
// Generated ids are prefix + counter (prefix1, prefix2, ...), skipping ids a user already took,
// so the same calls give the same ids. They are kept in a vector indexed by the counter rather
// than in the hash table: generating one touches no random memory unless a user id looks like a
// generated one.
class ClientOrderIdRegistry {
 public:
  static constexpr std::size_t kMaxPrefixSize = 16;  // + up to 20 digits = 36

  // Throws std::invalid_argument unless the prefix is at most 16 valid characters (may be empty).
  explicit ClientOrderIdRegistry(std::string_view prefix);

  void reserve(std::size_t ids);
  // The order id registered under `id`, or 0.
  uint64_t find(const ClientOrderId& id) const noexcept;
  // Registers the next free generated id under order_id (non-zero) and returns it.
  ClientOrderId generate(uint64_t order_id);
  // Registers a user's id; it must be free (find returned 0) and order_id non-zero.
  void add(const ClientOrderId& id, uint64_t order_id);
  std::string_view prefix() const noexcept { return {prefix_.chars, prefix_size_}; }
  std::size_t size() const noexcept { return user_ids_.size() + generated_count_; }

 private:
  struct Entry {
    ClientOrderId id;
    uint64_t order_id = 0;  // 0 marks an empty slot

    static uint64_t hash(const ClientOrderId& key) noexcept;
    bool holds(const ClientOrderId& key) const noexcept { return id == key; }
    bool empty() const noexcept { return order_id == 0; }
    const ClientOrderId& key() const noexcept { return id; }
  };

  // The counter n if id is prefix + n in the generator's spelling (no leading zeros), else 0.
  uint64_t generated_counter(const ClientOrderId& id) const noexcept;

  AppendOnlyHashTable<Entry, ClientOrderId> user_ids_;
  std::vector<uint64_t> generated_;  // order id by counter - 1; 0 where a user's id was skipped
  std::size_t generated_count_ = 0;
  std::size_t user_ids_like_generated_ = 0;  // while 0, generating needs no hash lookup
  ClientOrderId prefix_;
  std::size_t prefix_size_ = 0;
};

}  // namespace veloz
