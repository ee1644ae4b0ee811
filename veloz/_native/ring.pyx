# cython: language_level=3, autotestdict=False
"""Lock-free SPSC ring of fixed-size records (csrc/veloz/spsc_ring.hpp) exposed to Python.

Records are moved as raw bytes: the ring holds rows of one numpy dtype and hands them back as
newly allocated numpy structured arrays. Pointers come from the buffer protocol, so no numpy
headers are needed at build time.
"""

cimport cython
from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from libc.stdint cimport int64_t, uint64_t

from ring_decl cimport RawSpscRing, SequenceCheck, SequencedRecord, kMaxSequencedCount
from ring_decl cimport RingProducerThread as CppRingProducerThread
from ring_decl cimport consume_and_verify as cpp_consume_and_verify

import operator

import numpy as np

SEQUENCED_RECORD_DTYPE = np.dtype(
    [(name, np.int64) for name in ("seq", "ts_ns", "price", "qty", "a", "b", "c", "d")]
)
assert SEQUENCED_RECORD_DTYPE.itemsize == sizeof(SequencedRecord)

# Copies this large release the GIL: other Python threads keep running during a multi-MB memcpy,
# while small copies skip the cost of releasing and re-taking it.
cdef size_t _NOGIL_COPY_BYTES = 1 << 20


@cython.final
@cython.auto_pickle(False)  # a ring shared with a running thread has no meaningful copy
cdef class SpscRing:
    """Single-producer / single-consumer ring of ``capacity`` rows of a numpy structured ``dtype``.

    One thread may push (or one RingProducerThread may feed the ring) while one thread drains.
    ``capacity`` must be a power of two; the record size is ``dtype.itemsize``.
    """

    cdef RawSpscRing* _ring
    cdef object _dtype
    cdef object _empty  # sliced for empty drains: np.empty of a structured dtype costs ~0.5 us
    cdef size_t _record_size
    # Set while another thread owns a side (a RingProducerThread, consume_and_verify(), or a
    # large push()/drain() copying without the GIL), so no second producer or consumer can
    # join in by mistake. Only read and written with the GIL held.
    cdef bint _producer_busy
    cdef bint _consumer_busy

    def __cinit__(self, capacity, dtype):
        capacity = operator.index(capacity)
        if capacity <= 0 or capacity & (capacity - 1):
            raise ValueError(f"capacity must be a positive power of two, got {capacity}")
        record_dtype = np.dtype(dtype)
        if record_dtype.names is None:
            raise TypeError(f"ring records need a structured dtype, got {record_dtype}")
        if record_dtype.hasobject:
            raise TypeError("ring records are copied as bytes and cannot hold Python objects")
        if record_dtype.itemsize == 0:
            raise ValueError("ring records must have a non-zero itemsize")
        self._ring = new RawSpscRing(<size_t>record_dtype.itemsize, <size_t>capacity)
        self._dtype = record_dtype
        self._empty = np.empty(0, record_dtype)
        self._record_size = record_dtype.itemsize

    def __init__(self, capacity, dtype):
        """Create an empty ring of ``capacity`` records (a power of two) of ``dtype``."""
        # Everything happens in __cinit__, which runs exactly once; this only gives the
        # constructor an introspectable signature and makes a second __init__ call harmless.

    def __dealloc__(self):
        del self._ring

    @property
    def capacity(self):
        """Maximum number of records held at once (a power of two)."""
        return self._ring.capacity()

    @property
    def record_size(self):
        """Bytes per record, the dtype's itemsize."""
        return self._record_size

    @property
    def dtype(self):
        """The numpy dtype of the records."""
        return self._dtype

    @property
    def size(self):
        """Records pushed but not yet drained (a snapshot; the other side may move on)."""
        return self._ring.size_approx()

    def push(self, records):
        """Push as many leading rows of the 1-D array ``records`` as fit; return how many.

        All rows pushed by one call are published together. ``records.dtype`` must equal the
        ring's dtype.
        """
        if self._producer_busy:
            raise RuntimeError("another thread is producing into this ring (a RingProducerThread "
                               "until it is joined, or a large push() running without the GIL)")
        if not isinstance(records, np.ndarray):
            raise TypeError(f"push() takes a numpy.ndarray, got {type(records).__name__}")
        if records.dtype is not self._dtype and records.dtype != self._dtype:
            raise TypeError(f"records have dtype {records.dtype}, the ring holds {self._dtype}")
        if records.ndim != 1:
            raise ValueError(f"push() takes a 1-D array, got {records.ndim} dimensions")
        if not records.flags.c_contiguous:
            records = np.ascontiguousarray(records)
        cdef Py_buffer view
        cdef size_t pushed
        PyObject_GetBuffer(records, &view, PyBUF_SIMPLE)
        cdef size_t rows = <size_t>view.len // self._record_size
        try:
            if rows * self._record_size >= _NOGIL_COPY_BYTES:
                self._producer_busy = True
                try:
                    with nogil:
                        pushed = self._ring.push_many(view.buf, rows)
                finally:
                    self._producer_busy = False
            else:
                pushed = self._ring.push_many(view.buf, rows)
        finally:
            PyBuffer_Release(&view)
        return pushed

    def drain(self, Py_ssize_t max_records=65536):
        """Copy up to ``max_records`` records out of the ring into a new array and return it.

        The array has the ring's dtype and is empty when nothing was available.
        """
        if max_records < 0:
            raise ValueError(f"max_records must be >= 0, got {max_records}")
        if self._consumer_busy:
            raise RuntimeError("another thread (consume_and_verify() or a drain() without the GIL) "
                               "is draining this ring")
        cdef size_t available = self._ring.read_available(<size_t>max_records)
        cdef size_t rows = available if available < <size_t>max_records else <size_t>max_records
        if rows == 0:
            return self._empty[:0]  # a new 0-length view per call: no caller shares an array object
        out = np.empty(rows, dtype=self._dtype)
        cdef Py_buffer view
        PyObject_GetBuffer(out, &view, PyBUF_SIMPLE | PyBUF_WRITABLE)
        try:
            # The consumer side is ours alone, so all `rows` records are still there.
            if rows * self._record_size >= _NOGIL_COPY_BYTES:
                self._consumer_busy = True
                try:
                    with nogil:
                        self._ring.consume(view.buf, rows)
                finally:
                    self._consumer_busy = False
            else:
                self._ring.consume(view.buf, rows)
        finally:
            PyBuffer_Release(&view)
        return out

    def __repr__(self):
        return (f"SpscRing(capacity={self._ring.capacity()}, dtype={self._dtype!r}, "
                f"size={self._ring.size_approx()})")


