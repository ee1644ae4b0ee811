"""SPSC ring, two threads: a C++ producer thread publishes 64-byte SequencedRecords in batches.

Timed twice with the same producer:
  * events / elapsed_s: Python drains into numpy structured arrays (the engine's path), checking
    that every drained batch continues the sequence (first and last seq of each batch);
  * cpp_two_thread_*: a C++ consumer on the calling thread (GIL released) reads every record in
    place and checks all eight fields.
The record stream is a fixed sequence, so `seed` changes nothing.
"""

from __future__ import annotations

import time

from veloz.ring import SEQUENCED_RECORD_DTYPE, RingProducerThread, SpscRing, consume_and_verify

DEFAULT_N = 20_000_000
RING_CAPACITY = 65536  # 4 MiB of 64-byte records
PRODUCER_BATCH = 64  # records reserved and published per release store
PYTHON_DRAIN_MAX = 65536  # at most one ring's worth per drain() call
CPP_CONSUMER_BATCH = 256  # records read in place per release (it waits for whole batches)


def python_consumer(n: int) -> dict[str, float | int]:
    """C++ producer thread -> ring -> Python drain() loop. Returns timing and drain statistics."""
    ring = SpscRing(RING_CAPACITY, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, n, batch=PRODUCER_BATCH)
    drained = 0
    calls = 0
    nonempty_calls = 0
    started = time.perf_counter()
    producer.start()
    while True:
        done = producer.done  # read before draining: empty after done means nothing more comes
        rows = ring.drain(PYTHON_DRAIN_MAX)
        calls += 1
        if rows.size:
            seq = rows["seq"]
            if seq[0] != drained or seq[-1] != drained + rows.size - 1:
                producer.stop()
                producer.join()
                raise RuntimeError(f"sequence broken after {drained} records: got {seq[0]}..{seq[-1]}")
            drained += rows.size
            nonempty_calls += 1
        elif done:
            break
    elapsed = time.perf_counter() - started
    producer.join()
    if drained != n:
        raise RuntimeError(f"drained {drained} of {n} records")
    return {
        "elapsed_s": elapsed,
        "drain_calls": calls,
        "mean_rows_per_drain": round(drained / max(nonempty_calls, 1), 1),
    }


def cpp_consumer(n: int) -> dict[str, float | int]:
    """C++ producer thread -> ring -> C++ consumer (consume_and_verify) on this thread."""
    ring = SpscRing(RING_CAPACITY, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, n, batch=PRODUCER_BATCH)
    started = time.perf_counter()
    producer.start()
    consumed, mismatches = consume_and_verify(ring, producer, batch=CPP_CONSUMER_BATCH)
    elapsed = time.perf_counter() - started
    producer.join()
    if consumed != n or mismatches:
        raise RuntimeError(f"C++ consumer read {consumed} of {n} records, {mismatches} corrupted")
    return {"elapsed_s": elapsed}


def run(n: int, seed: int) -> dict[str, float | int | None]:
    del seed  # deterministic record stream
    python_side = python_consumer(n)
    cpp_side = cpp_consumer(n)
    cpp_elapsed = cpp_side["elapsed_s"]
    return {
        "events": n,
        "elapsed_s": python_side["elapsed_s"],
        "python_drain_calls": python_side["drain_calls"],
        "python_mean_rows_per_drain": python_side["mean_rows_per_drain"],
        "cpp_two_thread_elapsed_s": round(cpp_elapsed, 6),
        "cpp_two_thread_events_per_s": round(n / cpp_elapsed, 1) if cpp_elapsed > 0 else None,
        "record_bytes": SEQUENCED_RECORD_DTYPE.itemsize,
        "ring_capacity": RING_CAPACITY,
        "producer_batch": PRODUCER_BATCH,
    }
