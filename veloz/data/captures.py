"""Readers for raw Binance WebSocket captures.

Two formats, both real recordings of Binance frames:

* hftbacktest: gzip text, one ``<local_receive_ns> <json>`` per line; frames are combined-stream
  wrappers, plus one bare REST depth snapshot line.
* cryptofeed: ``X.ws.1.0`` holds ``<ws url> <-> <ts>`` then ``<unix_ts>: <json>`` per frame, and
  ``X.http.0.0`` holds ``<rest url> -> <unix_ts>: <json>`` depth snapshots (URL names the symbol),
  merged here into the frame stream by timestamp.

Frames are yielded as raw bytes: decoding happens in the compiled feed (the same path live data
takes), so these readers are shared by the replay CLI, the importer and tests.
"""

from __future__ import annotations

import gzip
import heapq
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from veloz.errors import CaptureFormatError

__all__ = ["CaptureFormat", "CaptureFormatError", "CaptureFrame", "check_snapshot_file", "cryptofeed_snapshot_path",
           "detect_format", "read_capture", "read_cryptofeed_snapshots", "read_hftbacktest", "stream_symbol"]

CaptureFormat = Literal["hftbacktest", "cryptofeed"]

_STREAM_PREFIX = b'{"stream":"'
_SYMBOL_IN_URL = re.compile(r"[?&]symbol=([A-Za-z0-9_]+)")


@dataclass(frozen=True, slots=True)
class CaptureFrame:
    line: int  # 1-based line in its file (for error messages)
    local_ns: int  # receive time on the recording machine (not synchronised with exchange time)
    symbol: str | None  # upper-case symbol from the stream name or snapshot URL; None if unknown
    payload: bytes  # the JSON frame exactly as received


_DAMAGED = (EOFError, gzip.BadGzipFile, zlib.error)


def _lines(path: Path, fh: IO[bytes]) -> Iterable[tuple[int, bytes]]:
    """Numbered lines; a truncated or corrupt gzip stream becomes a CaptureFormatError naming
    where the damage was found (every frame before it has already been yielded)."""
    number = 0
    try:
        for number, line in enumerate(fh, 1):
            yield number, line
    except _DAMAGED as exc:
        raise CaptureFormatError(f"{path}: damaged compressed data after line {number} ({exc})") from exc


def _open_binary(path: Path) -> IO[bytes]:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    return gzip.open(path, "rb") if magic == b"\x1f\x8b" else open(path, "rb")


def stream_symbol(payload: bytes) -> str | None:
    """Symbol of a combined-stream frame from its stream name (``btcusdt@depth`` -> ``BTCUSDT``)."""
    if payload.startswith(_STREAM_PREFIX):
        end = payload.find(b"@", len(_STREAM_PREFIX), len(_STREAM_PREFIX) + 40)
        if end > 0:
            return payload[len(_STREAM_PREFIX):end].decode("ascii", "replace").upper()
    return None


def _first_line(path: Path, what: str) -> bytes:
    """The first line (decompressed) of a file that must exist, be a regular file and be readable;
    each failure says which."""
    if not path.exists():
        raise FileNotFoundError(f"{what} not found: {path}")
    if path.is_dir():
        raise CaptureFormatError(f"{path} is a directory, not a {what}")
    if not path.is_file():
        # Devices and pipes are refused: a capture is opened once to detect its format, then again to read it.
        raise CaptureFormatError(f"{path} is not a regular file, so not a {what}")
    try:
        with _open_binary(path) as fh:
            first = fh.readline(4096)
    except OSError as exc:
        raise CaptureFormatError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except _DAMAGED as exc:
        raise CaptureFormatError(f"{path}: cannot read ({exc})") from exc
    if not first:
        raise CaptureFormatError(f"{path} is empty")
    return first


