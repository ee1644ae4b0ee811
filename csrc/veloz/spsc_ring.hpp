// Lock-free single-producer / single-consumer ring of fixed-size records.
//
// One thread produces, one thread consumes; nothing else may touch the hot-path functions.
// Indices are monotonically increasing 64-bit counters (they never wrap in practice) and the slot
// of index i is i & (capacity - 1), hence the power-of-two capacity. Storage is allocated once in
// the constructor; the hot path never allocates, locks or throws.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <type_traits>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace veloz {

// Fixed rather than std::hardware_destructive_interference_size: that constant is ABI-unstable
// (GCC warns about it) and 64 bytes is right for every x86-64 and most ARM cores.
inline constexpr std::size_t kCacheLineSize = 64;

// Tells the CPU we are in a spin-wait loop (saves power, frees the sibling hyper-thread).
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

class alignas(kCacheLineSize) RawSpscRing {
 public:
  // Throws std::invalid_argument if record_size is 0, capacity is not a power of two, or the
  // storage size would overflow; std::bad_alloc if the storage cannot be allocated.
  RawSpscRing(std::size_t record_size, std::size_t capacity)
      : record_size_(record_size), capacity_(capacity), mask_(capacity - 1) {
    if (record_size == 0) throw std::invalid_argument("SPSC ring record size must be positive");
    if (capacity == 0 || (capacity & (capacity - 1)) != 0)
      throw std::invalid_argument("SPSC ring capacity must be a power of two");
    if (capacity > std::numeric_limits<std::size_t>::max() / record_size)
      throw std::invalid_argument("SPSC ring capacity * record size overflows");
    // Aligned so that a 64-byte record never straddles two cache lines.
    storage_ = static_cast<unsigned char*>(
        ::operator new(capacity * record_size, std::align_val_t{kCacheLineSize}));
  }

  ~RawSpscRing() { ::operator delete(storage_, std::align_val_t{kCacheLineSize}); }

  // Threads hold references to the ring; moving it would leave them dangling.
  RawSpscRing(const RawSpscRing&) = delete;
  RawSpscRing& operator=(const RawSpscRing&) = delete;

  std::size_t record_size() const noexcept { return record_size_; }
  std::size_t capacity() const noexcept { return capacity_; }

  // Records published but not yet released, as of some moment during the call (the other
  // side may move on at once); never more than capacity. Safe from any thread.
  std::size_t size_approx() const noexcept {
    // Tail first: it can only grow towards head, so the later head read is never below it.
    const std::uint64_t tail = tail_.load(std::memory_order_acquire);
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    const std::uint64_t used = head - tail;
    return used > capacity_ ? capacity_ : static_cast<std::size_t>(used);
  }

  // ---- Producer side ------------------------------------------------------------------------

