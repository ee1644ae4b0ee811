"""`veloz.book_replay.replay` on captures that mislead: several symbols, a symbol appearing late, a
snapshot that names no symbol, overrides that contradict the data, and bad files among several.

Captures are built from the bundled demo (real USD-M BTCUSDT frames, REST snapshot on line 55);
a second symbol is the same frames renamed to ETHUSDT, so both books would look healthy if the
wrong frames reached them.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from pathlib import Path

import pytest

from veloz.book_replay import replay
from veloz.errors import CaptureFormatError, InstrumentError

DEMO_CAPTURE = Path(__file__).resolve().parent.parent / "demo" / "data" / "usdm_btcusdt_20240808.gz"


def renamed(line: bytes, symbol: str) -> bytes:
    """A demo line as if it were `symbol`'s (stream name and `s` field)."""
    return line.replace(b'"btcusdt@', b'"' + symbol.lower().encode() + b"@").replace(
        b'"s":"BTCUSDT"', b'"s":"' + symbol.encode() + b'"')


def is_snapshot(line: bytes) -> bool:
    return b'{"lastUpdateId"' in line[:40]


def write_capture(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(gzip.compress(b"".join(line + b"\n" for line in lines), compresslevel=1))
    return path


@pytest.fixture(scope="module")
def btc_lines() -> list[bytes]:
    """The demo's first 7000 lines (REST snapshot on line 55)."""
    with gzip.open(DEMO_CAPTURE, "rb") as fh:
        return [line.rstrip(b"\n") for line in itertools.islice(fh, 7000)]


def eth_copy(lines: list[bytes]) -> list[bytes]:
    return [renamed(line, "ETHUSDT") for line in lines if not is_snapshot(line)]


# --- several symbols ---------------------------------------------------------------------------------


def test_symbol_first_seen_after_the_probe_is_replayed(tmp_path: Path, btc_lines: list[bytes]) -> None:
    eth = eth_copy(btc_lines[:2000])
    path = write_capture(tmp_path / "late_eth.gz", btc_lines[:6500] + eth)
    report = replay(path, symbol="ETHUSDT")
    assert report.symbol == "ETHUSDT"
    assert report.market == "usdm" and report.tick_size == "0.1"  # inferred from ETH's own frames
    assert report.messages == len(eth)
    assert report.skipped_other_symbols == 6500 - 1  # every BTC frame but the symbol-less snapshot
    # The REST snapshot came after BTC frames: it is BTC's, not ETH's, so ETH never syncs.
    assert report.unattributed_snapshots == 1
    assert report.snapshots == 0
    assert report.state == "needs_snapshot"
    assert report.top_bids == [] and report.top_asks == []
    assert not report.ok


def test_symbol_found_only_in_a_later_file(tmp_path: Path, btc_lines: list[bytes]) -> None:
    day1 = write_capture(tmp_path / "btc.gz", btc_lines[:3000])
    day2 = write_capture(tmp_path / "eth.gz", [renamed(line, "ETHUSDT") for line in btc_lines[:3000]])
    report = replay(day1, extra_files=[day2], symbol="ethusdt")
    assert report.symbol == "ETHUSDT"
    assert report.skipped_other_symbols == 3000 - 1
    assert report.unattributed_snapshots == 1  # day1's snapshot follows BTC frames
    assert report.snapshots == 1  # day2's follows only ETH frames: ETH's
    assert report.state == "synced"
    assert report.ok


def test_symbol_absent_from_every_file_fails_after_reading_them(tmp_path: Path, btc_lines: list[bytes]) -> None:
    path = write_capture(tmp_path / "btc.gz", btc_lines[:3000])
    with pytest.raises(InstrumentError, match=r"no frames for ETHUSDT \(the capture has BTCUSDT\)") as info:
        replay(path, symbol="ETHUSDT")
    assert str(path) in str(info.value)


def test_second_symbol_after_the_probe_stops_the_replay(tmp_path: Path, btc_lines: list[bytes]) -> None:
    eth = eth_copy(btc_lines[:10])
    # A broken line right after the first ETH frame: reaching it would be a CaptureFormatError.
    path = write_capture(tmp_path / "late_eth.gz", btc_lines[:6500] + eth[:1] + [b"not a capture line"])
    with pytest.raises(InstrumentError) as info:
        replay(path)
    assert f"{path} holds several symbols (BTCUSDT, ETHUSDT): choose one with --symbol" in str(info.value)


def test_second_symbol_in_a_later_file_stops_the_replay(tmp_path: Path, btc_lines: list[bytes]) -> None:
    day1 = write_capture(tmp_path / "day1.gz", btc_lines[:6000])
    day2 = write_capture(tmp_path / "day2.gz", btc_lines[6000:6010] + eth_copy(btc_lines[:1]) + [b"broken line"])
    with pytest.raises(InstrumentError) as info:
        replay(day1, extra_files=[day2])
    assert f"{day1}, {day2} hold several symbols (BTCUSDT, ETHUSDT): choose one with --symbol" in str(info.value)


def test_second_symbol_early_but_rare_is_found_without_reading_everything(tmp_path: Path,
                                                                          btc_lines: list[bytes]) -> None:
    # ETH once among the opening frames, then only BTC, then a broken line the replay must not reach.
    lines = btc_lines[:100] + eth_copy(btc_lines[:1]) + btc_lines[100:6000] + eth_copy(btc_lines[1:2])
    path = write_capture(tmp_path / "rare_eth.gz", lines + [b"broken line"])
    with pytest.raises(InstrumentError, match=re.escape("holds several symbols (BTCUSDT, ETHUSDT)")):
        replay(path)


def test_symbols_of_the_opening_frames_are_all_named(tmp_path: Path, btc_lines: list[bytes]) -> None:
    lines = btc_lines[:100] + [renamed(line, "ETHUSDT") for line in btc_lines[100:110]] + \
        [renamed(line, "SOLUSDT") for line in btc_lines[110:120]] + btc_lines[120:200]
    path = write_capture(tmp_path / "three.gz", lines)
    with pytest.raises(InstrumentError, match=re.escape("holds several symbols (BTCUSDT, ETHUSDT, SOLUSDT)")):
        replay(path)


# --- a snapshot that names no symbol -------------------------------------------------------------


def test_symbol_less_snapshot_goes_to_the_only_symbol_before_it(tmp_path: Path, btc_lines: list[bytes]) -> None:
    path = write_capture(tmp_path / "btc_then_eth.gz", btc_lines[:3000] + eth_copy(btc_lines[:3000]))
    btc = replay(path, symbol="BTCUSDT")
    assert (btc.snapshots, btc.unattributed_snapshots, btc.state) == (1, 0, "synced")
    eth = replay(path, symbol="ETHUSDT")
    assert (eth.snapshots, eth.unattributed_snapshots, eth.state) == (0, 1, "needs_snapshot")


def test_symbol_less_snapshot_among_two_symbols_is_nobodys(tmp_path: Path, btc_lines: list[bytes]) -> None:
    interleaved = []
    for line in btc_lines[:3000]:
        interleaved.append(line)
        if not is_snapshot(line):
            interleaved.append(renamed(line, "ETHUSDT"))
    path = write_capture(tmp_path / "interleaved.gz", interleaved)
    for symbol in ("ETHUSDT", "BTCUSDT"):
        report = replay(path, symbol=symbol)
        # Before: the BTC snapshot was applied to whichever symbol was chosen, so ETH showed BTC prices.
        assert (report.snapshots, report.unattributed_snapshots, report.applied) == (0, 1, 0), symbol
        assert report.state == "needs_snapshot"
        assert report.top_bids == []


def test_demo_snapshot_is_attributed(tmp_path: Path, btc_lines: list[bytes]) -> None:
    report = replay(write_capture(tmp_path / "btc.gz", btc_lines[:3000]))
    assert (report.snapshots, report.unattributed_snapshots, report.state) == (1, 0, "synced")
    assert report.to_dict()["unattributed_snapshots"] == 0


# --- overrides that contradict the data ---------------------------------------------------------


@pytest.fixture(scope="module")
def short_demo(tmp_path_factory: pytest.TempPathFactory, btc_lines: list[bytes]) -> Path:
    return write_capture(tmp_path_factory.mktemp("demo") / "btc_3000.gz", btc_lines[:3000])


def test_market_contradicting_the_depth_frames(short_demo: Path) -> None:
    with pytest.raises(InstrumentError, match=r"--market coinm contradicts the capture: its BTCUSDT depth "
                                              r"frames are usdm"):
        replay(short_demo, market="coinm")
    with pytest.raises(InstrumentError, match="spot"):
        replay(short_demo, market="spot")
    assert replay(short_demo, market="usdm").market == "usdm"


def test_market_decides_when_there_are_no_depth_frames(tmp_path: Path, btc_lines: list[bytes]) -> None:
    tickers = [line for line in btc_lines[:500] if b"@bookTicker" in line]
    path = write_capture(tmp_path / "tickers.gz", tickers)
    with pytest.raises(InstrumentError, match="no BTCUSDT depth frames to tell the market from; pass --market"):
        replay(path)
    assert replay(path, market="usdm").market == "usdm"


def test_exchange_info_of_another_market_than_requested(tmp_path: Path, short_demo: Path,
                                                         demo_exchange_info: Path) -> None:
    doc = json.loads(demo_exchange_info.read_text())
    symbol = doc["symbols"][0]
    del symbol["contractType"]
    symbol["isSpotTradingAllowed"] = True
    spot = tmp_path / "spot_exchange_info.json"
    spot.write_text(json.dumps(doc))
    # Before: the spot grid was replayed and labelled usdm.
    with pytest.raises(InstrumentError, match="describes spot instruments, not usdm") as info:
        replay(short_demo, exchange_info=spot, market="usdm")
    assert str(spot) in str(info.value)
    with pytest.raises(InstrumentError, match="describes BTCUSDT on spot, but the capture's depth frames are usdm"):
        replay(short_demo, exchange_info=spot)


def test_snapshots_file_with_an_hftbacktest_capture(tmp_path: Path, short_demo: Path) -> None:
    snapshots = tmp_path / "X.http.0.0"
    snapshots.write_text('https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT&limit=1000 -> 1723161255.3: '
                         '{"lastUpdateId":1,"E":1,"T":1,"bids":[],"asks":[]}\n')
    with pytest.raises(CaptureFormatError, match="only goes with a cryptofeed capture") as info:
        replay(short_demo, snapshots=snapshots)
    assert str(short_demo) in str(info.value)


def test_empty_symbol_is_an_error(short_demo: Path) -> None:
    for empty in ("", "  "):
        with pytest.raises(InstrumentError, match="the symbol is empty"):
            replay(short_demo, symbol=empty)


# --- bad files among several: refused before any frame is replayed -----------------------------------


def test_every_file_is_checked_before_replaying(tmp_path: Path, btc_lines: list[bytes]) -> None:
    # The first file breaks on line 3: had it been replayed first, that error would come out.
    first = write_capture(tmp_path / "first.gz", btc_lines[:2] + [b"broken line"])
    with pytest.raises(CaptureFormatError, match=re.escape(f"{tmp_path} is a directory")):
        replay(first, extra_files=[tmp_path])
    with pytest.raises(CaptureFormatError, match="/dev/null is not a regular file"):
        replay(first, extra_files=["/dev/null"])
    with pytest.raises(FileNotFoundError, match="missing.gz"):
        replay(first, extra_files=[tmp_path / "missing.gz"])
    garbage = tmp_path / "garbage.gz"
    garbage.write_bytes(gzip.compress(b"hello\n"))
    with pytest.raises(CaptureFormatError, match="not an hftbacktest or cryptofeed capture"):
        replay(first, extra_files=[garbage])


def test_bad_snapshots_files_are_refused_before_replaying(tmp_path: Path, btc_lines: list[bytes]) -> None:
    # A cryptofeed capture (`<unix_ts>: <json>`) whose line 3 is broken.
    lines = [b"1723161255.03: " + line.partition(b" ")[2] for line in btc_lines[:2]] + [b"broken line"]
    capture = tmp_path / "BINANCE_FUTURES.ws.1.0"
    capture.write_bytes(b"".join(line + b"\n" for line in lines))
    with pytest.raises(FileNotFoundError, match="snapshot file not found"):
        replay(capture, snapshots=tmp_path / "missing.http.0.0")
    # The snapshot file found beside a second capture is checked before the first is replayed.
    first = write_capture(tmp_path / "first.gz", btc_lines[:2] + [b"broken line"])
    beside = tmp_path / "BINANCE_FUTURES.http.0.0"
    beside.write_text("not a snapshot\n")
    with pytest.raises(CaptureFormatError, match=re.escape(f"{beside}: not a cryptofeed REST snapshot file")):
        replay(first, extra_files=[capture])


# --- the final book ------------------------------------------------------------------------------


def test_top_is_clamped_to_the_levels_the_book_holds(short_demo: Path) -> None:
    five = replay(short_demo)
    everything = replay(short_demo, top_n=10**11)  # before: numpy asked for 745 GiB
    assert 5 < len(everything.top_bids) < 10_000 and 5 < len(everything.top_asks) < 10_000
    assert everything.top_bids[:5] == five.top_bids and everything.top_asks[:5] == five.top_asks
    bids = [float(price) for price, _ in everything.top_bids]
    assert bids == sorted(bids, reverse=True)
    assert replay(short_demo, top_n=0).top_bids == []
    with pytest.raises(ValueError, match="top_n must be >= 0"):
        replay(short_demo, top_n=-1)
