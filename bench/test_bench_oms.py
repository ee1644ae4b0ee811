"""pytest-benchmark for the order state machine, small sizes: run with
`python -m pytest bench/test_bench_oms.py`. Full-size figures come from `bench/run.py oms_cycle`."""

from __future__ import annotations

from typing import Any  # pytest-benchmark's fixture has no type hints

from bench.workloads.oms_cycle import cpp_cycles, python_cycles

CYCLES = 50_000


def test_oms_cycles_driven_from_python(benchmark: Any) -> None:
    # python_cycles raises unless every fill was applied and nothing was refused.
    elapsed = benchmark.pedantic(python_cycles, args=(CYCLES,), rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["cycles"] = CYCLES
    assert elapsed > 0


def test_oms_cycles_in_cpp(benchmark: Any) -> None:
    # cpp_cycles raises unless every event was applied.
    elapsed = benchmark.pedantic(cpp_cycles, args=(CYCLES,), rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["cycles"] = CYCLES
    assert elapsed > 0
