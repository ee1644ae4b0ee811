"""Real USD-M BTCUSDT depth frames (bundled capture) decoded from JSON bytes and applied to the
book, one Python call per frame. Also reports the same frames through `apply_many` (no Python call
per frame) and, for comparison, decoding alone with msgspec typed Structs (float fields)."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import msgspec

from veloz.book import BinanceBookFeed

CAPTURE = Path(__file__).resolve().parents[2] / "demo" / "data" / "usdm_btcusdt_20240808.gz"
DEFAULT_N = 50_000


class _Depth(msgspec.Struct):
    e: str
    E: int
    T: int
    s: str
    U: int
    u: int
    pu: int
    b: list[tuple[float, float]]
    a: list[tuple[float, float]]


class _Wrapper(msgspec.Struct):
    stream: str
    data: _Depth


def _load() -> tuple[list[bytes], list[bytes]]:
    """(frames up to and including the snapshot, depth frames after it)."""
    warmup: list[bytes] = []
    depth: list[bytes] = []
    seen_snapshot = False
    with gzip.open(CAPTURE, "rb") as fh:
        for line in fh:
            payload = line[line.index(b" ") + 1:].rstrip(b"\n")
            if payload.startswith(b'{"lastUpdateId"'):
                seen_snapshot = True
                warmup.append(payload)
            elif b"@depth" in payload[:40]:
                (depth if seen_snapshot else warmup).append(payload)
    return warmup, depth


def _fresh_feed(warmup: list[bytes]) -> BinanceBookFeed:
    feed = BinanceBookFeed("usdm", "BTCUSDT", "0.10", "0.001")
    feed.apply_many(warmup)
    return feed


def run(n: int, seed: int) -> dict:
    del seed  # real data: nothing to seed
    warmup, depth = _load()
    levels = sum(f.count(b'"],["') + 2 for f in depth)  # pairs are joined by "],[" within each side
    passes = max(1, -(-n // len(depth)))
    elapsed = 0.0
    for _ in range(passes):
        feed = _fresh_feed(warmup)
        apply = feed.apply
        started = time.perf_counter()
        for frame in depth:
            apply(frame)
        elapsed += time.perf_counter() - started
        assert feed.counters()["gaps"] == 0
    batch_elapsed = 0.0
    for _ in range(passes):
        feed = _fresh_feed(warmup)
        started = time.perf_counter()
        feed.apply_many(depth)
        batch_elapsed += time.perf_counter() - started
    decoder = msgspec.json.Decoder(_Wrapper, strict=False)  # lax: decimal strings -> float
    started = time.perf_counter()
    for frame in depth:
        decoder.decode(frame)
    msgspec_ns = (time.perf_counter() - started) * 1e9 / len(depth)
    events = passes * len(depth)
    return {
        "events": events, "elapsed_s": elapsed, "unit": "depth frame (decode + sync + apply)",
        "avg_levels_per_frame": round(levels / len(depth), 1),
        "apply_many_ns_per_event": round(batch_elapsed * 1e9 / events, 1),
        "msgspec_float_struct_decode_only_ns_per_event": round(msgspec_ns, 1),
    }
