"""pytest-benchmark for the SPSC ring (two threads), small sizes: run with
`python -m pytest bench/test_bench_ring.py`. Full-size figures come from `bench/run.py ring_spsc`."""

from __future__ import annotations

from typing import Any  # pytest-benchmark's fixture has no type hints

from bench.workloads.ring_spsc import cpp_consumer, python_consumer

RECORDS = 1_000_000


def test_ring_cpp_producer_to_python_drain(benchmark: Any) -> None:
    # python_consumer raises if the drained sequence has a gap, a duplicate or a missing tail.
    result = benchmark.pedantic(python_consumer, args=(RECORDS,), rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["records"] = RECORDS
    assert result["drain_calls"] >= RECORDS // 65536


def test_ring_cpp_producer_to_cpp_consumer(benchmark: Any) -> None:
    # cpp_consumer raises unless all records arrived with every field intact.
    result = benchmark.pedantic(cpp_consumer, args=(RECORDS,), rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["records"] = RECORDS
    assert result["elapsed_s"] > 0