@cython.final
@cython.auto_pickle(False)
@cython.no_gc_clear  # the C++ thread writes into _ring until __dealloc__ has joined it
cdef class RingProducerThread:
    """A C++ std::thread writing ``count`` SequencedRecord rows into ``ring``.

    Record ``seq`` (0, 1, ..., count-1) holds ts_ns = 1.7e18 + 1000*seq, price = 3*seq,
    qty = seq ^ 0x5A5A, a = seq + 1, b = 2*seq, c = -seq, d = ~seq. The thread reserves and
    publishes up to ``batch`` records at a time and spins, then yields, while the ring is full.
    The ring's dtype must have itemsize 64 (e.g. SEQUENCED_RECORD_DTYPE).
    """

    cdef CppRingProducerThread* _thread
    cdef SpscRing _ring
    cdef bint _owns_producer_side
    cdef bint _joining

    def __cinit__(self, SpscRing ring not None, count, batch=64):
        count = operator.index(count)
        batch = operator.index(batch)
        if ring._record_size != sizeof(SequencedRecord):
            raise ValueError(
                f"RingProducerThread writes {sizeof(SequencedRecord)}-byte records; "
                f"the ring's records are {ring._record_size} bytes")
        if not 0 <= count <= kMaxSequencedCount:
            raise ValueError(f"count must be in [0, 2**50], got {count}")
        if batch <= 0:
            raise ValueError(f"batch must be positive, got {batch}")
        self._thread = new CppRingProducerThread(ring._ring[0], <uint64_t>count, <size_t>batch)
        self._ring = ring

    def __init__(self, SpscRing ring not None, count, batch=64):
        """Prepare (but do not start) a thread writing ``count`` records, ``batch`` at a time."""
        # Set up in __cinit__ (runs once); see SpscRing.__init__.

    def __dealloc__(self):
        # The C++ destructor stops and joins a running thread before the ring can go away.
        del self._thread
        if self._owns_producer_side:
            self._ring._producer_busy = False

    def start(self):
        """Launch the thread. Raises RuntimeError if already started or if something else is
        producing into the ring."""
        if self._thread.started():
            raise RuntimeError("RingProducerThread already started")
        if self._ring._producer_busy:
            raise RuntimeError("another thread is already producing into this ring")
        self._thread.start()
        self._ring._producer_busy = True
        self._owns_producer_side = True

    def stop(self):
        """Ask the thread to finish after its current batch (records published stay valid)."""
        self._thread.stop()

    def join(self):
        """Wait for the thread to end (the GIL is released meanwhile). Returns at once if it was
        never started or already joined."""
        if self._joining:
            raise RuntimeError("join() is already running in another thread")
        self._joining = True
        try:
            with nogil:
                self._thread.join()
        finally:
            self._joining = False
        if self._owns_producer_side:
            self._ring._producer_busy = False
            self._owns_producer_side = False

    @property
    def written(self):
        """Records published into the ring so far."""
        return self._thread.written()

    @property
    def done(self):
        """True once the thread has published its last record (all, or fewer after stop())."""
        return self._thread.done()

    @property
    def started(self):
        """True once start() has launched the thread."""
        return self._thread.started()

    @property
    def count(self):
        """Records the thread writes unless stopped."""
        return self._thread.count()

    @property
    def batch(self):
        """Most records reserved and published at once."""
        return self._thread.batch()

    @property
    def ring(self):
        """The ring being fed."""
        return self._ring


def consume_and_verify(SpscRing ring not None, RingProducerThread producer not None,
                       batch=4096, first_seq=0):
    """Consume ``ring`` in C++ on this thread, GIL released, until ``producer`` is done and the
    ring is empty, checking every record is the next of the sequence from ``first_seq``.

    Reads in place, a whole ``batch`` (or the ring's capacity, if smaller) per release while the
    producer runs. Returns ``(consumed, mismatches)``. A test and benchmark helper: the pure C++
    consumer path.
    """
    batch = operator.index(batch)
    first_seq = operator.index(first_seq)
    if producer._ring is not ring:
        raise ValueError("producer does not feed this ring")
    if not producer._thread.started():
        raise RuntimeError("start the producer first, or this would wait forever")
    if batch <= 0:
        raise ValueError(f"batch must be positive, got {batch}")
    if ring._consumer_busy:
        raise RuntimeError("another thread is already draining this ring")
    cdef size_t c_batch = batch
    cdef int64_t c_first_seq = first_seq
    cdef SequenceCheck check
    ring._consumer_busy = True
    try:
        with nogil:
            check = cpp_consume_and_verify(ring._ring[0], producer._thread[0], c_batch, c_first_seq)
    finally:
        ring._consumer_busy = False
    return check.consumed, check.mismatches
