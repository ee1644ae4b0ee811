"""`veloz data import|ls|check`, run as real subprocesses: output, exit codes, and what reaches the
catalog when an import fails."""

from __future__ import annotations

import gzip
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from catalog_tables import T0, trades, usdm_btcusdt
from veloz.data.catalog import Catalog

ROOT = Path(__file__).resolve().parent.parent
DEMO = "demo/data/usdm_btcusdt_20240808.gz"
DEMO_INFO = "demo/data/usdm_exchange_info_btcusdt.json"


def veloz(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "veloz.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def one_json(result: subprocess.CompletedProcess[str]) -> Any:
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout + result.stderr
    return json.loads(lines[0])


def assert_usage_error(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("veloz: error: ") and fragment in lines[0], result.stderr


@pytest.fixture(scope="module")
def demo_catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    catalog = tmp_path_factory.mktemp("catalog")
    return catalog, veloz("data", "import", DEMO, "--exchange-info", DEMO_INFO, "--catalog", catalog, "--json")


def test_import_demo(demo_catalog: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, result = demo_catalog
    assert result.returncode == 0, result.stderr
    report = one_json(result)
    assert {(w["data_type"], w["rows"], w["rows_added"]) for w in report["written"]} == {
        ("book_ticker", 66089, 66089), ("depth", 445521, 445521), ("trades", 21313, 21313)}
    assert report["frames"] == {"depth": 6551, "book_ticker": 66089, "trade": 21313, "snapshot": 1}


def test_reimport_adds_nothing(demo_catalog: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    catalog, _ = demo_catalog
    result = veloz("data", "import", DEMO, "--exchange-info", DEMO_INFO, "--catalog", catalog)
    assert result.returncode == 0, result.stderr
    assert "445521 rows           0 new  0 file(s) written" in result.stdout


def test_ls_table_and_json(demo_catalog: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    catalog, _ = demo_catalog
    table = veloz("data", "ls", "--catalog", catalog)
    assert table.returncode == 0
    assert table.stdout.splitlines()[0].split()[:4] == ["VENUE", "MARKET", "SYMBOL", "TYPE"]
    assert any(line.split()[:4] == ["binance", "usdm", "BTCUSDT", "depth"] and "445521" in line.split()
               for line in table.stdout.splitlines())
    listing = one_json(veloz("data", "ls", "--catalog", catalog, "--json"))
    assert [(e["data_type"], e["rows"], e["first_date"], e["last_date"]) for e in listing] == [
        ("book_ticker", 66089, "2024-08-08", "2024-08-09"), ("depth", 445521, "2024-08-08", "2024-08-09"),
        ("trades", 21313, "2024-08-08", "2024-08-08")]


def test_check_clean_demo_exits_0(demo_catalog: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    catalog, _ = demo_catalog
    result = veloz("data", "check", "--catalog", catalog, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = one_json(result)
    assert report["failed"] is False and len(report["reports"]) == 3
    text = veloz("data", "check", "--catalog", catalog, "--symbol", "btcusdt", "--type", "trades",
                 "--start", "2024-08-08T23:58", "--end", "2024-08-09")
    assert text.returncode == 0 and text.stdout.splitlines()[-1] == "ok: 0 of 1 series with findings"


def test_check_finds_injected_problems_and_exits_1(tmp_path: Path) -> None:
    rows = [(T0 + i, T0 + i, 100 + i, 600_000, 1, 1) for i in range(10)]
    del rows[4]  # trade 104 missing
    Catalog(tmp_path).write("binance", "usdm", "BTCUSDT", "trades", trades(rows), usdm_btcusdt())
    result = veloz("data", "check", "--catalog", tmp_path, "--json")
    assert result.returncode == 1, result.stderr
    findings = {f["check"]: f for f in one_json(result)["reports"][0]["findings"]}
    assert findings["gaps"]["count"] == 1 and findings["gaps"]["examples"][0]["trade_id"] == 105
    text = veloz("data", "check", "--catalog", tmp_path)
    assert text.returncode == 1 and "FAILED" in text.stdout and '"missing": 1' in text.stdout


@pytest.mark.parametrize(("args", "fragment"), [
    (["data", "ls", "--catalog", "no/such/dir"], "catalog directory no/such/dir does not exist"),
    (["data", "check", "--catalog", "no/such/dir"], "catalog directory no/such/dir does not exist"),
    (["data", "check", "--catalog", "demo", "--start", "yesterday"], "--start 'yesterday' is not an ISO 8601 time"),
    (["data", "check", "--catalog", "demo", "--start", "2024-08-09", "--end", "2024-08-08"], "is not before --end"),
    (["data", "check", "--catalog", "demo"], "nothing to check: no series in demo matches"),
    (["data", "import", DEMO, "--catalog", "unused"], "records no exchangeInfo; give one (--exchange-info)"),
    (["data", "import", "missing.gz", "--catalog", "unused"], "source not found: missing.gz"),
    (["data", "import", DEMO, "--catalog", "unused", "--format", "tardis"],
     "--format tardis needs --symbol, --market"),
    (["data", "import", DEMO, "--catalog", "unused", "--format", "cryptofeed", "--exchange-info", DEMO_INFO],
     "is a capture in hftbacktest format, not cryptofeed"),
    (["data", "import", DEMO, "--catalog", DEMO, "--exchange-info", DEMO_INFO], "is not a directory"),
])
def test_usage_errors_exit_2_with_one_line(args: list[str], fragment: str) -> None:
    assert_usage_error(veloz(*args), fragment)
    assert not (ROOT / "unused").exists()


def test_argparse_errors_exit_2() -> None:
    result = veloz("data")
    assert result.returncode == 2 and "usage: veloz data" in result.stderr
    assert veloz("data", "check").returncode == 2  # --catalog is required


def test_failed_import_writes_nothing(tmp_path: Path) -> None:
    with gzip.open(ROOT / DEMO, "rb") as fh:
        lines = list(itertools.islice(fh, 200))
    bad = next(i for i in range(150, 200) if b"@trade" in lines[i])
    lines[bad] = lines[bad].replace(b'"p":"', b'"p":"x', 1)
    capture = tmp_path / "bad.gz"
    capture.write_bytes(gzip.compress(b"".join(lines)))
    catalog = tmp_path / "catalog"
    result = veloz("data", "import", ROOT / DEMO, capture, "--exchange-info", ROOT / DEMO_INFO, "--catalog", catalog)
    assert_usage_error(result, f"{capture}:{bad + 1}: field 'p': 'x")
    assert not catalog.exists()  # the first, good source was converted but not written either


def test_clashing_instrument_is_refused_before_any_write(tmp_path: Path) -> None:
    info = json.loads((ROOT / DEMO_INFO).read_text())
    for symbol in info["symbols"]:
        for rule in symbol["filters"]:
            if rule["filterType"] == "PRICE_FILTER":
                rule["tickSize"] = "0.01"
    finer = tmp_path / "finer.json"
    finer.write_text(json.dumps(info))
    catalog = tmp_path / "catalog"
    Catalog(catalog).write("binance", "usdm", "BTCUSDT", "trades",
                           trades([(T0, T0, 1, 617_000, 1, 1)]), usdm_btcusdt())
    result = veloz("data", "import", DEMO, "--exchange-info", finer, "--catalog", catalog)
    assert_usage_error(result, "holds a different instrument for BTCUSDT")
    assert sorted(p.name for p in (catalog / "binance/usdm/BTCUSDT").iterdir()) == ["instrument.json", "trades"]


def test_cryptofeed_import_uses_the_recorded_exchange_info(shared_data: Path, tmp_path: Path) -> None:
    delivery = shared_data / "cryptofeed" / "BINANCE_DELIVERY.ws.1.0"
    result = veloz("data", "import", delivery, "--catalog", tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    report = one_json(result)
    assert report["skipped"] == {"kline": 33} and report["frames"]["snapshot"] == 10
    assert {w["market"] for w in report["written"]} == {"coinm"}
    assert veloz("data", "check", "--catalog", tmp_path).returncode == 0
    spot = shared_data / "cryptofeed" / "BINANCE.ws.1.0"
    assert_usage_error(veloz("data", "import", spot, "--catalog", tmp_path / "spot"),
                       "BINANCE.http.0.0:1: field 'bids[388][0]': '0.25974000' of NKNUSDT price")
    assert not (tmp_path / "spot").exists()


ARCHIVE = ROOT / "tests" / "data" / "archives" / "BTCUSDT-fundingRate-2026-04.zip"
TARDIS_TRADES = ROOT / "tests" / "data" / "tardis" / "binance-futures_trades_BTCUSDT.csv"


def test_archive_and_tardis_imports_take_the_instrument_from_the_catalog(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog"
    refused = veloz("data", "import", ARCHIVE, "--catalog", catalog)  # format and symbol from the file name
    assert_usage_error(refused, "needs --market, --exchange-info")
    assert veloz("data", "import", DEMO, "--exchange-info", DEMO_INFO, "--catalog", catalog).returncode == 0
    done = veloz("data", "import", ARCHIVE, "--market", "usdm", "--catalog", catalog)
    assert done.returncode == 0, done.stderr
    done = veloz("data", "import", TARDIS_TRADES, "--format", "tardis", "--market", "usdm", "--symbol", "btcusdt",
                 "--catalog", catalog)
    assert done.returncode == 0, done.stderr
    stored = Catalog(catalog)
    funding = stored.read("binance", "usdm", "BTCUSDT", "funding")
    assert funding.num_rows == 90  # April 2026, every 8 hours
    assert stored.read("binance", "usdm", "BTCUSDT", "trades").num_rows == 21313 + 4
