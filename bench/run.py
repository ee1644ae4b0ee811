"""Run one benchmark workload and print one JSON object per run.

    python bench/run.py WORKLOAD [--n N] [--input FILE.npz] [--repeat R] [--json]

Each workload lives in bench/workloads/<name>.py and exposes
``run(n: int, seed: int) -> dict`` (replay workloads also take ``input``: an .npz file to use
instead of synthetic data) returning at least ``events`` (how many events were timed)
and ``elapsed_s`` (the timed part only, setup excluded); any other keys are passed through.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import pkgutil
import resource
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # so `bench.workloads` imports from a clone

import bench.workloads as workloads  # noqa: E402


def available() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(workloads.__path__) if not m.name.startswith("_"))


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_workload(name: str, n: int | None, seed: int, input: str | None = None) -> dict:
    module = importlib.import_module(f"bench.workloads.{name}")
    size = n if n is not None else module.DEFAULT_N
    if input is not None:
        if "input" not in inspect.signature(module.run).parameters:
            raise SystemExit(f"workload {name} takes no --input")
        result = module.run(size, seed, input=input)
    else:
        result = module.run(size, seed)
    events = int(result.pop("events"))
    elapsed = float(result.pop("elapsed_s"))
    out = {
        "workload": name,
        "n": events,
        "elapsed_s": round(elapsed, 6),
        "events_per_s": round(events / elapsed, 1) if elapsed > 0 else None,
        "ns_per_event": round(elapsed * 1e9 / events, 2) if events else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    out.update(result)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=available())
    parser.add_argument("--n", type=int, default=None, help="events per run (workload default if omitted)")
    parser.add_argument("--repeat", type=int, default=1, help="number of runs; one JSON object each")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--input", metavar="FILE.npz", help="replay workloads: arrays to replay instead of "
                        "synthetic data (layouts in bench/workloads/trades_counter.py and l2_bbo.py)")
    parser.add_argument("--json", action="store_true", help="print JSON (the default; kept for clarity)")
    args = parser.parse_args(argv)
    for _ in range(args.repeat):
        print(json.dumps(run_workload(args.workload, args.n, args.seed, args.input)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
