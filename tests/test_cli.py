"""The `veloz` command line, run as a real subprocess on real captures."""

from __future__ import annotations

import gzip
import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = "demo/data/usdm_btcusdt_20240808.gz"  # relative, as a user types it from the checkout
DEMO_INFO = "demo/data/usdm_exchange_info_btcusdt.json"
REQUIRED_KEYS = {"messages", "depth_updates", "gaps", "bbo_checks", "bbo_mismatches", "crossed"}


def run(*args: str | Path, command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    argv = (command or [sys.executable, "-m", "veloz.cli"]) + [str(a) for a in args]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)


def run_json(*args: str | Path, command: list[str] | None = None) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    result = run("book", "replay", *args, "--json", command=command)
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout + result.stderr  # ONE JSON object
    report = json.loads(lines[0])
    assert isinstance(report, dict)
    return result, report


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("veloz: error: ")
    return lines[0]


def veloz_script() -> str | None:
    found = shutil.which("veloz")
    if found:
        return found
    beside = Path(sys.executable).parent / "veloz"
    return str(beside) if beside.is_file() else None


def assert_demo_counts(report: dict[str, Any]) -> None:
    assert REQUIRED_KEYS <= set(report)
    assert report["messages"] == 93954
    assert report["depth_updates"] == 6551
    assert report["gaps"] == 0
    assert report["bbo_mismatches"] == 0
    assert report["crossed"] == 0
    assert report["bbo_checks"] > 500
    assert report["snapshots"] == 1
    assert report["state"] == "synced"
    assert report["rejected"] == 0
    assert report["symbol"] == "BTCUSDT"
    assert report["market"] == "usdm"


@pytest.fixture(scope="module")
def demo_json() -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    return run_json(DEMO)


# --- demo capture (always present) ------------------------------------------------------------------


