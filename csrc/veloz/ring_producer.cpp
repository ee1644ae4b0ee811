#include "veloz/ring_producer.hpp"

#include <cstring>
#include <stdexcept>

namespace veloz {

namespace {

// Busy-wait briefly (the other side usually frees room within a few hundred ns), then give the
// core away: on a 2-core box the other side of the ring may need this very core to make progress.
void back_off(unsigned& idle_rounds) noexcept {
  constexpr unsigned kSpinRounds = 64;
  if (idle_rounds < kSpinRounds) {
    ++idle_rounds;
    cpu_relax();
  } else {
    std::this_thread::yield();
  }
}

}  // namespace

RingProducerThread::RingProducerThread(RawSpscRing& ring, uint64_t count, std::size_t batch)
    : ring_(ring), count_(count), batch_(batch) {
  if (ring.record_size() != sizeof(SequencedRecord))
    throw std::invalid_argument("RingProducerThread needs a ring of 64-byte records");
  if (batch == 0) throw std::invalid_argument("RingProducerThread batch must be positive");
  if (count > kMaxSequencedCount)
    throw std::invalid_argument("RingProducerThread count is too large (max 2**50)");
}

RingProducerThread::~RingProducerThread() {
  stop();
  join();
}

void RingProducerThread::start() {
  if (started_) throw std::logic_error("RingProducerThread already started");
  thread_ = std::thread([this] { run(); });
  started_ = true;
}

void RingProducerThread::stop() noexcept { stop_requested_.store(true, std::memory_order_relaxed); }

void RingProducerThread::join() noexcept {
  // join() only throws for a self-join or a non-joinable thread, both excluded here.
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void RingProducerThread::run() noexcept {
  uint64_t next = 0;
  unsigned idle_rounds = 0;
  while (next < count_ && !stop_requested_.load(std::memory_order_relaxed)) {
    const uint64_t remaining = count_ - next;
    const std::size_t wanted = remaining < batch_ ? static_cast<std::size_t>(remaining) : batch_;
    const std::size_t granted = ring_.try_reserve(wanted);
    if (granted == 0) {
      back_off(idle_rounds);
      continue;
    }
    idle_rounds = 0;
    for (std::size_t i = 0; i < granted; ++i) {
      const SequencedRecord record = make_sequenced_record(static_cast<int64_t>(next + i));
      std::memcpy(ring_.write_slot(i), &record, sizeof record);
    }
    // One release store makes the whole batch visible.
    ring_.publish(granted);
    next += granted;
    written_.store(next, std::memory_order_release);
  }
  done_.store(true, std::memory_order_release);
}

SequenceCheck consume_and_verify(RawSpscRing& ring, const RingProducerThread& producer,
                                 std::size_t batch, int64_t first_seq) noexcept {
  SequenceCheck check;
  if (batch == 0 || ring.record_size() != sizeof(SequencedRecord) || !producer.started()) return check;
  int64_t expected_seq = first_seq;
  unsigned idle_rounds = 0;
  // Waiting for whole batches keeps the consumer (and its hardware prefetcher) a batch behind
  // the lines the producer is still writing; chasing it record by record made lines bounce
  // between the cores and cost ~5x throughput on the 2-core dev VM.
  const std::size_t full_batch = batch < ring.capacity() ? batch : ring.capacity();
  for (;;) {
    std::size_t available = ring.read_available(full_batch);
    if (available < full_batch) {
      if (!producer.done()) {
        back_off(idle_rounds);
        continue;
      }
      // Done was seen (acquire), so every record is published: take the remainder, if any.
      available = ring.read_available(full_batch);
      if (available == 0) break;
    }
    idle_rounds = 0;
    const std::size_t taken = available < batch ? available : batch;
    for (std::size_t i = 0; i < taken; ++i) {
      SequencedRecord record;
      std::memcpy(&record, ring.read_slot(i), sizeof record);
      const SequencedRecord expected = make_sequenced_record(expected_seq);
      if (std::memcmp(&record, &expected, sizeof record) != 0) ++check.mismatches;
      ++expected_seq;
    }
    ring.release(taken);
    check.consumed += taken;
  }
  return check;
}

}  // namespace veloz
