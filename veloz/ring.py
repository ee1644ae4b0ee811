"""Lock-free single-producer / single-consumer ring of fixed-size records.

A C++ thread (a feed handler, or :class:`RingProducerThread` in tests and benchmarks) publishes
records in batches; Python drains them in bulk into numpy structured arrays, one call per batch,
never a Python object per record.

    ring = SpscRing(65536, SEQUENCED_RECORD_DTYPE)   # capacity must be a power of two
    producer = RingProducerThread(ring, count=1_000_000, batch=64)
    producer.start()
    while True:
        done = producer.done                          # read before draining: see below
        rows = ring.drain(65536)                      # numpy structured array, maybe empty
        if rows.size:
            handle(rows["seq"], rows["price"])
        elif done:
            break                                     # empty after done: nothing more will come
    producer.join()

Exactly one thread may produce (``push`` or one running :class:`RingProducerThread`) and one
thread may consume (``drain`` or :func:`consume_and_verify`) at a time; the ring raises
RuntimeError when a second producer or consumer would start while one is running without the GIL.
"""

from __future__ import annotations

# Re-exported as is: the compiled classes are the public API, so push/drain cost no extra call.
from veloz._native.ring import (
    SEQUENCED_RECORD_DTYPE,
    RingProducerThread,
    SpscRing,
    consume_and_verify,
)

__all__ = ["SEQUENCED_RECORD_DTYPE", "RingProducerThread", "SpscRing", "consume_and_verify"]
