// A C++ producer thread feeding a RawSpscRing with batched publish: the pattern feed-handler
// threads follow, and the "real second thread" used by the ring's tests and benchmark.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <type_traits>

#include "veloz/spsc_ring.hpp"

namespace veloz {

// One 64-byte cache line per record. Every field is derived from `seq` (see
// make_sequenced_record) so a consumer can verify content, not just order.
struct SequencedRecord {
  int64_t seq;
  int64_t ts_ns;
  int64_t price;
  int64_t qty;
  int64_t a;
  int64_t b;
  int64_t c;
  int64_t d;
};
static_assert(sizeof(SequencedRecord) == 64);
static_assert(std::is_trivially_copyable_v<SequencedRecord> && std::is_standard_layout_v<SequencedRecord>);

inline constexpr int64_t kSequencedBaseTsNs = 1'700'000'000'000'000'000;
// Keeps every derived field inside int64 (ts_ns grows by 1000 per record).
inline constexpr uint64_t kMaxSequencedCount = uint64_t{1} << 50;

// The content of record number `seq`:
//   ts_ns = 1.7e18 + 1000*seq, price = 3*seq, qty = seq ^ 0x5A5A,
//   a = seq + 1, b = 2*seq, c = -seq, d = ~seq.
constexpr SequencedRecord make_sequenced_record(int64_t seq) noexcept {
  return SequencedRecord{seq,     kSequencedBaseTsNs + seq * 1000, seq * 3, seq ^ 0x5A5A,
                         seq + 1, seq * 2,                         -seq,    ~seq};
}

// Writes records 0..count-1 into `ring` from its own std::thread, reserving and publishing up to
// `batch` records at a time and spinning, then yielding, while the ring is full. The ring must
// outlive this object and no other thread may produce into it while the thread runs.
class RingProducerThread {
 public:
  // Throws std::invalid_argument if the ring's record size is not sizeof(SequencedRecord),
  // batch is 0, or count exceeds kMaxSequencedCount.
  RingProducerThread(RawSpscRing& ring, uint64_t count, std::size_t batch);
  // Stops and joins a running thread: a detached writer into a dead ring would be a use-after-free.
  ~RingProducerThread();

  RingProducerThread(const RingProducerThread&) = delete;
  RingProducerThread& operator=(const RingProducerThread&) = delete;

  // Launches the thread. Throws std::logic_error if already started, std::system_error if the
  // thread cannot be created.
  void start();
  // Asks the thread to finish after its current batch; records already published stay valid.
  void stop() noexcept;
  // Waits for the thread to end; returns at once if it was never started or is already joined.
  void join() noexcept;

  bool started() const noexcept { return started_; }
  // True once the thread has published its last record (all of them, or fewer after stop()).
  bool done() const noexcept { return done_.load(std::memory_order_acquire); }
  // Records published so far.
  uint64_t written() const noexcept { return written_.load(std::memory_order_acquire); }
  uint64_t count() const noexcept { return count_; }
  std::size_t batch() const noexcept { return batch_; }

 private:
  void run() noexcept;

  RawSpscRing& ring_;
  const uint64_t count_;
  const std::size_t batch_;
  bool started_ = false;
  std::thread thread_;
  // Written by the producer thread once per batch: its own line, so polling done() or
  // stop_requested_ does not pull it away from the producer.
  alignas(kCacheLineSize) std::atomic<uint64_t> written_{0};
  alignas(kCacheLineSize) std::atomic<bool> done_{false};
  std::atomic<bool> stop_requested_{false};
};

// Result of consume_and_verify.
struct SequenceCheck {
  uint64_t consumed = 0;
  // Records whose content differs from make_sequenced_record(first_seq + position).
  uint64_t mismatches = 0;
};

// Consumer counterpart for tests and benchmarks: on the calling thread, reads records in place,
// a whole `batch` (or the ring's capacity, if smaller) per release while the producer runs,
// until `producer` is done and the ring is empty, checking every record against the expected
// sequence starting at `first_seq`. `producer` must be started.
SequenceCheck consume_and_verify(RawSpscRing& ring, const RingProducerThread& producer,
                                 std::size_t batch, int64_t first_seq = 0) noexcept;

}  // namespace veloz
