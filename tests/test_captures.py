"""Capture readers: format detection, hftbacktest gz lines, cryptofeed frames + merged REST snapshots."""

from __future__ import annotations

import gzip
import itertools
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from veloz.data.captures import (CaptureFormatError, CaptureFrame, check_snapshot_file, cryptofeed_snapshot_path,
                                 detect_format, read_capture, read_cryptofeed_snapshots, read_hftbacktest, stream_symbol)
from veloz.errors import VelozError

DEMO_SNAPSHOT_LINE = 55
DEMO_SNAPSHOT_ID = b'{"lastUpdateId":5123107852948,'


def demo_lines(demo_capture: Path, n: int) -> list[bytes]:
    with gzip.open(demo_capture, "rb") as fh:
        return [line.rstrip(b"\n") for line in itertools.islice(fh, n)]


def write(path: Path, lines: list[bytes], *, gz: bool) -> Path:
    data = b"".join(line + b"\n" for line in lines)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


# --- detect_format ------------------------------------------------------------------------------


def test_detect_demo_capture(demo_capture: Path) -> None:
    assert detect_format(demo_capture) == "hftbacktest"
    assert detect_format(str(demo_capture)) == "hftbacktest"


@pytest.mark.parametrize("name", ["spot/btcusdt_20240808.gz", "spot/ethusdt_20240809.gz", "cm/btcusd_perp_20240808.gz",
                                  "usdm/ethusdt_20240808.gz"])
def test_detect_shared_hftbacktest(shared_data: Path, name: str) -> None:
    assert detect_format(shared_data / "hftbacktest" / name) == "hftbacktest"


@pytest.mark.parametrize("name", ["BINANCE.ws.1.0", "BINANCE_FUTURES.ws.1.0", "BINANCE_DELIVERY.ws.1.0"])
def test_detect_shared_cryptofeed(shared_data: Path, name: str) -> None:
    assert detect_format(shared_data / "cryptofeed" / name) == "cryptofeed"


