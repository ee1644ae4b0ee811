"""`veloz backtest` end to end on the bundled real USD-M BTCUSDT capture, in a subprocess: outputs,
determinism, and every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parent.parent
CAPTURE = ROOT / "demo" / "data" / "usdm_btcusdt_20240808.gz"
EXCHANGE_INFO = ROOT / "demo" / "data" / "usdm_exchange_info_btcusdt.json"
INSTRUMENT = "binance:usdm:BTCUSDT"
MM = "strategy_sdk.examples.market_maker:MarketMaker"
OUTPUTS = ("orders.parquet", "fills.parquet", "positions.parquet", "equity.parquet", "metrics.json", "report.html")


def veloz(*args: str | Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "veloz", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("catalog")
    done = veloz("data", "import", CAPTURE, "--exchange-info", EXCHANGE_INFO, "--catalog", root)
    assert done.returncode == 0, done.stderr
    return root


def backtest(catalog: Path, out: Path, *extra: str, strategy: str = MM) -> subprocess.CompletedProcess[str]:
    progress = () if "--progress" in extra else ("--no-progress",)
    return veloz("backtest", "--strategy", strategy, "--data", catalog, "--instrument", INSTRUMENT, "--out", out,
                 *progress, *extra)


def test_a_run_writes_every_output_and_they_agree(catalog: Path, tmp_path: Path) -> None:
    done = backtest(catalog, tmp_path / "out", "--param", "refresh_ms=100")
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    assert all((out / name).is_file() for name in OUTPUTS)
    metrics = json.loads((out / "metrics.json").read_text())
    assert len(metrics["metrics"]) >= 20
    fills = pq.read_table(out / "fills.parquet")
    orders = pq.read_table(out / "orders.parquet")
    assert metrics["metrics"]["num_fills"] == fills.num_rows > 0
    assert metrics["metrics"]["num_orders"] == orders.num_rows
    # every quote is post-only: every fill is a maker fill, at a price the book offered
    assert all(fills.column("is_maker").to_pylist())
    assert set(orders.column("time_in_force").to_pylist()) == {"GTX"}
    equity = pq.read_table(out / "equity.parquet")
    assert equity.column("equity").to_pylist()[0] == 10_000.0
    assert abs(metrics["metrics"]["final_equity"] - equity.column("equity").to_pylist()[-1]) < 1e-6
    assert metrics["run"]["config"]["order_latency"][1] == 1_000_000
    html = (out / "report.html").read_text()
    assert "http://" not in html and "https://" not in html
    assert 'id="stopped-notice"' not in html
    assert "events" in done.stdout and "fills" in done.stdout


def test_two_runs_give_byte_identical_metrics_and_fills(catalog: Path, tmp_path: Path) -> None:
    args = ("--param", "refresh_ms=50", "--latency", "uniform:200us:800us", "--seed", "9")
    first, second = backtest(catalog, tmp_path / "a", *args), backtest(catalog, tmp_path / "b", *args)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    for name in ("metrics.json", "fills.parquet", "orders.parquet", "equity.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    other_seed = backtest(catalog, tmp_path / "c", "--param", "refresh_ms=50", "--latency", "uniform:200us:800us",
                          "--seed", "10")
    assert (tmp_path / "c" / "fills.parquet").read_bytes() != (tmp_path / "a" / "fills.parquet").read_bytes()


def test_a_time_range_limits_the_replay(catalog: Path, tmp_path: Path) -> None:
    done = backtest(catalog, tmp_path / "out", "--start", "2024-08-08T23:57:00", "--end", "2024-08-08T23:58:00",
                    strategy="strategy_sdk.examples.ma_cross:MovingAverageCross")
    assert done.returncode == 0, done.stderr
    run = json.loads((tmp_path / "out" / "metrics.json").read_text())["run"]
    start, end = 1723161420 * 10**9, 1723161480 * 10**9
    assert start <= run["start_ns"] and run["end_ns"] <= end
    assert 0 < run["events"] < 532_923


def test_the_progress_bar_reaches_the_end(catalog: Path, tmp_path: Path) -> None:
    done = backtest(catalog, tmp_path / "out", "--progress")
    assert done.returncode == 0, done.stderr
    assert "100.0%" in done.stderr and "532,923 events" in done.stderr


def test_a_strategy_file_path_is_accepted(catalog: Path, tmp_path: Path) -> None:
    strategy = tmp_path / "my_strategy.py"
    strategy.write_text(
        "from strategy_sdk import Strategy\n"
        "class CountTrades(Strategy):\n"
        "    def on_start(self):\n"
        "        self.n = 0\n"
        "        self.ctx.subscribe_trades('BTCUSDT')\n"
        "    def on_trade(self, trade):\n"
        "        self.n += 1\n"
        "    def on_stop(self):\n"
        "        self.ctx.log.info('trades seen: %d', self.n)\n"
        "        self.ctx.log.debug('hidden at the default level')\n")
    done = backtest(catalog, tmp_path / "out", strategy=f"{strategy}:CountTrades")
    assert done.returncode == 0, done.stderr
    assert "INFO [2024-08-09T00:00:01.105Z] trades seen: 21313" in done.stderr
    assert "hidden" not in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("--strategy", "no_such_pkg.mod:Thing"), "cannot import module 'no_such_pkg.mod'"),
    (("--strategy", "strategy_sdk.examples.ma_cross:Nope"), "has no 'Nope'"),
    (("--strategy", "strategy_sdk.examples.ma_cross"), "expected 'package.module:Class'"),
    (("--strategy", "strategy_sdk:Side"), "not a strategy_sdk.Strategy subclass"),
    (("--param", "fast=abc"), "fast"),
    (("--param", "fast=300"), "fast"),
    (("--param", "speed=3"), "speed"),
    (("--param", "fast"), "expected key=value"),
    (("--start", "2030-01-01"), "no data in the requested range"),
    (("--start", "yesterday"), "ISO 8601"),
    (("--latency", "fast"), "--latency"),
    (("--fees", "0.1"), "MAKER,TAKER"),
    (("--instrument", "binance:usdm:ETHUSDT"), "no data for binance:usdm:ETHUSDT"),
    (("--instrument", "BTCUSDT"), "venue:market:symbol"),
    (("--deposit", "nan"), "deposit must be a positive number"),
    (("--deposit", "0"), "deposit must be a positive number"),
    (("--leverage", "3000000000"), "leverage must be between 1 and 125"),
    (("--seed", "-1"), "seed must be between"),
    (("--latency", "lognormal:1ms:60:0.5"), "ln(ns)"),
])
def test_bad_input_is_a_clear_error_and_exit_2(catalog: Path, tmp_path: Path, args: tuple[str, ...],
                                               message: str) -> None:
    base = {"--strategy": "strategy_sdk.examples.ma_cross:MovingAverageCross", "--instrument": INSTRUMENT}
    options = dict(base)
    extra: list[str] = []
    i = 0
    while i < len(args):
        if args[i] in options:
            options[args[i]] = args[i + 1]
        else:
            extra += [args[i], args[i + 1]] if i + 1 < len(args) else [args[i]]
        i += 2
    done = veloz("backtest", "--strategy", options["--strategy"], "--instrument", options["--instrument"],
                 "--data", catalog, "--out", tmp_path / "out", "--no-progress", *extra)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_corrupt_parquet_file_is_named_and_nothing_is_written(catalog: Path, tmp_path: Path) -> None:
    broken = tmp_path / "catalog"
    subprocess.run(["cp", "-r", str(catalog), str(broken)], check=True)
    day = sorted(broken.rglob("trades/*.parquet"))[0]
    day.write_bytes(day.read_bytes()[: len(day.read_bytes()) // 2])
    done = backtest(broken, tmp_path / "out")
    assert done.returncode == 2
    assert day.name in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_out_path_that_is_a_file_is_refused_before_the_run(catalog: Path, tmp_path: Path) -> None:
    out = tmp_path / "taken"
    out.write_text("mine")
    done = backtest(catalog, out)
    assert done.returncode == 2 and "is not a directory" in done.stderr and "Traceback" not in done.stderr
    assert out.read_text() == "mine"


def test_a_strategy_that_fails_to_construct_exits_1_with_its_traceback(catalog: Path, tmp_path: Path) -> None:
    strategy = tmp_path / "boom.py"
    strategy.write_text("from strategy_sdk import Strategy\n"
                        "class Boom(Strategy):\n"
                        "    def __init__(self, params=None):\n"
                        "        super().__init__(params)\n"
                        "        raise RuntimeError('cannot load my model')\n")
    done = backtest(catalog, tmp_path / "out", strategy=f"{strategy}:Boom")
    assert done.returncode == 1
    assert "cannot load my model" in done.stderr and "boom.py" in done.stderr and "veloz: error:" in done.stderr
    assert not (tmp_path / "out").exists()


def test_symbols_are_case_insensitive_and_unknown_ones_list_what_there_is(catalog: Path, tmp_path: Path) -> None:
    assert veloz("backtest", "--strategy", MM, "--data", catalog, "--instrument", "binance:usdm:btcusdt", "--out",
                 tmp_path / "out", "--no-progress").returncode == 0
    done = veloz("backtest", "--strategy", MM, "--data", catalog, "--instrument", "binance:usdm:ETHUSDT", "--out",
                 tmp_path / "out2", "--no-progress")
    assert done.returncode == 2 and "it has: binance:usdm:BTCUSDT" in done.stderr


def test_a_missing_catalog_is_a_clear_error(tmp_path: Path) -> None:
    done = backtest(tmp_path / "nowhere", tmp_path / "out")
    assert done.returncode == 2 and "no such catalog directory" in done.stderr


def test_a_strategy_exception_stops_the_run_with_its_traceback_and_whole_outputs(catalog: Path, tmp_path: Path) -> None:
    strategy = tmp_path / "buggy.py"
    strategy.write_text(
        "from strategy_sdk import Side, Strategy\n"
        "class Buggy(Strategy):\n"
        "    def on_start(self):\n"
        "        self.n = 0\n"
        "        self.ctx.subscribe_trades('BTCUSDT')\n"
        "    def on_trade(self, trade):\n"
        "        self.n += 1\n"
        "        if self.n == 10:\n"
        "            self.ctx.place_order('BTCUSDT', Side.BUY, 1)\n"
        "        if self.n == 5000:\n"
        "            compute_signal(trade)\n"
        "def compute_signal(trade):\n"
        "    return {}['missing']\n")
    out = tmp_path / "out"
    done = backtest(catalog, out, strategy=f"{strategy}:Buggy")
    assert done.returncode == 1
    assert "compute_signal" in done.stderr and "KeyError" in done.stderr and "buggy.py" in done.stderr
    assert all((out / name).is_file() for name in OUTPUTS)
    fills = pq.read_table(out / "fills.parquet")
    assert fills.num_rows == 1  # the order placed before the bug filled
    metrics = json.loads((out / "metrics.json").read_text())
    assert "KeyError" in metrics["run"]["stopped_by_strategy_error"]
    assert 'id="stopped-notice"' in (out / "report.html").read_text()
    assert not list(out.glob(".*.tmp"))
