"""SPSC ring: validation, push/drain semantics against a deque model, and sequence integrity
with a real C++ producer thread running while Python drains."""

from __future__ import annotations

import gc
import pickle
import time
from collections import deque

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veloz.ring import SEQUENCED_RECORD_DTYPE, RingProducerThread, SpscRing, consume_and_verify

# 13 bytes: neither a power of two nor 8-aligned, so slot offsets and wrap-around splits are odd.
ODD_DTYPE = np.dtype([("id", "<i8"), ("tag", "u1"), ("px", "<f4")])
BASE_TS_NS = 1_700_000_000_000_000_000
DEADLINE_S = 20.0  # generous bound for the threaded tests on a loaded 2-core box


def odd_rows(first_id: int, count: int) -> npt.NDArray[np.void]:
    rows = np.empty(count, ODD_DTYPE)
    ids = np.arange(first_id, first_id + count, dtype=np.int64)
    rows["id"] = ids
    rows["tag"] = ids % 251
    rows["px"] = ids * 0.5
    return rows


def expected_sequenced(first_seq: int, count: int) -> npt.NDArray[np.int64]:
    """The records RingProducerThread writes, as a (count, 8) int64 matrix in field order."""
    seq = np.arange(first_seq, first_seq + count, dtype=np.int64)
    return np.stack([seq, BASE_TS_NS + 1000 * seq, 3 * seq, seq ^ 0x5A5A, seq + 1, 2 * seq, -seq, ~seq], axis=1)


def assert_sequenced(rows: npt.NDArray[np.void], first_seq: int) -> None:
    assert rows.dtype == SEQUENCED_RECORD_DTYPE
    got = rows.view(np.int64).reshape(-1, 8)
    want = expected_sequenced(first_seq, len(rows))
    if not np.array_equal(got, want):
        bad = int(np.flatnonzero((got != want).any(axis=1))[0])
        pytest.fail(f"record {first_seq + bad}: got {got[bad].tolist()}, expected {want[bad].tolist()}")


# --- construction --------------------------------------------------------------------------------


@pytest.mark.parametrize("capacity", [0, -8, 3, 6, 1000, 2**20 + 1])
def test_capacity_must_be_a_positive_power_of_two(capacity: int) -> None:
    with pytest.raises(ValueError, match="power of two"):
        SpscRing(capacity, ODD_DTYPE)


def test_capacity_times_record_size_must_not_overflow() -> None:
    with pytest.raises(ValueError, match="overflows"):
        SpscRing(2**58, SEQUENCED_RECORD_DTYPE)  # 2**58 * 64 bytes wraps size_t


def test_capacity_must_be_an_integer() -> None:
    with pytest.raises(TypeError):
        SpscRing(8.0, ODD_DTYPE)  # type: ignore[arg-type]


def test_dtype_must_be_structured_fixed_size_and_object_free() -> None:
    with pytest.raises(TypeError, match="structured"):
        SpscRing(8, np.int64)
    with pytest.raises(TypeError, match="Python objects"):
        SpscRing(8, [("id", "<i8"), ("name", object)])
    with pytest.raises(ValueError, match="itemsize"):
        SpscRing(8, np.dtype([]))


def test_properties_describe_the_ring() -> None:
    ring = SpscRing(16, ODD_DTYPE)
    assert ring.capacity == 16
    assert ring.record_size == ODD_DTYPE.itemsize == 13
    assert ring.dtype == ODD_DTYPE
    assert ring.size == 0
    assert SpscRing(1, ODD_DTYPE).capacity == 1
    assert SEQUENCED_RECORD_DTYPE.itemsize == 64
    assert SEQUENCED_RECORD_DTYPE.names == ("seq", "ts_ns", "price", "qty", "a", "b", "c", "d")


def test_ring_cannot_be_pickled() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(SpscRing(8, ODD_DTYPE))


# --- push / drain semantics ----------------------------------------------------------------------


def test_drain_on_empty_ring_returns_empty_array_of_ring_dtype() -> None:
    ring = SpscRing(8, ODD_DTYPE)
    drained = ring.drain()
    assert isinstance(drained, np.ndarray)
    assert drained.shape == (0,)
    assert drained.dtype == ODD_DTYPE
    assert ring.drain() is not drained  # each call returns its own array object


def test_drain_zero_takes_nothing() -> None:
    ring = SpscRing(8, ODD_DTYPE)
    assert ring.push(odd_rows(0, 3)) == 3
    assert ring.drain(0).shape == (0,)
    assert ring.size == 3
    assert ring.drain()["id"].tolist() == [0, 1, 2]


def test_full_ring_refuses_extra_records() -> None:
    ring = SpscRing(8, ODD_DTYPE)
    assert ring.push(odd_rows(0, 10)) == 8
    assert ring.size == 8
    assert ring.push(odd_rows(10, 1)) == 0
    assert ring.drain(3)["id"].tolist() == [0, 1, 2]
    assert ring.push(odd_rows(8, 5)) == 3  # only the three freed slots
    assert ring.drain()["id"].tolist() == [3, 4, 5, 6, 7, 8, 9, 10]
    assert ring.size == 0