def test_detect_cryptofeed_without_header_line(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0").read_bytes().splitlines()[1:20]
    headless = write(tmp_path / "frames.ws.1.0", lines, gz=False)
    assert detect_format(headless) == "cryptofeed"
    assert detect_format(write(tmp_path / "frames.gz", lines, gz=True)) == "cryptofeed"


@pytest.mark.parametrize("name", ["BINANCE.0", "BINANCE_FUTURES.http.0.0"])
def test_detect_rejects_non_capture_cryptofeed_files(shared_data: Path, name: str) -> None:
    path = shared_data / "cryptofeed" / name
    with pytest.raises(CaptureFormatError, match=re.escape(str(path))):
        detect_format(path)


def test_detect_rejects_exchange_info_json(demo_exchange_info: Path) -> None:
    with pytest.raises(CaptureFormatError, match="not an hftbacktest or cryptofeed capture"):
        detect_format(demo_exchange_info)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("content", [b"hello world\nthis is not a capture\n", b"", b"\n\n", b"{\"stream\":\"x\"}\n",
                                     b"12345 {\"short\":1}\n", bytes(range(256)) * 4])
def test_garbage_is_capture_format_error(tmp_path: Path, content: bytes, gz: bool) -> None:
    path = tmp_path / ("garbage.gz" if gz else "garbage.txt")
    path.write_bytes(gzip.compress(content) if gz else content)
    with pytest.raises(CaptureFormatError) as info:
        detect_format(path)
    assert str(path) in str(info.value)
    with pytest.raises(CaptureFormatError):
        list(read_capture(path))


def test_capture_format_error_is_a_veloz_error_and_a_value_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(b"not a capture\n")
    with pytest.raises(VelozError) as info:  # what the CLI and callers catch for every VeloZ error
        detect_format(path)
    assert isinstance(info.value, CaptureFormatError)
    assert isinstance(info.value, ValueError)


def test_broken_gzip_header_is_capture_format_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.gz"
    path.write_bytes(b"\x1f\x8b" + bytes(range(200)))
    with pytest.raises(CaptureFormatError, match="cannot read"):
        detect_format(path)


def test_directory_is_capture_format_error_saying_so(tmp_path: Path) -> None:
    with pytest.raises(CaptureFormatError, match=re.escape(f"{tmp_path} is a directory")):
        detect_format(tmp_path)


def test_device_is_capture_format_error_saying_so() -> None:
    with pytest.raises(CaptureFormatError, match="/dev/null is not a regular file"):
        detect_format("/dev/null")


def test_empty_file_is_capture_format_error_saying_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.gz"
    path.write_bytes(b"")
    with pytest.raises(CaptureFormatError, match=re.escape(f"{path} is empty")):
        detect_format(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_is_capture_format_error(tmp_path: Path, demo_capture: Path) -> None:
    path = tmp_path / "locked.gz"
    shutil.copy(demo_capture, path)
    path.chmod(0)
    with pytest.raises(CaptureFormatError, match=re.escape(f"{path}: cannot read (Permission denied)")):
        detect_format(path)


def test_snapshot_file_is_checked_before_any_frame(shared_data: Path, tmp_path: Path) -> None:
    http = shared_data / "cryptofeed" / "BINANCE_FUTURES.http.0.0"
    check_snapshot_file(http)
    with pytest.raises(FileNotFoundError, match="snapshot file not found"):
        check_snapshot_file(tmp_path / "missing.http.0.0")
    with pytest.raises(CaptureFormatError, match="is a directory"):
        check_snapshot_file(tmp_path)
    with pytest.raises(CaptureFormatError, match="not a cryptofeed REST snapshot file"):
        check_snapshot_file(shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0")


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_capture.gz"
    with pytest.raises(FileNotFoundError, match="no_such_capture.gz"):
        detect_format(missing)
    with pytest.raises(FileNotFoundError, match="no_such_capture.gz"):
        list(read_capture(missing))


# --- hftbacktest ------------------------------------------------------------------------------------


def test_read_demo_capture(demo_capture: Path) -> None:
    frames = list(read_capture(demo_capture))
    assert len(frames) == 93954
    assert all(isinstance(f, CaptureFrame) for f in frames[:10])
    assert [f.line for f in frames] == list(range(1, 93955))
    assert frames[0].local_ns == 1723161255030314667
    assert frames[0].payload.startswith(b'{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate"')
    unknown = [f for f in frames if f.symbol is None]
    assert [f.line for f in unknown] == [DEMO_SNAPSHOT_LINE]
    assert unknown[0].payload.startswith(DEMO_SNAPSHOT_ID)
    assert {f.symbol for f in frames} == {"BTCUSDT", None}
    streams = {}
    for f in frames:
        key = f.payload[: f.payload.find(b'","data"')] if f.symbol else b"snapshot"
        streams[key] = streams.get(key, 0) + 1
    assert streams == {b'{"stream":"btcusdt@depth@0ms': 6551, b'{"stream":"btcusdt@bookTicker': 66089,
                       b'{"stream":"btcusdt@trade': 21313, b"snapshot": 1}


def test_hftbacktest_frames_are_the_raw_lines(demo_capture: Path) -> None:
    lines = demo_lines(demo_capture, 60)
    frames = list(itertools.islice(read_hftbacktest(demo_capture), 60))
    for line, frame in zip(lines, frames):
        ns, _, payload = line.partition(b" ")
        assert frame.local_ns == int(ns)
        assert frame.payload == payload


@pytest.mark.parametrize("gz", [True, False], ids=["gzip", "plain"])
def test_hftbacktest_malformed_line_in_the_middle(tmp_path: Path, demo_capture: Path, gz: bool) -> None:
    lines = demo_lines(demo_capture, 12)
    lines[6] = b"this line is not '<ns> <json>'"
    path = write(tmp_path / ("cap.gz" if gz else "cap.txt"), lines, gz=gz)
    assert detect_format(path) == "hftbacktest"
    frames = read_capture(path)
    good = [next(frames) for _ in range(6)]
    assert [f.line for f in good] == [1, 2, 3, 4, 5, 6]
    with pytest.raises(CaptureFormatError) as info:
        next(frames)
    assert f"{path}:7:" in str(info.value)
    assert "this line is not" in str(info.value)


def test_hftbacktest_line_without_timestamp(tmp_path: Path, demo_capture: Path) -> None:
    lines = demo_lines(demo_capture, 5)
    lines[3] = lines[3].partition(b" ")[2]  # the JSON alone
    path = write(tmp_path / "cap.gz", lines, gz=True)
    with pytest.raises(CaptureFormatError, match=re.escape(f"{path}:4:")):
        list(read_capture(path))


def test_hftbacktest_blank_lines_are_skipped_and_numbering_kept(tmp_path: Path, demo_capture: Path) -> None:
    lines = demo_lines(demo_capture, 4)
    path = write(tmp_path / "cap.gz", [lines[0], b"", lines[1], b"\r", lines[2] + b"\r", lines[3]], gz=True)
    frames = list(read_capture(path))
    assert [f.line for f in frames] == [1, 3, 5, 6]
    assert frames[2].payload == lines[2].partition(b" ")[2]  # CRLF stripped


# --- cryptofeed ------------------------------------------------------------------------------------


def snapshot_lines(path: Path) -> list[tuple[str, int]]:
    out = []
    for line in path.read_text().splitlines():
        if line.strip():
            url, _, rest = line.partition(" -> ")
            symbol = re.search(r"symbol=([A-Z0-9_]+)", url).group(1)  # type: ignore[union-attr]
            out.append((symbol, int(Decimal(rest.partition(": ")[0]) * 10**9)))
    return out


@pytest.mark.parametrize(("name", "ws_frames", "symbols"), [
    ("BINANCE_FUTURES", 1535, ["SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"]),
    ("BINANCE", 265, ["NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"]),
    ("BINANCE_DELIVERY", 4371, None),
])
def test_cryptofeed_merges_snapshots_by_timestamp(shared_data: Path, name: str, ws_frames: int,
                                                  symbols: list[str] | None) -> None:
    ws = shared_data / "cryptofeed" / f"{name}.ws.1.0"
    http = shared_data / "cryptofeed" / f"{name}.http.0.0"
    assert cryptofeed_snapshot_path(ws) == http
    expected = snapshot_lines(http)
    frames = list(read_capture(ws))
    snapshots = [f for f in frames if f.payload.startswith(b'{"lastUpdateId"')]
    assert len(frames) == ws_frames + len(expected)
    # Each symbol's snapshot appears once, symbol from the URL, in timestamp order.
    assert [f.symbol for f in snapshots] == [s for s, _ in sorted(expected, key=lambda e: e[1])]
    assert len({f.symbol for f in snapshots}) == len(snapshots)
    if symbols is not None:
        assert [f.symbol for f in snapshots] == symbols
    for frame, (_, ns) in zip(snapshots, sorted(expected, key=lambda e: e[1])):
        assert abs(frame.local_ns - ns) < 1000  # float seconds -> ns
    # The merged stream is in receive order; ws frames keep their file order and line numbers.
    assert all(a.local_ns <= b.local_ns for a, b in zip(frames, frames[1:]))
    ws_only = [f for f in frames if not f.payload.startswith(b'{"lastUpdateId"')]
    assert [f.line for f in ws_only] == list(range(2, ws_frames + 2))
    assert all(f.symbol is not None for f in ws_only)
    # Every frame symbol is one that has a snapshot (the capture subscribes to the same symbols).
    assert {f.symbol for f in ws_only} <= {f.symbol for f in snapshots}


def test_cryptofeed_snapshot_sits_between_frames_by_time(shared_data: Path) -> None:
    frames = list(read_capture(shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0"))
    index = next(i for i, f in enumerate(frames) if f.symbol == "SUSHIUSDT" and f.payload.startswith(b'{"lastUpdateId"'))
    snapshot = frames[index]
    assert snapshot.payload.startswith(b'{"lastUpdateId":600859605926,')
    assert snapshot.line == 1  # line in the http file
    assert all(f.local_ns <= snapshot.local_ns for f in frames[:index])
    assert all(f.local_ns >= snapshot.local_ns for f in frames[index + 1:])
    assert frames[index - 1].local_ns < snapshot.local_ns < frames[index + 1].local_ns


def test_cryptofeed_ws_alone_and_explicit_snapshots(shared_data: Path, tmp_path: Path) -> None:
    ws = tmp_path / "BINANCE_FUTURES.ws.1.0"
    shutil.copy(shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0", ws)
    assert cryptofeed_snapshot_path(ws) is None
    alone = list(read_capture(ws))
    assert len(alone) == 1535
    assert not any(f.payload.startswith(b'{"lastUpdateId"') for f in alone)
    merged = list(read_capture(ws, snapshots=shared_data / "cryptofeed" / "BINANCE_FUTURES.http.0.0"))
    assert len(merged) == 1539
    with pytest.raises(FileNotFoundError, match="snapshot file not found"):
        list(read_capture(ws, snapshots=tmp_path / "missing.http.0.0"))


def test_cryptofeed_malformed_line_in_the_middle(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0").read_bytes().splitlines()[:10]
    lines[4] = b"not-a-timestamp: " + lines[4].partition(b": ")[2]
    path = write(tmp_path / "cap.ws.1.0", lines, gz=False)
    frames = read_capture(path)
    assert [next(frames).line for _ in range(3)] == [2, 3, 4]
    with pytest.raises(CaptureFormatError, match=re.escape(f"{path}:5:")):
        next(frames)


def test_cryptofeed_line_without_separator(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / "cryptofeed" / "BINANCE.ws.1.0").read_bytes().splitlines()[:6]
    lines[2] = lines[2].replace(b": ", b" ", 1)
    path = write(tmp_path / "cap.gz", lines, gz=True)
    with pytest.raises(CaptureFormatError, match=re.escape(f"{path}:3:")):
        list(read_capture(path))


def test_cryptofeed_malformed_snapshot_line(shared_data: Path, tmp_path: Path) -> None:
    http_lines = (shared_data / "cryptofeed" / "BINANCE_FUTURES.http.0.0").read_bytes().splitlines()
    http_lines[1] = http_lines[1].replace(b"?symbol=AKROUSDT", b"?limit=5")  # URL no longer names the symbol
    http = write(tmp_path / "bad.http.0.0", http_lines, gz=False)
    assert [f.symbol for f in itertools.islice(read_cryptofeed_snapshots(http), 1)] == ["SUSHIUSDT"]
    with pytest.raises(CaptureFormatError, match=re.escape(f"{http}:2:")):
        list(read_cryptofeed_snapshots(http))
    with pytest.raises(CaptureFormatError, match=re.escape(f"{http}:2:")):
        list(read_capture(shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0", snapshots=http))


# --- stream_symbol ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("payload", "symbol"), [
    (b'{"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate"}}', "BTCUSDT"),
    (b'{"stream":"btcusd_perp@bookTicker","data":{}}', "BTCUSD_PERP"),
    (b'{"stream":"sushiusdt@kline_1m","data":{}}', "SUSHIUSDT"),
    (b'{"stream":"btcusd_211231@depth@100ms","data":{}}', "BTCUSD_211231"),
    (b'{"e":"depthUpdate","s":"BTCUSDT"}', None),  # bare payload: unknown from the stream name
    (b'{"lastUpdateId":5123107852948,"bids":[],"asks":[]}', None),
    (b'{"stream":"nostreamseparator","data":{}}', None),
    (b"", None),
])
def test_stream_symbol(payload: bytes, symbol: str | None) -> None:
    assert stream_symbol(payload) == symbol


def test_stream_symbol_matches_data_symbol_on_real_frames(shared_data: Path) -> None:
    for frame in read_capture(shared_data / "cryptofeed" / "BINANCE_DELIVERY.ws.1.0"):
        match = re.search(rb'"s":"([A-Z0-9_]+)"', frame.payload)
        if frame.payload.startswith(b'{"stream"') and match:
            assert frame.symbol == match.group(1).decode()


# --- damaged gzip files ----------------------------------------------------------------


def test_truncated_gzip_is_capture_format_error(tmp_path: Path, demo_capture: Path) -> None:
    data = gzip.compress(b"".join(line + b"\n" for line in demo_lines(demo_capture, 3000)))
    path = tmp_path / "truncated.gz"
    path.write_bytes(data[: len(data) // 2])
    assert detect_format(path) == "hftbacktest"
    with pytest.raises(CaptureFormatError, match=re.escape(str(path))):
        list(read_capture(path))


def test_bad_gzip_crc_is_capture_format_error(tmp_path: Path, demo_capture: Path) -> None:
    data = bytearray(gzip.compress(b"".join(line + b"\n" for line in demo_lines(demo_capture, 100))))
    data[-8] ^= 0xFF  # CRC32 of the trailer
    path = tmp_path / "badcrc.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(CaptureFormatError, match=re.escape(str(path))):
        list(read_capture(path))
