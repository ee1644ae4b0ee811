# C++ declarations for the SPSC ring (csrc/veloz/spsc_ring.hpp, csrc/veloz/ring_producer.hpp).
# Kept in a .pxd so other binding modules (feed handlers) can cimport the same declarations.
from libc.stdint cimport int64_t, uint64_t


cdef extern from "veloz/spsc_ring.hpp" namespace "veloz" nogil:
    cdef cppclass RawSpscRing:
        RawSpscRing(size_t record_size, size_t capacity) except +
        size_t record_size() noexcept
        size_t capacity() noexcept
        size_t size_approx() noexcept
        # producer side
        size_t try_reserve(size_t wanted) noexcept
        void* write_slot(size_t offset) noexcept
        void publish(size_t count) noexcept
        bint try_push(const void* record) noexcept
        size_t push_many(const void* src, size_t count) noexcept
        # consumer side
        size_t read_available(size_t wanted) noexcept
        const void* read_slot(size_t offset) noexcept
        void release(size_t count) noexcept
        size_t consume(void* dst, size_t max_records) noexcept


cdef extern from "veloz/ring_producer.hpp" namespace "veloz" nogil:
    cdef struct SequencedRecord:
        int64_t seq
        int64_t ts_ns
        int64_t price
        int64_t qty
        int64_t a
        int64_t b
        int64_t c
        int64_t d

    cdef uint64_t kMaxSequencedCount

    cdef cppclass RingProducerThread:
        RingProducerThread(RawSpscRing& ring, uint64_t count, size_t batch) except +
        void start() except +
        void stop() noexcept
        void join() noexcept
        bint started() noexcept
        bint done() noexcept
        uint64_t written() noexcept
        uint64_t count() noexcept
        size_t batch() noexcept

    cdef struct SequenceCheck:
        uint64_t consumed
        uint64_t mismatches

    SequenceCheck consume_and_verify(RawSpscRing& ring, const RingProducerThread& producer,
                                     size_t batch, int64_t first_seq) noexcept
