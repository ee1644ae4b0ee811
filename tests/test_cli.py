"""The `veloz` command line, run as a real subprocess on real captures."""

from __future__ import annotations

import dataclasses
import gzip
import importlib.metadata
import itertools
import json
import os
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
    assert f"(held for a snapshot {report['buffered']}, stale {report['stale']})" in out
    assert "without a symbol" not in out


def test_unattributed_snapshot_in_the_human_output(short_capture: Path, tmp_path: Path) -> None:
    with gzip.open(short_capture, "rb") as fh:
        lines = fh.read().splitlines(keepends=True)
    # ETH frames first (BTC's renamed), then the BTC capture with its symbol-less REST snapshot.
    eth = [line.replace(b'"btcusdt@', b'"ethusdt@').replace(b'"s":"BTCUSDT"', b'"s":"ETHUSDT"')
           for line in lines[:50]]
    path = tmp_path / "eth_then_btc.gz"
    path.write_bytes(gzip.compress(b"".join(eth + lines), compresslevel=1))
    result = run("book", "replay", path, "--symbol", "BTCUSDT")
    assert result.returncode == 1, result.stderr  # never synchronised
    assert "snapshots        0  (1 without a symbol skipped" in result.stdout
    assert "not synchronised at the end" in result.stdout
    _, report = run_json(path, "--symbol", "BTCUSDT")
    assert (report["unattributed_snapshots"], report["snapshots"], report["state"]) == (1, 0, "needs_snapshot")


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


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"veloz {importlib.metadata.version('veloz')}"


def test_python_dash_m_veloz(short_capture: Path) -> None:
    result, report = run_json(short_capture, command=[sys.executable, "-m", "veloz"])
    assert result.returncode == 0, result.stderr
    assert (report["symbol"], report["state"]) == ("BTCUSDT", "synced")
    assert "usage: veloz" in run("--help", command=[sys.executable, "-m", "veloz"]).stdout


# --- docs/cli.md says what the command does -------------------------------------------------------


def test_documented_example_is_the_real_output() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text()
    block = doc.split("```\n$ veloz ", 1)[1].split("```", 1)[0]
    command, *expected = block.splitlines()
    result = run(*command.split())
    assert result.returncode == 0, result.stderr
    actual = result.stdout.splitlines()
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected):
        if not want.startswith("  elapsed "):  # timing varies
            assert got == want


def test_every_report_field_is_documented() -> None:
    from veloz.book_replay import ReplayReport

    report_section = (ROOT / "docs" / "cli.md").read_text().split("### Report", 1)[1].split("###", 1)[0]
    for field in dataclasses.fields(ReplayReport):
        assert f"`{field.name}`" in report_section, field.name


# --- bad option values: one line, exit 2, nothing replayed ------------------------------------------


@pytest.fixture(scope="module")
def short_capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's first 3000 lines (REST snapshot on line 55): quick to replay."""
    with gzip.open(ROOT / DEMO, "rb") as fh:
        data = b"".join(itertools.islice(fh, 3000))
    path = tmp_path_factory.mktemp("captures") / "btc_3000.gz"
    path.write_bytes(gzip.compress(data, compresslevel=1))
    return path


def test_negative_top_is_refused_before_replaying() -> None:
    result = run("book", "replay", DEMO, "--top", "-1")
    line = assert_one_line_error(result)
    assert "--top must be >= 0" in line
    assert result.stdout == ""


def test_huge_top_shows_every_level(short_capture: Path) -> None:
    result, report = run_json(short_capture, "--top", "100000000000")
    assert result.returncode == 0, result.stderr
    assert 5 < len(report["top_bids"]) < 10_000 and 5 < len(report["top_asks"]) < 10_000


def test_empty_symbol_is_refused(short_capture: Path) -> None:
    line = assert_one_line_error(run("book", "replay", short_capture, "--symbol", ""))
    assert "--symbol is empty" in line


def test_market_contradicting_the_capture(short_capture: Path) -> None:
    line = assert_one_line_error(run("book", "replay", short_capture, "--market", "coinm", "--json"))
    assert "coinm" in line and "usdm" in line


def test_exchange_info_of_another_market_than_requested(short_capture: Path, tmp_path: Path) -> None:
    doc = json.loads((ROOT / DEMO_INFO).read_text())
    del doc["symbols"][0]["contractType"]
    doc["symbols"][0]["isSpotTradingAllowed"] = True  # now shaped as a spot document
    spot = tmp_path / "spot_info.json"
    spot.write_text(json.dumps(doc))
    line = assert_one_line_error(run("book", "replay", short_capture, "--exchange-info", spot, "--market", "usdm"))
    assert str(spot) in line and "spot" in line and "usdm" in line