def detect_format(path: str | Path) -> CaptureFormat:
    """The capture's format, from its first line. A missing file is FileNotFoundError; anything
    else that is not a readable capture (a directory, a device, an empty or unknown file) is
    CaptureFormatError."""
    path = Path(path)
    first = _first_line(path, "capture file")
    if re.match(rb"^\d{10,} \{", first):
        return "hftbacktest"
    if re.match(rb"^wss?://\S+ <-> [\d.]+", first) or re.match(rb"^[\d.]+: \{", first):
        return "cryptofeed"
    raise CaptureFormatError(f"{path}: not an hftbacktest or cryptofeed capture (first line: {first[:80]!r})")


def check_snapshot_file(path: str | Path) -> None:
    """Raises unless `path` is a readable cryptofeed REST snapshot file (``<url> -> <ts>: {...}``)."""
    path = Path(path)
    first = _first_line(path, "snapshot file")
    if not re.match(rb"^\S+ -> [\d.]+: \{", first):
        raise CaptureFormatError(f"{path}: not a cryptofeed REST snapshot file ('<url> -> <ts>: <json>' lines; "
                                 f"first line: {first[:80]!r})")


def read_hftbacktest(path: str | Path) -> Iterator[CaptureFrame]:
    path = Path(path)
    with _open_binary(path) as fh:
        for number, line in _lines(path, fh):
            line = line.rstrip(b"\r\n")
            if not line:
                continue
            space = line.find(b" ")
            if space <= 0 or not line[:space].isdigit():
                raise CaptureFormatError(f"{path}:{number}: expected '<local_ns> <json>', got {line[:60]!r}")
            payload = line[space + 1:]
            yield CaptureFrame(number, int(line[:space]), stream_symbol(payload), payload)


def _read_cryptofeed_ws(path: Path) -> Iterator[CaptureFrame]:
    with _open_binary(path) as fh:
        for number, line in _lines(path, fh):
            line = line.rstrip(b"\r\n")
            if not line or line.startswith((b"ws://", b"wss://")):
                continue
            ts, sep, payload = line.partition(b": ")
            try:
                local_ns = int(round(float(ts) * 1e9))
            except ValueError:
                local_ns = -1
            if not sep or local_ns < 0:
                raise CaptureFormatError(f"{path}:{number}: expected '<unix_ts>: <json>', got {line[:60]!r}")
            yield CaptureFrame(number, local_ns, stream_symbol(payload), payload)


def read_cryptofeed_snapshots(path: str | Path) -> Iterator[CaptureFrame]:
    path = Path(path)
    with _open_binary(path) as fh:
        for number, line in _lines(path, fh):
            line = line.rstrip(b"\r\n")
            if not line:
                continue
            head, sep, payload = line.partition(b": {")
            url, arrow, ts = head.partition(b" -> ")
            match = _SYMBOL_IN_URL.search(url.decode("ascii", "replace"))
            if not sep or not arrow or match is None:
                raise CaptureFormatError(f"{path}:{number}: expected '<url?symbol=S> -> <ts>: <json>'")
            yield CaptureFrame(number, int(round(float(ts) * 1e9)), match.group(1).upper(), b"{" + payload)


def cryptofeed_snapshot_path(ws_path: Path) -> Path | None:
    """``BINANCE_FUTURES.ws.1.0`` -> ``BINANCE_FUTURES.http.0.0`` if it exists."""
    name = ws_path.name
    if ".ws." not in name:
        return None
    candidate = ws_path.with_name(name.split(".ws.")[0] + ".http.0.0")
    return candidate if candidate.is_file() else None


def read_capture(path: str | Path, snapshots: str | Path | None = None) -> Iterator[CaptureFrame]:
    """Frames of a capture in receive order; cryptofeed snapshots are merged in by timestamp."""
    path = Path(path)
    fmt = detect_format(path)
    if fmt == "hftbacktest":
        yield from read_hftbacktest(path)
        return
    snapshot_path = Path(snapshots) if snapshots else cryptofeed_snapshot_path(path)
    frames = _read_cryptofeed_ws(path)
    if snapshot_path is None:
        yield from frames
        return
    check_snapshot_file(snapshot_path)
    # Stable merge: a snapshot taken at the same instant as a frame goes after it.
    yield from heapq.merge(frames, read_cryptofeed_snapshots(snapshot_path), key=lambda f: f.local_ns)
