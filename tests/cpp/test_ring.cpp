// Native tests for the SPSC ring and its producer thread; main() returns non-zero on failure.
// Meant to run under ASan+UBSan and TSan as well (see tests/cpp/CMakeLists.txt): the two-thread
// tests are what let TSan prove the acquire/release pairs order the record bytes.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "veloz/ring_producer.hpp"
#include "veloz/spsc_ring.hpp"

namespace {

int g_failures = 0;

#define CHECK(cond)                                                             \
  do {                                                                          \
    if (!(cond)) {                                                              \
      ++g_failures;                                                             \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                           \
  } while (0)

#define CHECK_EQ(actual, expected)                                                         \
  do {                                                                                     \
    const auto actual_value = (actual);                                                    \
    const auto expected_value = (expected);                                                \
    if (!(actual_value == expected_value)) {                                               \
      ++g_failures;                                                                        \
      std::fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %s (got %lld, expected %lld)\n", \
                   __FILE__, __LINE__, #actual, #expected,                                 \
                   static_cast<long long>(actual_value),                                   \
                   static_cast<long long>(expected_value));                                \
    }                                                                                      \
  } while (0)

template <typename Exception, typename Fn>
bool throws(Fn&& fn) {
  try {
    fn();
  } catch (const Exception&) {
    return true;
  } catch (...) {
    return false;
  }
  return false;
}

// A record size that is neither a power of two nor a multiple of 8, so slot arithmetic and
// the two-run copies are exercised with unaligned offsets.
constexpr std::size_t kOddRecordSize = 13;

std::array<unsigned char, kOddRecordSize> odd_record(uint64_t seq) {
  std::array<unsigned char, kOddRecordSize> bytes{};
  std::memcpy(bytes.data(), &seq, sizeof seq);
  for (std::size_t i = sizeof seq; i < kOddRecordSize; ++i)
    bytes[i] = static_cast<unsigned char>(seq * 31 + i);
  return bytes;
}

void test_constructor_validation() {
  using veloz::RawSpscRing;
  CHECK(throws<std::invalid_argument>([] { RawSpscRing ring(64, 0); }));
  CHECK(throws<std::invalid_argument>([] { RawSpscRing ring(64, 3); }));
  CHECK(throws<std::invalid_argument>([] { RawSpscRing ring(64, 1000); }));
  CHECK(throws<std::invalid_argument>([] { RawSpscRing ring(0, 16); }));
  CHECK(throws<std::invalid_argument>([] { RawSpscRing ring(SIZE_MAX / 2, 4); }));
  RawSpscRing single(8, 1);
  CHECK_EQ(single.capacity(), 1u);
  CHECK_EQ(single.record_size(), 8u);
  RawSpscRing ring(64, 1024);
  CHECK_EQ(reinterpret_cast<std::uintptr_t>(ring.write_slot(0)) % veloz::kCacheLineSize, 0u);
}

void test_full_and_empty_edges() {
  veloz::RawSpscRing ring(kOddRecordSize, 8);
  std::array<unsigned char, kOddRecordSize> out{};
  CHECK_EQ(ring.read_available(), 0u);
  CHECK_EQ(ring.consume(out.data(), 4), 0u);
  CHECK_EQ(ring.size_approx(), 0u);
  for (uint64_t seq = 0; seq < 8; ++seq) CHECK(ring.try_push(odd_record(seq).data()));
  CHECK(!ring.try_push(odd_record(99).data()));
  CHECK_EQ(ring.try_reserve(1), 0u);
  CHECK_EQ(ring.size_approx(), 8u);
  CHECK_EQ(ring.read_available(), 8u);
  // Freeing one slot admits exactly one more record.
  CHECK_EQ(ring.consume(out.data(), 1), 1u);
  CHECK(out == odd_record(0));
  CHECK_EQ(ring.try_reserve(5), 1u);
  CHECK(ring.try_push(odd_record(8).data()));
  CHECK(!ring.try_push(odd_record(99).data()));
  std::vector<unsigned char> all(8 * kOddRecordSize);
  CHECK_EQ(ring.consume(all.data(), 100), 8u);
  for (uint64_t i = 0; i < 8; ++i)
    CHECK(std::memcmp(all.data() + i * kOddRecordSize, odd_record(i + 1).data(), kOddRecordSize) == 0);
  CHECK_EQ(ring.consume(all.data(), 100), 0u);
  CHECK_EQ(ring.size_approx(), 0u);
}

// Single-threaded: many laps round the ring with every batch size, through both the copying
// API (push_many/consume) and the in-place one (try_reserve/write_slot/publish, read_slot/release).
void test_wrap_around_single_thread() {
  constexpr std::size_t kCapacity = 16;
  veloz::RawSpscRing ring(kOddRecordSize, kCapacity);
  uint64_t next_in = 0;
  uint64_t next_out = 0;
  std::vector<unsigned char> staging(kCapacity * 2 * kOddRecordSize);
  for (std::size_t round = 0; round < 2000; ++round) {
    const std::size_t want_in = 1 + round % (kCapacity + 3);
    std::size_t pushed = 0;
    if (round % 2 == 0) {
      for (std::size_t i = 0; i < want_in; ++i)
        std::memcpy(staging.data() + i * kOddRecordSize, odd_record(next_in + i).data(), kOddRecordSize);
      pushed = ring.push_many(staging.data(), want_in);
    } else {
      pushed = ring.try_reserve(want_in);
      for (std::size_t i = 0; i < pushed; ++i)
        std::memcpy(ring.write_slot(i), odd_record(next_in + i).data(), kOddRecordSize);
      ring.publish(pushed);
    }
    CHECK(pushed <= want_in);
    CHECK(next_in - next_out + pushed <= kCapacity);
    // A shortfall only happens when the ring is full.
    if (pushed < want_in) CHECK_EQ(next_in + pushed - next_out, kCapacity);
    next_in += pushed;

    const std::size_t want_out = 1 + (round * 7) % (kCapacity + 5);
    std::size_t popped = 0;
    if (round % 3 == 0) {
      const std::size_t available = ring.read_available(want_out);
      popped = available < want_out ? available : want_out;
      for (std::size_t i = 0; i < popped; ++i)
        CHECK(std::memcmp(ring.read_slot(i), odd_record(next_out + i).data(), kOddRecordSize) == 0);
      ring.release(popped);
    } else {
      popped = ring.consume(staging.data(), want_out);
      for (std::size_t i = 0; i < popped; ++i)
        CHECK(std::memcmp(staging.data() + i * kOddRecordSize, odd_record(next_out + i).data(),
                          kOddRecordSize) == 0);
    }
    if (popped < want_out) CHECK_EQ(next_out + popped, next_in);
    next_out += popped;
    CHECK_EQ(ring.size_approx(), next_in - next_out);
  }
  CHECK(next_out > 10 * kCapacity);  // really did lap the ring many times
}

struct Tick {
  uint64_t seq;
  uint32_t check;
};

void test_typed_ring() {
  veloz::SpscRing<Tick> ring(4);
  CHECK_EQ(ring.capacity(), 4u);
  for (uint32_t i = 0; i < 4; ++i) CHECK(ring.try_push(Tick{i, i * 5u}));
  CHECK(!ring.try_push(Tick{9, 9}));
  Tick out[4]{};
  CHECK_EQ(ring.consume(out, 3), 3u);
  CHECK_EQ(out[2].seq, 2u);
  CHECK_EQ(out[2].check, 10u);
  CHECK_EQ(ring.read_available(), 1u);
  CHECK_EQ(ring.read_slot(0)->seq, 3u);
  ring.release(1);
  CHECK_EQ(ring.try_reserve(10), 4u);
  for (uint32_t i = 0; i < 4; ++i) *ring.write_slot(i) = Tick{100u + i, i};
  ring.publish(4);
  CHECK_EQ(ring.consume(out, 4), 4u);
  CHECK_EQ(out[0].seq, 100u);
  CHECK_EQ(out[3].seq, 103u);
}

// Two std::threads on the raw API: the producer varies its batch, the consumer its drain size,
// so every wrap-around split happens; every byte of every record is checked in order.
void test_two_threads_raw(uint64_t count) {
  constexpr std::size_t kCapacity = 256;
  veloz::RawSpscRing ring(kOddRecordSize, kCapacity);
  std::thread producer([&] {
    uint64_t next = 0;
    std::size_t batch = 1;
    while (next < count) {
      const uint64_t remaining = count - next;
      const std::size_t wanted = remaining < batch ? static_cast<std::size_t>(remaining) : batch;
      const std::size_t granted = ring.try_reserve(wanted);
      if (granted == 0) {
        std::this_thread::yield();
        continue;
      }
      for (std::size_t i = 0; i < granted; ++i)
        std::memcpy(ring.write_slot(i), odd_record(next + i).data(), kOddRecordSize);
      ring.publish(granted);
      next += granted;
      batch = batch % 97 + 1;
    }
  });
  uint64_t consumed = 0;
  uint64_t corrupt = 0;
  std::vector<unsigned char> buffer(kCapacity * kOddRecordSize);
  std::size_t drain = 1;
  while (consumed < count) {
    const std::size_t got = ring.consume(buffer.data(), drain);
    if (got == 0) {
      std::this_thread::yield();
      continue;
    }
    for (std::size_t i = 0; i < got; ++i)
      if (std::memcmp(buffer.data() + i * kOddRecordSize, odd_record(consumed + i).data(), kOddRecordSize) != 0)
        ++corrupt;
    consumed += got;
    drain = drain % kCapacity + 1;
  }
  producer.join();
  CHECK_EQ(consumed, count);
  CHECK_EQ(corrupt, 0u);
  CHECK_EQ(ring.read_available(), 0u);
}

void test_producer_thread_sequence(uint64_t count, std::size_t capacity, std::size_t batch) {
  veloz::RawSpscRing ring(sizeof(veloz::SequencedRecord), capacity);
  veloz::RingProducerThread producer(ring, count, batch);
  producer.start();
  const veloz::SequenceCheck check = veloz::consume_and_verify(ring, producer, 512);
  producer.join();
  CHECK_EQ(check.consumed, count);
  CHECK_EQ(check.mismatches, 0u);
  CHECK_EQ(producer.written(), count);
  CHECK(producer.done());
}

// The Python binding's consumer path: consume() copies into a caller buffer.
void test_producer_thread_with_copying_consumer(uint64_t count) {
  veloz::RawSpscRing ring(sizeof(veloz::SequencedRecord), 1024);
  veloz::RingProducerThread producer(ring, count, 64);
  producer.start();
  std::vector<veloz::SequencedRecord> buffer(700);
  int64_t expected_seq = 0;
  uint64_t mismatches = 0;
  for (;;) {
    const bool done = producer.done();
    const std::size_t got = ring.consume(buffer.data(), buffer.size());
    if (got == 0) {
      if (done) break;
      std::this_thread::yield();
      continue;
    }
    for (std::size_t i = 0; i < got; ++i) {
      const veloz::SequencedRecord expected = veloz::make_sequenced_record(expected_seq++);
      if (std::memcmp(&buffer[i], &expected, sizeof expected) != 0) ++mismatches;
    }
  }
  producer.join();
  CHECK_EQ(static_cast<uint64_t>(expected_seq), count);
  CHECK_EQ(mismatches, 0u);
}

void test_producer_stop_mid_stream() {
  veloz::RawSpscRing ring(sizeof(veloz::SequencedRecord), 64);
  veloz::RingProducerThread producer(ring, veloz::kMaxSequencedCount, 16);
  producer.start();
  std::vector<veloz::SequencedRecord> buffer(64);
  uint64_t consumed = 0;
  while (consumed < 10'000) {
    const std::size_t got = ring.consume(buffer.data(), buffer.size());
    if (got == 0) std::this_thread::yield();
    consumed += got;
  }
  producer.stop();
  producer.join();
  CHECK(producer.done());
  const uint64_t written = producer.written();
  CHECK(written >= consumed);
  CHECK(written < veloz::kMaxSequencedCount);
  // Whatever was published before the stop is intact and continues the sequence.
  const veloz::SequenceCheck rest = veloz::consume_and_verify(ring, producer, 8, static_cast<int64_t>(consumed));
  CHECK_EQ(rest.mismatches, 0u);
  CHECK_EQ(consumed + rest.consumed, written);
}

void test_destructor_stops_blocked_producer() {
  veloz::RawSpscRing ring(sizeof(veloz::SequencedRecord), 8);
  {
    veloz::RingProducerThread producer(ring, 1000, 4);
    producer.start();
    while (producer.written() < 8) std::this_thread::yield();
    // Nobody consumes: the thread spins on a full ring until the destructor stops it.
  }
  CHECK_EQ(ring.read_available(), 8u);
}

void test_producer_validation_and_mismatch_detection() {
  veloz::RawSpscRing wrong_size(32, 16);
  CHECK(throws<std::invalid_argument>([&] { veloz::RingProducerThread p(wrong_size, 10, 4); }));
  veloz::RawSpscRing ring(sizeof(veloz::SequencedRecord), 16);
  CHECK(throws<std::invalid_argument>([&] { veloz::RingProducerThread p(ring, 10, 0); }));
  CHECK(throws<std::invalid_argument>([&] { veloz::RingProducerThread p(ring, veloz::kMaxSequencedCount + 1, 4); }));

  // A finished producer with nothing to write, then the main thread produces a corrupted stream.
  veloz::RingProducerThread idle(ring, 0, 4);
  idle.start();
  CHECK(throws<std::logic_error>([&] { idle.start(); }));
  idle.join();
  CHECK(idle.done());
  for (int64_t seq = 0; seq < 5; ++seq) {
    veloz::SequencedRecord record = veloz::make_sequenced_record(seq);
    if (seq == 3) record.price += 1;
    CHECK(ring.try_push(&record));
  }
  const veloz::SequenceCheck check = veloz::consume_and_verify(ring, idle, 2);
  CHECK_EQ(check.consumed, 5u);
  CHECK_EQ(check.mismatches, 1u);
}

}  // namespace

int main(int argc, char** argv) {
  // Sanitizer builds are ~10-50x slower; pass a smaller count there if needed.
  const uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 3'000'000;
  const auto started = std::chrono::steady_clock::now();
  test_constructor_validation();
  test_full_and_empty_edges();
  test_wrap_around_single_thread();
  test_typed_ring();
  test_two_threads_raw(count);
  test_producer_thread_sequence(count, 1024, 64);
  test_producer_thread_sequence(count / 10, 4, 64);   // batch larger than the ring
  test_producer_thread_sequence(count / 10, 1, 1);    // one slot: every record is a handoff
  test_producer_thread_with_copying_consumer(count);
  test_producer_stop_mid_stream();
  test_destructor_stops_blocked_producer();
  test_producer_validation_and_mismatch_detection();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (g_failures != 0) {
    std::fprintf(stderr, "test_ring: %d check(s) failed\n", g_failures);
    return 1;
  }
  std::printf("test_ring: all checks passed (%llu records per threaded test, %.2f s)\n",
              static_cast<unsigned long long>(count), seconds);
  return 0;
}