def test_round_trip_wraps_around_many_times() -> None:
    ring = SpscRing(16, ODD_DTYPE)
    next_in = 0
    next_out = 0
    for round_no in range(600):
        offered = 1 + round_no % 19
        pushed = ring.push(odd_rows(next_in, offered))
        assert pushed == min(offered, 16 - (next_in - next_out))
        next_in += pushed
        drained = ring.drain(1 + (round_no * 7) % 23)
        np.testing.assert_array_equal(drained, odd_rows(next_out, len(drained)))
        next_out += len(drained)
        assert ring.size == next_in - next_out
    assert next_out > 50 * ring.capacity


def test_push_rejects_wrong_dtype_shape_and_type() -> None:
    ring = SpscRing(8, ODD_DTYPE)
    with pytest.raises(TypeError, match="dtype"):
        ring.push(np.zeros(2, SEQUENCED_RECORD_DTYPE))
    with pytest.raises(ValueError, match="1-D"):
        ring.push(odd_rows(0, 4).reshape(2, 2))
    with pytest.raises(TypeError, match="ndarray"):
        ring.push(list(odd_rows(0, 2)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_records"):
        ring.drain(-1)
    assert ring.size == 0


def test_push_accepts_equal_dtype_and_non_contiguous_rows() -> None:
    ring = SpscRing(8, ODD_DTYPE)
    same_layout = np.dtype([("id", "<i8"), ("tag", "u1"), ("px", "<f4")])  # equal, not identical
    assert ring.push(odd_rows(0, 2).astype(same_layout)) == 2
    assert ring.push(odd_rows(2, 6)[::2]) == 3  # ids 2, 4, 6
    assert ring.drain()["id"].tolist() == [0, 1, 2, 4, 6]


def test_large_copies_round_trip() -> None:
    # 2 MiB each way: big enough that push/drain copy with the GIL released.
    ring = SpscRing(32768, SEQUENCED_RECORD_DTYPE)
    rows = np.empty(32768, SEQUENCED_RECORD_DTYPE)
    rows.view(np.int64).reshape(-1, 8)[:] = expected_sequenced(0, 32768)
    assert ring.push(rows) == 32768
    assert ring.push(rows[:1]) == 0
    assert_sequenced(ring.drain(), 0)


@settings(max_examples=200, deadline=None)
@given(
    capacity_log2=st.integers(min_value=0, max_value=6),
    operations=st.lists(
        st.tuples(st.sampled_from(["push", "drain"]), st.integers(min_value=0, max_value=80)), max_size=60
    ),
)
def test_push_and_drain_match_a_bounded_deque_model(capacity_log2: int, operations: list[tuple[str, int]]) -> None:
    capacity = 1 << capacity_log2
    ring = SpscRing(capacity, ODD_DTYPE)
    model: deque[int] = deque()
    next_id = 0
    for operation, amount in operations:
        if operation == "push":
            pushed = ring.push(odd_rows(next_id, amount))
            accepted = min(amount, capacity - len(model))
            assert pushed == accepted
            model.extend(range(next_id, next_id + accepted))
            next_id += amount  # refused rows are skipped: ids stay unique
        else:
            drained = ring.drain(amount)
            expected_ids = [model.popleft() for _ in range(min(amount, len(model)))]
            assert drained["id"].tolist() == expected_ids
            np.testing.assert_array_equal(drained["tag"], np.array(expected_ids, dtype=np.int64) % 251)
        assert ring.size == len(model)
    np.testing.assert_array_equal(ring.drain(capacity)["id"], np.array(model, dtype=np.int64))


# --- a real second thread ------------------------------------------------------------------------


def drain_until_done(ring: SpscRing, producer: RingProducerThread, first_seq: int = 0) -> tuple[int, int]:
    """Drain concurrently with `producer`, checking every record; returns (records, drain calls)."""
    deadline = time.monotonic() + DEADLINE_S
    pending: list[npt.NDArray[np.void]] = []
    pending_rows = 0
    checked = 0
    calls = 0
    while True:
        done = producer.done  # read before draining: empty after done means nothing more comes
        rows = ring.drain(65536)
        calls += 1
        if rows.size:
            pending.append(rows)
            pending_rows += rows.size
        elif done:
            break
        # Check in bulk: per-call numpy overhead would otherwise dominate for small drains.
        if pending_rows >= 1 << 18:
            assert_sequenced(np.concatenate(pending), first_seq + checked)
            checked += pending_rows
            pending, pending_rows = [], 0
        if time.monotonic() > deadline:
            producer.stop()
            producer.join()
            pytest.fail(f"producer still running after {DEADLINE_S} s ({checked + pending_rows} records drained)")
    if pending:
        assert_sequenced(np.concatenate(pending), first_seq + checked)
        checked += pending_rows
    return checked, calls


def test_sequence_integrity_with_a_real_producer_thread() -> None:
    count = 2_000_000
    ring = SpscRing(1024, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, count, batch=64)
    assert not producer.started
    producer.start()
    drained, calls = drain_until_done(ring, producer)
    producer.join()
    assert drained == count
    assert producer.written == count
    assert producer.done
    assert ring.size == 0
    # The ring holds 1024 records: finishing at all proves the two threads ran interleaved.
    assert calls >= count // ring.capacity


def test_producer_batch_larger_than_ring() -> None:
    ring = SpscRing(4, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, 20_000, batch=64)
    producer.start()
    drained, _ = drain_until_done(ring, producer)
    producer.join()
    assert drained == 20_000


def test_stop_ends_the_thread_and_keeps_published_records() -> None:
    ring = SpscRing(256, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, 2**50, batch=16)
    producer.start()
    first = ring.drain(0)
    deadline = time.monotonic() + DEADLINE_S
    while len(first) < 1000 and time.monotonic() < deadline:
        more = ring.drain()
        first = np.concatenate([first, more])
    producer.stop()
    producer.join()
    assert producer.done
    assert len(first) >= 1000
    assert_sequenced(first, 0)
    rest, _ = drain_until_done(ring, producer, first_seq=len(first))
    assert len(first) + rest == producer.written < 2**50


def test_consume_and_verify_checks_every_record_in_cpp() -> None:
    ring = SpscRing(1024, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, 1_000_000, batch=64)
    producer.start()
    assert consume_and_verify(ring, producer, batch=256) == (1_000_000, 0)
    producer.join()


def test_consume_and_verify_counts_corrupted_records() -> None:
    ring = SpscRing(16, SEQUENCED_RECORD_DTYPE)
    finished = RingProducerThread(ring, 0)
    finished.start()
    finished.join()
    rows = np.empty(5, SEQUENCED_RECORD_DTYPE)
    rows.view(np.int64).reshape(-1, 8)[:] = expected_sequenced(100, 5)
    rows["price"][3] += 1
    assert ring.push(rows) == 5
    assert consume_and_verify(ring, finished, batch=2, first_seq=100) == (5, 1)


def test_consume_and_verify_rejects_misuse() -> None:
    ring = SpscRing(16, SEQUENCED_RECORD_DTYPE)
    other = SpscRing(16, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, 10)
    with pytest.raises(RuntimeError, match="start"):
        consume_and_verify(ring, producer)
    with pytest.raises(ValueError, match="does not feed"):
        consume_and_verify(other, producer)
    producer.start()
    with pytest.raises(ValueError, match="batch"):
        consume_and_verify(ring, producer, batch=0)
    producer.join()
    assert consume_and_verify(ring, producer) == (10, 0)


def test_producer_thread_validates_its_arguments() -> None:
    with pytest.raises(ValueError, match="64-byte"):
        RingProducerThread(SpscRing(16, ODD_DTYPE), 10)
    ring = SpscRing(16, SEQUENCED_RECORD_DTYPE)
    with pytest.raises(ValueError, match="batch"):
        RingProducerThread(ring, 10, batch=0)
    with pytest.raises(ValueError, match="count"):
        RingProducerThread(ring, -1)
    with pytest.raises(ValueError, match="count"):
        RingProducerThread(ring, 2**50 + 1)


def test_only_one_producer_at_a_time() -> None:
    ring = SpscRing(16, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, 100, batch=8)
    assert producer.ring is ring and producer.count == 100 and producer.batch == 8
    producer.start()
    with pytest.raises(RuntimeError, match="already started"):
        producer.start()
    with pytest.raises(RuntimeError, match="producing"):
        ring.push(np.zeros(1, SEQUENCED_RECORD_DTYPE))
    with pytest.raises(RuntimeError, match="producing"):
        RingProducerThread(ring, 1).start()
    drained, _ = drain_until_done(ring, producer)
    assert drained == 100
    producer.join()
    producer.join()  # idempotent
    # Joined: Python may produce again.
    assert ring.push(np.zeros(1, SEQUENCED_RECORD_DTYPE)) == 1


def test_dropping_a_blocked_producer_stops_and_joins_it() -> None:
    ring = SpscRing(8, SEQUENCED_RECORD_DTYPE)
    producer = RingProducerThread(ring, 1000, batch=4)
    producer.start()
    deadline = time.monotonic() + DEADLINE_S
    while producer.written < 8 and time.monotonic() < deadline:
        time.sleep(0.001)
    assert producer.written == 8  # full ring, nobody draining: the thread is spinning
    del producer
    gc.collect()
    assert ring.size == 8
    assert_sequenced(ring.drain(), 0)
    assert ring.push(np.zeros(1, SEQUENCED_RECORD_DTYPE)) == 1  # producer side released