  // Number of free slots, up to `wanted`, that the producer may fill before publishing.
  // Reads the consumer's index only when the cached copy says there is not enough room.
  std::size_t try_reserve(std::size_t wanted) noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    std::uint64_t free_slots = capacity_ - (head - cached_tail_);
    if (free_slots < wanted) {
      // Acquire: the consumer has finished reading every slot below this tail.
      cached_tail_ = tail_.load(std::memory_order_acquire);
      free_slots = capacity_ - (head - cached_tail_);
    }
    return free_slots < wanted ? static_cast<std::size_t>(free_slots) : wanted;
  }

  // Slot `offset` past the last published record; valid for offset < try_reserve()'s result.
  void* write_slot(std::size_t offset) noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    return storage_ + static_cast<std::size_t>((head + offset) & mask_) * record_size_;
  }

  // Makes the next `count` written slots visible to the consumer in one release store.
  void publish(std::size_t count) noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    head_.store(head + count, std::memory_order_release);
  }

  // Copies one record in and publishes it; false if the ring is full.
  bool try_push(const void* record) noexcept {
    if (try_reserve(1) == 0) return false;
    std::memcpy(write_slot(0), record, record_size_);
    publish(1);
    return true;
  }

  // Copies up to `count` contiguous records from `src` and publishes them together.
  // Returns how many fit.
  std::size_t push_many(const void* src, std::size_t count) noexcept {
    const std::size_t granted = try_reserve(count);
    if (granted == 0) return 0;
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    copy_in(static_cast<std::size_t>(head & mask_), static_cast<const unsigned char*>(src), granted);
    head_.store(head + granted, std::memory_order_release);
    return granted;
  }

  // ---- Consumer side ------------------------------------------------------------------------

  // Number of published records ready to read. Reads the producer's index only when the cached
  // copy shows fewer than `wanted`, so a consumer working through a batch stays off its line.
  std::size_t read_available(std::size_t wanted = 1) noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (cached_head_ - tail < wanted) {
      // Acquire: every record below this head has been fully written.
      cached_head_ = head_.load(std::memory_order_acquire);
    }
    return static_cast<std::size_t>(cached_head_ - tail);
  }

  // Record `offset` past the oldest unreleased one; valid for offset < read_available().
  const void* read_slot(std::size_t offset) const noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    return storage_ + static_cast<std::size_t>((tail + offset) & mask_) * record_size_;
  }

  // Hands the oldest `count` slots back to the producer in one release store.
  void release(std::size_t count) noexcept {
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    tail_.store(tail + count, std::memory_order_release);
  }

  // Copies up to `max_records` records into `dst` (at most two memcpy runs) and releases them.
  // Returns how many were copied.
  std::size_t consume(void* dst, std::size_t max_records) noexcept {
    const std::size_t available = read_available(max_records);
    const std::size_t taken = available < max_records ? available : max_records;
    if (taken == 0) return 0;
    const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    copy_out(static_cast<std::size_t>(tail & mask_), static_cast<unsigned char*>(dst), taken);
    tail_.store(tail + taken, std::memory_order_release);
    return taken;
  }

 private:
  void copy_in(std::size_t first_slot, const unsigned char* src, std::size_t count) noexcept {
    const std::size_t until_end = capacity_ - first_slot;
    const std::size_t first_run = count < until_end ? count : until_end;
    std::memcpy(storage_ + first_slot * record_size_, src, first_run * record_size_);
    if (count > first_run)
      std::memcpy(storage_, src + first_run * record_size_, (count - first_run) * record_size_);
  }

  void copy_out(std::size_t first_slot, unsigned char* dst, std::size_t count) const noexcept {
    const std::size_t until_end = capacity_ - first_slot;
    const std::size_t first_run = count < until_end ? count : until_end;
    std::memcpy(dst, storage_ + first_slot * record_size_, first_run * record_size_);
    if (count > first_run)
      std::memcpy(dst + first_run * record_size_, storage_, (count - first_run) * record_size_);
  }

  // Read-only after construction: shared by both threads without contention.
  alignas(kCacheLineSize) const std::size_t record_size_;
  const std::size_t capacity_;
  const std::uint64_t mask_;
  unsigned char* storage_ = nullptr;

  // Producer's line: written by the producer, read by the consumer only on a cache miss of
  // its own copy. The consumer index is cached here so the producer rarely touches tail_'s line.
  alignas(kCacheLineSize) std::atomic<std::uint64_t> head_{0};
  std::uint64_t cached_tail_ = 0;

  // Consumer's line, mirror image of the producer's. The class alignment pads it to a full
  // line, so whatever is allocated after the ring cannot share it.
  alignas(kCacheLineSize) std::atomic<std::uint64_t> tail_{0};
  std::uint64_t cached_head_ = 0;
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "the ring needs lock-free 64-bit atomics");
static_assert(sizeof(RawSpscRing) == 3 * kCacheLineSize, "constants, producer and consumer lines");

// Typed view over RawSpscRing for trivially copyable records.
template <typename T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>, "records are moved with memcpy");
  static_assert(alignof(T) <= kCacheLineSize, "slots are only guaranteed cache-line alignment");

 public:
  explicit SpscRing(std::size_t capacity) : raw_(sizeof(T), capacity) {}

  std::size_t capacity() const noexcept { return raw_.capacity(); }
  std::size_t size_approx() const noexcept { return raw_.size_approx(); }

  std::size_t try_reserve(std::size_t wanted) noexcept { return raw_.try_reserve(wanted); }
  T* write_slot(std::size_t offset) noexcept { return static_cast<T*>(raw_.write_slot(offset)); }
  void publish(std::size_t count) noexcept { raw_.publish(count); }
  bool try_push(const T& record) noexcept { return raw_.try_push(&record); }
  std::size_t push_many(const T* src, std::size_t count) noexcept { return raw_.push_many(src, count); }

  std::size_t read_available(std::size_t wanted = 1) noexcept { return raw_.read_available(wanted); }
  const T* read_slot(std::size_t offset) const noexcept {
    return static_cast<const T*>(raw_.read_slot(offset));
  }
  void release(std::size_t count) noexcept { raw_.release(count); }
  std::size_t consume(T* dst, std::size_t max_records) noexcept { return raw_.consume(dst, max_records); }

  RawSpscRing& raw() noexcept { return raw_; }

 private:
  RawSpscRing raw_;
};

}  // namespace veloz