def test_snapshots_option_with_an_hftbacktest_capture(short_capture: Path, tmp_path: Path) -> None:
    snapshots = tmp_path / "BINANCE_FUTURES.http.0.0"
    snapshots.write_text("https://fapi.binance.com/fapi/v1/depth?symbol=BTCUSDT -> 1723161255.3: "
                         '{"lastUpdateId":1,"bids":[],"asks":[]}\n')
    line = assert_one_line_error(run("book", "replay", short_capture, "--snapshots", snapshots))
    assert "cryptofeed" in line and str(short_capture) in line


@pytest.mark.parametrize(("mutate", "words"), [
    (lambda doc: doc["symbols"][0]["filters"][0].update(tickSize=0.1), ["BTCUSDT", "tickSize"]),
    (lambda doc: doc["symbols"][0].update(contractSize="abc"), ["BTCUSDT", "contractSize"]),
    (lambda doc: doc.update(symbols=[5]), ["symbols[0]"]),
    (lambda doc: doc.pop("symbols"), ["symbols"]),
], ids=["numeric-tickSize", "text-contractSize", "symbols-of-numbers", "no-symbols"])
def test_malformed_exchange_info(short_capture: Path, tmp_path: Path, mutate: Any, words: list[str]) -> None:
    doc = json.loads((ROOT / DEMO_INFO).read_text())
    mutate(doc)
    info = tmp_path / "info.json"
    info.write_text(json.dumps(doc))
    line = assert_one_line_error(run("book", "replay", short_capture, "--exchange-info", info))
    assert str(info) in line
    for word in words:
        assert word in line


def test_truncated_exchange_info_is_invalid_json(short_capture: Path, tmp_path: Path) -> None:
    info = tmp_path / "info.json"
    info.write_text("[1,2")
    line = assert_one_line_error(run("book", "replay", short_capture, "--exchange-info", info))
    assert f"{info}: invalid JSON at line 1 column 5" in line


@pytest.mark.parametrize("bad", ["directory", "/dev/null"])
def test_file_that_is_not_a_regular_file(short_capture: Path, tmp_path: Path, bad: str) -> None:
    path = tmp_path if bad == "directory" else Path(bad)
    line = assert_one_line_error(run("book", "replay", short_capture, path))
    assert str(path) in line
    assert ("is a directory" if bad == "directory" else "is not a regular file") in line
    assert "not found" not in line


# --- output into a pipe that closes early (`| head -1`) --------------------------------------------


def run_into_closed_pipe(*args: str | Path, buffered: bool) -> subprocess.CompletedProcess[bytes]:
    """Runs veloz with stdout a pipe whose reader is already gone: every write fails with EPIPE,
    the worst case of `veloz ... | head -1` (whether head exits first is a race). `buffered`:
    stdout block-buffered as usual, else written at once (PYTHONUNBUFFERED)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if not buffered:
        env["PYTHONUNBUFFERED"] = "1"
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run([sys.executable, "-m", "veloz", *map(str, args)], cwd=ROOT, stdout=write_end,
                              stderr=subprocess.PIPE, env=env, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("options", [[], ["--json"]], ids=["table", "json"])
def test_closed_pipe_exits_quietly_with_141(short_capture: Path, options: list[str], buffered: bool) -> None:
    result = run_into_closed_pipe("book", "replay", short_capture, *options, buffered=buffered)
    assert result.stderr == b""
    assert result.returncode == 141


@pytest.mark.parametrize("buffered", [True, False], ids=["buffered", "unbuffered"])
@pytest.mark.parametrize("option", ["--help", "--version"])
def test_closed_pipe_on_help_and_version_is_quiet(option: str, buffered: bool) -> None:
    result = run_into_closed_pipe(option, buffered=buffered)
    assert result.stderr == b""
    assert result.returncode in (0, 141)  # 0 when argparse's own write meets the closed pipe


def test_piped_into_head(short_capture: Path) -> None:
    result = subprocess.run(f"{sys.executable} -m veloz book replay {short_capture} | head -1", shell=True,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.startswith("VeloZ book replay: usdm BTCUSDT")
    assert result.stdout.count("\n") == 1
    assert result.stderr == ""


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