def test_replay_demo_json(demo_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    result, report = demo_json
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert_demo_counts(report)
    assert report["tick_size"] == "0.1"  # inferred from the capture's decimals
    assert report["lot_size"] == "0.001"
    assert report["first_mismatch"] is None
    assert report["errors"] == []
    assert len(report["top_bids"]) == len(report["top_asks"]) == 5
    best_bid, best_ask = report["top_bids"][0][0], report["top_asks"][0][0]
    assert float(best_bid) < float(best_ask)


def test_veloz_console_script(demo_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    script = veloz_script()
    if script is None:
        pytest.skip("the `veloz` console script is not installed on PATH or beside the interpreter")
    result, report = run_json(DEMO, command=[script])
    assert result.returncode == 0, result.stderr
    assert_demo_counts(report)
    expected = demo_json[1]
    for key in ("messages", "applied", "bbo_checks", "top_bids", "top_asks", "tick_size", "lot_size"):
        assert report[key] == expected[key]


def test_replay_demo_with_exchange_info(demo_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    result, report = run_json(DEMO, "--exchange-info", DEMO_INFO, "--top", "3")
    assert result.returncode == 0, result.stderr
    assert_demo_counts(report)
    assert report["tick_size"] == "0.10"
    assert report["lot_size"] == "0.001"
    assert DEMO_INFO in report["grid_source"]
    assert len(report["top_bids"]) == len(report["top_asks"]) == 3
    # Same book as with the inferred grid ("0.10" and "0.1" are the same grid: prices keep 1 decimal).
    inferred = demo_json[1]
    for side in ("top_bids", "top_asks"):
        assert report[side] == inferred[side][:3]


def test_replay_demo_human_output(demo_json: tuple[subprocess.CompletedProcess[str], dict[str, Any]]) -> None:
    result = run("book", "replay", DEMO)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "BTCUSDT" in out and "usdm" in out
    assert "93954" in out
    report = demo_json[1]
    table = [line.split() for line in out.splitlines() if "|" in line]
    rows = {row[0]: row for row in table if row[0].isdigit()}
    assert sorted(rows) == ["1", "2", "3", "4", "5"]
    for i in range(5):
        bid_price, bid_qty = report["top_bids"][i]
        ask_price, ask_qty = report["top_asks"][i]
        assert rows[str(i + 1)] == [str(i + 1), bid_qty, bid_price, "|", ask_price, ask_qty]
    words = {line.split()[0]: line.split() for line in out.splitlines() if line.strip()}
    assert words["gaps"][1] == "0"
    assert words["final"][2] == "synced"


def test_missing_file_exits_2_with_one_line() -> None:
    result = run("book", "replay", "demo/data/no_such_capture.gz", "--json")
    line = assert_one_line_error(result)
    assert "no_such_capture.gz" in line
    assert result.stdout == ""


def test_missing_exchange_info_exits_2() -> None:
    result = run("book", "replay", DEMO, "--exchange-info", "demo/data/no_such_info.json")
    line = assert_one_line_error(result)
    assert "no_such_info.json" in line


def test_help() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "book" in result.stdout
    result = run("book", "replay", "--help")
    assert result.returncode == 0
    for option in ("--json", "--symbol", "--exchange-info", "--strict", "FILE"):
        assert option in result.stdout


def test_no_command_is_a_usage_error() -> None:
    result = run()
    assert result.returncode == 2
    assert "usage: veloz" in result.stderr
    assert "Traceback" not in result.stderr


# --- a corrupted line -------------------------------------------------------------------------------


@pytest.fixture
def corrupted_capture(tmp_path: Path, demo_capture: Path) -> tuple[Path, int]:
    """The first 3000 real lines (snapshot at 55) with one bookTicker line's JSON broken."""
    with gzip.open(demo_capture, "rb") as fh:
        lines = list(itertools.islice(fh, 3000))
    number = next(n for n in range(1000, 3000) if b"@bookTicker" in lines[n - 1])
    lines[number - 1] = lines[number - 1].rstrip(b"\n")[:-7] + b"\n"  # drop the closing `E` value and braces
    path = tmp_path / "corrupted.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    return path, number


def test_corrupted_line_is_reported_and_exits_1(corrupted_capture: tuple[Path, int]) -> None:
    path, number = corrupted_capture
    result, report = run_json(path)
    assert result.returncode == 1, result.stderr
    assert report["rejected"] == 1
    assert report["messages"] == 2999
    assert report["gaps"] == 0
    assert report["state"] == "synced"
    assert len(report["errors"]) == 1
    assert report["errors"][0].startswith(f"{path}:{number}: ")
    assert "malformed JSON" in report["errors"][0]
    human = run("book", "replay", path)
    assert human.returncode == 1
    assert f"{path}:{number}:" in human.stdout


def test_corrupted_line_with_strict_exits_2(corrupted_capture: tuple[Path, int]) -> None:
    path, number = corrupted_capture
    result = run("book", "replay", path, "--strict", "--json")
    line = assert_one_line_error(result)
    assert f"{path}:{number}:" in line
    assert "malformed JSON" in line
    assert result.stdout == ""


def test_garbage_capture_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "garbage.gz"
    path.write_bytes(gzip.compress(b"this is not a capture\n"))
    line = assert_one_line_error(run("book", "replay", path))
    assert str(path) in line


def test_truncated_gzip_capture_exits_2(tmp_path: Path, demo_capture: Path) -> None:
    with gzip.open(demo_capture, "rb") as fh:
        data = gzip.compress(b"".join(itertools.islice(fh, 3000)))
    path = tmp_path / "truncated.gz"
    path.write_bytes(data[: len(data) // 2])
    line = assert_one_line_error(run("book", "replay", path))
    assert str(path) in line


def test_binary_exchange_info_exits_2() -> None:
    assert_one_line_error(run("book", "replay", DEMO, "--exchange-info", DEMO))


# --- real shared captures ---------------------------------------------------------------------------


def test_multi_symbol_capture_needs_symbol(shared_data: Path) -> None:
    result = run("book", "replay", shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0")
    line = assert_one_line_error(result)
    for symbol in ("SUSHIUSDT", "AKROUSDT", "KEEPUSDT", "CTKUSDT"):
        assert symbol in line
    assert "--symbol" in line


def test_multi_symbol_capture_with_symbol(shared_data: Path) -> None:
    result, report = run_json(shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0", "--symbol", "SUSHIUSDT")
    assert result.returncode == 0, result.stderr
    assert report["symbol"] == "SUSHIUSDT"
    assert report["market"] == "usdm"
    assert report["messages"] == 623  # 622 SUSHIUSDT frames + its snapshot
    assert report["skipped_other_symbols"] == 1539 - 623
    assert report["snapshots"] == 1
    assert report["gaps"] == 0
    assert report["rejected"] == 0
    assert report["bbo_mismatches"] == 0
    assert report["bbo_checks"] > 0
    assert report["state"] == "synced"
    assert report["top_bids"][0][0] < report["top_asks"][0][0]


def test_multi_symbol_capture_with_cryptofeed_exchange_info(shared_data: Path) -> None:
    result, report = run_json(shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0", "--symbol", "sushiusdt",
                              "--exchange-info", shared_data / "cryptofeed" / "BINANCE_FUTURES.0")
    assert result.returncode == 0, result.stderr
    assert (report["symbol"], report["tick_size"], report["lot_size"]) == ("SUSHIUSDT", "0.0010", "1")
    assert (report["gaps"], report["rejected"], report["bbo_mismatches"], report["state"]) == (0, 0, 0, "synced")


def test_symbol_not_in_capture_exits_2(shared_data: Path) -> None:
    result = run("book", "replay", shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0", "--symbol", "BTCUSDT")
    line = assert_one_line_error(result)
    assert "BTCUSDT" in line and "SUSHIUSDT" in line


def test_exchange_info_for_another_market_exits_2(shared_data: Path) -> None:
    result = run("book", "replay", DEMO, "--exchange-info", shared_data / "cryptofeed" / "BINANCE.0")
    line = assert_one_line_error(result)
    assert "spot" in line and "usdm" in line


def test_spot_pair_continues_one_book(shared_data: Path) -> None:
    day1 = shared_data / "hftbacktest" / "spot" / "btcusdt_20240808.gz"
    day2 = shared_data / "hftbacktest" / "spot" / "btcusdt_20240809.gz"
    result, report = run_json(day1, day2)
    assert result.returncode == 0, result.stderr
    assert report["messages"] == 41249 + 58325
    assert report["depth_updates"] == 3451 + 3044
    assert report["snapshots"] == 1
    assert report["gaps"] == 0
    assert report["state"] == "synced"
    assert report["crossed"] == 0
    assert report["rejected"] == 0
    assert report["bbo_mismatches"] == 0
    assert report["bbo_checks"] == 1072  # shared/data/README: 1072/1072 across 0808+0809
    # The second day alone has no snapshot: its diffs can never be applied.
    _, alone = run_json(day2)
    assert (alone["snapshots"], alone["applied"], alone["state"]) == (0, 0, "needs_snapshot")
