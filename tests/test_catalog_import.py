"""The capture importer on real captures: every frame lands in the right table with exact values,
counted independently from the raw lines, and a bad line stops the import naming file and line."""

from __future__ import annotations

import gzip
import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from conftest import DEMO_CAPTURE, DEMO_EXCHANGE_INFO
from veloz.data.catalog import Catalog
from veloz.data.import_captures import capture_instruments, import_capture, import_captures
from veloz.errors import CaptureFormatError, InstrumentError
from veloz.instruments import Instrument, load_exchange_info

DEMO_SNAPSHOT_LINE = 55


def raw_frames(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(local_ns, payload) of every line of an hftbacktest capture, parsed with the json module."""
    with gzip.open(path, "rt") as fh:
        return [(int(ts), json.loads(body)) for ts, _, body in (line.partition(" ") for line in fh)]


def ticks(value: str, step: str) -> int:
    quotient = Decimal(value) / Decimal(step)
    assert quotient == quotient.to_integral_value()
    return int(quotient)


def expected_hftbacktest_rows(path: Path, instrument: Instrument) -> dict[str, list[tuple[int, ...]]]:
    """The canonical rows, derived from the raw lines with Decimal arithmetic (not the importer's code)."""
    tick, lot = instrument.tick_size, instrument.lot_size
    rows: dict[str, list[tuple[int, ...]]] = {"depth": [], "trades": [], "book_ticker": []}
    futures = instrument.market != "spot"
    for local, frame in raw_frames(path):
        data = frame.get("data", frame)
        if "lastUpdateId" in data:
            ts = data["E"] * 10**6 if "E" in data else local
            for side, levels in ((1, data["bids"]), (-1, data["asks"])):
                rows["depth"] += [(ts, local, -1, data["lastUpdateId"], -1, 2, side, ticks(p, tick), ticks(q, lot))
                                  for p, q in levels]
        elif data.get("e") == "depthUpdate":
            pu = data["pu"] if futures else -1
            for side, levels in ((1, data["b"]), (-1, data["a"])):
                rows["depth"] += [(data["E"] * 10**6, local, data["U"], data["u"], pu, 0, side,
                                   ticks(p, tick), ticks(q, lot)) for p, q in levels]
        elif data.get("e") == "trade":
            rows["trades"].append((data["E"] * 10**6, local, data["t"], ticks(data["p"], tick), ticks(data["q"], lot),
                                   -1 if data["m"] else 1))
        else:
            ts = data["E"] * 10**6 if "E" in data else local
            rows["book_ticker"].append((ts, local, data["u"], ticks(data["b"], tick), ticks(data["B"], lot),
                                        ticks(data["a"], tick), ticks(data["A"], lot)))
    return rows


def rows(table: Any) -> list[tuple[int, ...]]:
    return list(zip(*(table.column(name).to_pylist() for name in table.column_names)))


def assert_same_rows(got: list[tuple[int, ...]], wanted: list[tuple[int, ...]], data_type: str) -> None:
    """Equal in receive order, except that a symbol-less snapshot line is attributed (and so
    appended) only once its whole file has been seen."""
    if data_type == "depth":
        got = [r for r in got if r[5] == 0] + [r for r in got if r[5] == 2]
        wanted = [r for r in wanted if r[5] == 0] + [r for r in wanted if r[5] == 2]
    assert got == wanted, data_type


@pytest.fixture(scope="module")
def demo_expected() -> dict[str, list[tuple[int, ...]]]:
    """The demo's rows by the independent conversion (slow: Decimal arithmetic per level), once."""
    return expected_hftbacktest_rows(DEMO_CAPTURE, load_exchange_info(DEMO_EXCHANGE_INFO)["BTCUSDT"])


def test_demo_capture_tables_equal_an_independent_conversion(demo_capture: Path, demo_exchange_info: Path,
                                                             demo_expected: dict[str, list[tuple[int, ...]]]) -> None:
    instrument = load_exchange_info(demo_exchange_info)["BTCUSDT"]
    result = import_capture(demo_capture, {"BTCUSDT": instrument})
    expected = demo_expected
    assert set(result.tables) == {"BTCUSDT"}
    for data_type, wanted in expected.items():
        assert_same_rows(rows(result.tables["BTCUSDT"][data_type]), wanted, data_type)
    # The counts the data README gives for this file.
    assert dict(result.frames) == {"depth": 6551, "book_ticker": 66089, "trade": 21313, "snapshot": 1}
    assert not result.skipped


def test_demo_capture_into_the_catalog_keeps_every_row(demo_capture: Path, demo_exchange_info: Path, tmp_path: Path,
                                                       demo_expected: dict[str, list[tuple[int, ...]]]) -> None:
    instrument = load_exchange_info(demo_exchange_info)["BTCUSDT"]
    expected = demo_expected
    result = import_capture(demo_capture, capture_instruments(demo_capture, demo_exchange_info))
    catalog = Catalog(tmp_path)
    for data_type, table in result.tables["BTCUSDT"].items():
        catalog.write("binance", "usdm", "BTCUSDT", data_type, table, instrument)
    for data_type, wanted in expected.items():
        stored = rows(catalog.read("binance", "usdm", "BTCUSDT", data_type))
        assert len(stored) == len(wanted) and sorted(stored) == sorted(wanted), data_type
    snapshot = [r for r in expected["depth"] if r[5] == 2]
    assert len(snapshot) == 2000 and {r[3] for r in snapshot} == {5123107852948}
    assert {r[0] for r in snapshot} == {1723161256501 * 10**6}  # the REST response's E, not the receive time
    again = [catalog.write("binance", "usdm", "BTCUSDT", dt, t, instrument).rows_added
             for dt, t in result.tables["BTCUSDT"].items()]
    assert again == [0, 0, 0]


# --- bad lines ------------------------------------------------------------------------------------


def demo_copy(demo_capture: Path, tmp_path: Path, n: int, edit: dict[int, bytes] | None = None) -> Path:
    with gzip.open(demo_capture, "rb") as fh:
        lines = [line.rstrip(b"\n") for line in itertools.islice(fh, n)]
    for number, replacement in (edit or {}).items():
        lines[number - 1] = replacement
    path = tmp_path / "capture.gz"
    path.write_bytes(gzip.compress(b"".join(line + b"\n" for line in lines)))
    return path


def line_of(demo_capture: Path, number: int) -> bytes:
    with gzip.open(demo_capture, "rb") as fh:
        return next(itertools.islice(fh, number - 1, None)).rstrip(b"\n")


@pytest.mark.parametrize(("number", "old", "new", "message"), [
    (3, b'"p":"61800.30"', b'"p":"61800.35"', r":3: field 'p': '61800.35' of BTCUSDT price is not a multiple"),
    (1, b'["61496.50","0.010"]', b'["61496.50","0.0105"]', r":1: field 'b\[1\]\[1\]': '0.0105' of BTCUSDT quantity"),
    (2, b',"E":1723161256313}', b'}', r":2: field 'E' is missing"),
    (3, b'"m":false', b'"m":"no"', r":3: field 'm' must be true or false"),
    (4, b'}}', b'}', r":4: invalid JSON"),
    (3, b'"t":5266583935', b'"t":9223372036854775808', r":3: field 't' must be a 64-bit integer"),
    (3, b'"E":1723161256322', b'"E":-1', r":3: field 'E' is not a time in ms or µs since 1970: -1"),
])
def test_bad_line_names_file_line_and_field(demo_capture: Path, demo_exchange_info: Path, tmp_path: Path,
                                            number: int, old: bytes, new: bytes, message: str) -> None:
    original = line_of(demo_capture, number)
    assert old in original
    path = demo_copy(demo_capture, tmp_path, 60, {number: original.replace(old, new, 1)})
    with pytest.raises(CaptureFormatError, match=f"{path}{message}"):
        import_capture(path, capture_instruments(path, demo_exchange_info))


def test_wrong_market_instrument_is_refused(demo_capture: Path, tmp_path: Path) -> None:
    spot = Instrument(symbol="BTCUSDT", market="spot", base_asset="BTC", quote_asset="USDT", margin_asset="USDT",
                      tick_size="0.10", step_size="0.001", lot_size="0.001", min_qty="0.001", min_notional="5")
    path = demo_copy(demo_capture, tmp_path, 5)
    with pytest.raises(CaptureFormatError, match=r":1: a usdm depth frame, but the instrument BTCUSDT is spot"):
        import_capture(path, {"BTCUSDT": spot})


def test_symbol_missing_from_exchange_info(demo_capture: Path, tmp_path: Path) -> None:
    path = demo_copy(demo_capture, tmp_path, 5)
    with pytest.raises(CaptureFormatError, match=r":1: no instrument for BTCUSDT in the exchangeInfo given"):
        import_capture(path, {})


def test_hftbacktest_needs_an_exchange_info(demo_capture: Path) -> None:
    with pytest.raises(InstrumentError, match="records no exchangeInfo"):
        capture_instruments(demo_capture)


def test_snapshot_after_another_symbols_frame_is_not_guessed(demo_capture: Path, demo_exchange_info: Path,
                                                             tmp_path: Path) -> None:
    ethusdt_trade = line_of(demo_capture, 3).replace(b"btcusdt@", b"ethusdt@").replace(b'"BTCUSDT"', b'"ETHUSDT"')
    path = demo_copy(demo_capture, tmp_path, 60, {10: ethusdt_trade})
    result = import_capture(path, capture_instruments(path, demo_exchange_info), symbol="BTCUSDT")
    assert result.skipped == {"other_symbol": 1, "unattributed_snapshot": 1}
    assert (result.tables["BTCUSDT"]["depth"].column("kind").to_pylist()).count(2) == 0
    alone = import_capture(demo_copy(demo_capture, tmp_path, 60), capture_instruments(path, demo_exchange_info))
    assert alone.frames["snapshot"] == 1


def test_microsecond_event_times_are_recognised(demo_capture: Path, demo_exchange_info: Path, tmp_path: Path) -> None:
    trade = line_of(demo_capture, 3)
    in_us = trade.replace(b'"E":1723161256322,', b'"E":1723161256322123,')
    result = import_capture(demo_copy(demo_capture, tmp_path, 3, {3: in_us}),
                            capture_instruments(demo_capture, demo_exchange_info))
    assert result.tables["BTCUSDT"]["trades"].column("ts_ns").to_pylist() == [1723161256322123000]


def test_several_files_continue_one_import(demo_capture: Path, demo_exchange_info: Path, tmp_path: Path) -> None:
    first = demo_copy(demo_capture, tmp_path, 60)
    second = tmp_path / "next.gz"
    second.write_bytes(first.read_bytes())
    combined = import_captures([first, second], capture_instruments(first, demo_exchange_info))
    single = import_capture(first, capture_instruments(first, demo_exchange_info))
    assert combined.rows() == {key: 2 * n for key, n in single.rows().items()}


# --- the shared corpus ----------------------------------------------------------------------------


@pytest.mark.parametrize(("capture", "info", "symbol"), [
    ("hftbacktest/spot/btcusdt_20240808.gz", "nautilus_trader/http_spot_market_exchange_info.json", "BTCUSDT"),
    ("hftbacktest/spot/ethusdt_20240809.gz", "nautilus_trader/http_spot_market_exchange_info.json", "ETHUSDT"),
    ("hftbacktest/usdm/ethusdt_20240808.gz", "nautilus_trader/http_futures_market_exchange_info.json", "ETHUSDT"),
    ("hftbacktest/cm/btcusd_perp_20240808.gz", "cryptofeed/BINANCE_DELIVERY.0", "BTCUSD_PERP"),
    ("hftbacktest/cm/ethusd_perp_20240809.gz", "cryptofeed/BINANCE_DELIVERY.0", "ETHUSD_PERP"),
])
def test_shared_hftbacktest_captures(shared_data: Path, capture: str, info: str, symbol: str) -> None:
    path = shared_data / capture
    instrument = load_exchange_info(shared_data / info)[symbol]
    result = import_capture(path, {symbol: instrument})
    for data_type, wanted in expected_hftbacktest_rows(path, instrument).items():
        assert_same_rows(rows(result.tables[symbol][data_type]), wanted, data_type)
    if instrument.market == "spot":  # spot bookTicker has no E: the receive time is its ts_ns
        book_ticker = result.tables[symbol]["book_ticker"]
        assert book_ticker.column("ts_ns").equals(book_ticker.column("local_ts_ns"))
        assert set(result.tables[symbol]["depth"].column("prev_update_id").to_pylist()) == {-1}


def count_cryptofeed(ws: Path) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for line in ws.read_text().splitlines():
        if not line.strip() or line.startswith("wss://"):
            continue
        data = json.loads(line.partition(": ")[2])["data"]
        kind = {"depthUpdate": "depth", "bookTicker": "book_ticker", "aggTrade": "agg_trades"}.get(data["e"])
        if kind:
            key = (data["s"], kind)
            counts[key] = counts.get(key, 0) + (len(data["b"]) + len(data["a"]) if kind == "depth" else 1)
    http = ws.with_name(ws.name.split(".ws.")[0] + ".http.0.0")
    for line in http.read_text().splitlines():
        if line.strip():
            head, _, body = line.partition(": {")
            symbol = head.split("symbol=")[1].split("&")[0].upper()
            doc = json.loads("{" + body)
            counts[(symbol, "depth")] = counts.get((symbol, "depth"), 0) + len(doc["bids"]) + len(doc["asks"])
    return counts


def test_cryptofeed_capture_uses_its_own_exchange_info(shared_data: Path) -> None:
    ws = shared_data / "cryptofeed" / "BINANCE_DELIVERY.ws.1.0"
    result = import_capture(ws, capture_instruments(ws))
    assert result.rows() == count_cryptofeed(ws)
    assert result.frames["snapshot"] == 10 and result.skipped == {"kline": 33}
    assert result.instruments["BTCUSD_211231"].contract_size == 100
    local = result.tables["BTCUSD_211231"]["book_ticker"].column("local_ts_ns").to_pylist()
    assert all(1626916403 * 10**9 < t < 1626916435 * 10**9 for t in local)  # float seconds -> ns


@pytest.mark.parametrize(("name", "where"), [
    ("BINANCE", r"BINANCE.http.0.0:1: field 'bids\[388\]\[0\]': '0.25974000' of NKNUSDT price"),
    ("BINANCE_FUTURES", r"BINANCE_FUTURES.http.0.0:4: field 'bids\[370\]\[0\]': '0.50579' of CTKUSDT price"),
])
def test_cryptofeed_snapshots_with_levels_off_the_recorded_tick(shared_data: Path, name: str, where: str) -> None:
    # Real data: deep levels of these REST snapshots sit between the ticks of the exchangeInfo
    # recorded with them. Stored as ticks they cannot be exact, so the import stops and says where.
    ws = shared_data / "cryptofeed" / f"{name}.ws.1.0"
    with pytest.raises(CaptureFormatError, match=where):
        import_capture(ws, capture_instruments(ws))


def test_cryptofeed_symbols_on_the_grid_import_alone(shared_data: Path) -> None:
    ws = shared_data / "cryptofeed" / "BINANCE_FUTURES.ws.1.0"
    result = import_capture(ws, capture_instruments(ws), symbol="sushiusdt")
    counts = {key: n for key, n in count_cryptofeed(ws).items() if key[0] == "SUSHIUSDT"}
    assert result.rows() == counts and result.skipped["other_symbol"] > 0
