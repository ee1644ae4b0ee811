#include "veloz/client_order_id.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "veloz/prefault.hpp"

namespace veloz {

ClientOrderId ClientOrderId::from(std::string_view text) noexcept {
  ClientOrderId id;
  std::memcpy(id.chars, text.data(), std::min(text.size(), kClientOrderIdMaxSize));
  return id;
}

std::string_view ClientOrderId::view() const noexcept {
  std::size_t size = 0;
  while (size < kClientOrderIdMaxSize && chars[size] != '\0') ++size;
  return {chars, size};
}

namespace {

bool is_client_order_id_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == ':' ||
         c == '/' || c == '_' || c == '-';
}

bool all_client_order_id_chars(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), is_client_order_id_char);
}

}  // namespace

bool is_valid_client_order_id(std::string_view text) noexcept {
  return !text.empty() && text.size() <= kClientOrderIdMaxSize && all_client_order_id_chars(text);
}

uint64_t ClientOrderIdRegistry::Entry::hash(const ClientOrderId& key) noexcept {
  uint64_t words[5] = {};  // 40 bytes: the 36 id bytes and 4 zero bytes
  std::memcpy(words, key.chars, kClientOrderIdMaxSize);
  uint64_t h = 0x9E3779B97F4A7C15ULL;
  for (uint64_t word : words) h = mix64(h ^ word);
  return h;
}

ClientOrderIdRegistry::ClientOrderIdRegistry(std::string_view prefix) {
  if (prefix.size() > kMaxPrefixSize || !all_client_order_id_chars(prefix)) {
    throw std::invalid_argument("client order id prefix '" + std::string(prefix) +
                                "' must be at most 16 characters from [.A-Z:/a-z0-9_-]");
  }
  prefix_ = ClientOrderId::from(prefix);
  prefix_size_ = prefix.size();
}

void ClientOrderIdRegistry::reserve(std::size_t ids) {
  reserve_prefaulted(generated_, ids);
  user_ids_.reserve(std::min<std::size_t>(ids, 1024));  // most runs let the engine name orders
}

uint64_t ClientOrderIdRegistry::generated_counter(const ClientOrderId& id) const noexcept {
  const std::string_view text = id.view();
  if (text.size() <= prefix_size_ || text.substr(0, prefix_size_) != prefix()) return 0;
  const std::string_view digits = text.substr(prefix_size_);
  if (digits.size() > 19 || digits[0] == '0') return 0;  // 19 digits cannot overflow
  uint64_t counter = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    counter = counter * 10 + static_cast<uint64_t>(c - '0');
  }
  return counter;
}

uint64_t ClientOrderIdRegistry::find(const ClientOrderId& id) const noexcept {
  const uint64_t counter = generated_counter(id);
  if (counter != 0 && counter <= generated_.size() && generated_[counter - 1] != 0) return generated_[counter - 1];
  const Entry* entry = user_ids_.find(id);
  return entry == nullptr ? 0 : entry->order_id;
}

ClientOrderId ClientOrderIdRegistry::generate(uint64_t order_id) {
  for (;;) {
    ClientOrderId id = prefix_;
    char digits[20];
    std::size_t count = 0;
    for (uint64_t n = generated_.size() + 1; n != 0; n /= 10) digits[count++] = static_cast<char>('0' + n % 10);
    for (std::size_t i = 0; i < count; ++i) id.chars[prefix_size_ + i] = digits[count - 1 - i];
    const bool taken = user_ids_like_generated_ != 0 && user_ids_.find(id) != nullptr;
    generated_.push_back(taken ? 0 : order_id);
    if (!taken) {
      ++generated_count_;
      return id;
    }
  }
}

void ClientOrderIdRegistry::add(const ClientOrderId& id, uint64_t order_id) {
  user_ids_.insert(Entry{id, order_id});
  if (generated_counter(id) != 0) ++user_ids_like_generated_;
}

}  // namespace veloz
