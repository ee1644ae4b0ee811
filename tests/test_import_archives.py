"""Binance archive importer: exact values against the raw text, ms vs us, header or not, checksums,
and every refusal naming the file and line."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
import tempfile
import zipfile
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veloz.data.import_archives import SUPPORTED_DATA_TYPES, import_binance_archive
from veloz.data.schema import AGG_TRADES, BOOK_DEPTH_PCT, BOOK_TICKER, FUNDING, KLINES, TRADES, schema_for
from veloz.errors import ImportFormatError, VelozError
from veloz.instruments import Instrument, load_exchange_info

ARCHIVES = Path(__file__).parent / "data" / "archives"
HANDWRITTEN = ARCHIVES / "handwritten"

SPOT_BTCUSDT = Instrument("BTCUSDT", "spot", "BTC", "USDT", "USDT", tick_size="0.01", step_size="0.00001",
                          lot_size="0.00000001", min_qty="0.00001", min_notional="5")
SPOT_ADABTC = Instrument("ADABTC", "spot", "ADA", "BTC", "BTC", tick_size="0.00000001", step_size="0.1",
                         lot_size="0.00000001", min_qty="0.1", min_notional="0.0001")
UM_BTCUSDT = Instrument("BTCUSDT", "usdm", "BTC", "USDT", "USDT", tick_size="0.10", step_size="0.001",
                        lot_size="0.001", min_qty="0.001", min_notional="100")
CM_BTCUSD_PERP = Instrument("BTCUSD_PERP", "coinm", "BTC", "USD", "BTC", tick_size="0.1", step_size="1",
                            lot_size="1", min_qty="1", min_notional="0", contract_size=100)


def raw_rows(path: Path) -> list[list[str]]:
    """The data rows of an archive (zip or csv) as text fields, header dropped: the test's own reading."""
    data = zipfile.ZipFile(path).read(zipfile.ZipFile(path).namelist()[0]) if path.suffix == ".zip" else path.read_bytes()
    lines = [line.split(",") for line in data.decode().splitlines() if line]
    return lines[1:] if lines[0][0][:1].isalpha() else lines


def steps(text: str, step: str) -> int:
    """An exact decimal -> integer multiples of step, independently of the importer's grid code."""
    quotient = Decimal(text) / Decimal(step)
    assert quotient == quotient.to_integral_value(), (text, step)
    return int(quotient)


def epoch_ns(text: str) -> int:
    value = int(text)
    return value * 1_000 if value >= 10**14 else value * 1_000_000


def end_ns(text: str) -> int:
    value = int(text)
    unit = 1_000 if value >= 10**14 else 1_000_000
    return (value + 1) * unit - 1


def expected_kline(f: list[str], inst: Instrument) -> dict[str, int]:
    ts = epoch_ns(f[0])
    return {"ts_ns": ts, "local_ts_ns": ts, "close_ts_ns": end_ns(f[6]),
            "open": steps(f[1], inst.tick_size), "high": steps(f[2], inst.tick_size),
            "low": steps(f[3], inst.tick_size), "close": steps(f[4], inst.tick_size),
            "volume": steps(f[5], inst.lot_size), "quote_volume_e8": steps(f[7], "0.00000001"),
            "trade_count": int(f[8]), "taker_buy_volume": steps(f[9], inst.lot_size),
            "taker_buy_quote_volume_e8": steps(f[10], "0.00000001")}


def copy(src: Path, dst_dir: Path, name: str | None = None) -> Path:
    dst = dst_dir / (name or src.name)
    shutil.copyfile(src, dst)
    return dst


def zip_csv(path: Path, member: str, text: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, text)
    return path


# --- real excerpts (always run) -------------------------------------------------------------------


def test_spot_1h_kline_zip_in_microseconds_first_and_last_rows() -> None:
    path = ARCHIVES / "BTCUSDT-1h-2026-05-08.zip"
    tables = import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")
    assert list(tables) == ["klines_1h"]
    table = tables["klines_1h"]
    assert table.schema.equals(KLINES) and table.num_rows == 24
    # 1778198400000000,80006.00000000,80142.84000000,79729.72000000,79831.99000000,958.06006000,
    # 1778201999999999,76636658.96208970,67626,559.85461000,44801546.15802500,0
    assert table.slice(0, 1).to_pylist()[0] == {
        "ts_ns": 1778198400000000000, "local_ts_ns": 1778198400000000000, "close_ts_ns": 1778201999999999999,
        "open": 8000600, "high": 8014284, "low": 7972972, "close": 7983199, "volume": 95806006000,
        "quote_volume_e8": 7663665896208970, "trade_count": 67626, "taker_buy_volume": 55985461000,
        "taker_buy_quote_volume_e8": 4480154615802500}
    # 1778281200000000,80262.00000000,...,441.09530000,1778284799999999,35372805.52295220,42469,...
    last = table.slice(23, 1).to_pylist()[0]
    assert (last["ts_ns"], last["close_ts_ns"], last["open"], last["volume"], last["quote_volume_e8"],
            last["trade_count"]) == (1778281200000000000, 1778284799999999999, 8026200, 44109530000,
                                     3537280552295220, 42469)
    assert table.to_pylist() == [expected_kline(f, SPOT_BTCUSDT) for f in raw_rows(path)]


def test_spot_1m_kline_bare_csv_in_milliseconds() -> None:
    path = ARCHIVES / "ADABTC-1m-2021-11-27.csv"
    table = import_binance_archive(path, SPOT_ADABTC, "spot", "ADABTC")["klines_1m"]
    assert table.schema.equals(KLINES) and table.num_rows == 10
    # 1637971200000,0.00002853,0.00002854,0.00002851,0.00002854,36304.20000000,1637971259999,1.03547608,79,...
    first = table.slice(0, 1).to_pylist()[0]
    assert (first["ts_ns"], first["close_ts_ns"], first["open"], first["high"], first["volume"],
            first["quote_volume_e8"], first["trade_count"]) == (
        1637971200000000000, 1637971259999999999, 2853, 2854, 3630420000000, 103547608, 79)
    assert table.to_pylist() == [expected_kline(f, SPOT_ADABTC) for f in raw_rows(path)]


def test_kline_close_time_is_the_last_nanosecond_of_the_bar() -> None:
    table = import_binance_archive(ARCHIVES / "ADABTC-1m-2021-11-27.csv", SPOT_ADABTC, "spot", "ADABTC")["klines_1m"]
    opens, closes = table["ts_ns"].to_pylist(), table["close_ts_ns"].to_pylist()
    assert all(close - open_ == 60 * 10**9 - 1 for open_, close in zip(opens, closes))
    assert all(later - earlier == 60 * 10**9 for earlier, later in zip(opens, opens[1:]))


def test_same_klines_written_in_microseconds_give_the_same_table(tmp_path: Path) -> None:
    rows = raw_rows(ARCHIVES / "ADABTC-1m-2021-11-27.csv")
    micro = [[str(int(f[0]) * 1000), *f[1:6], str(int(f[6]) * 1000 + 999), *f[7:]] for f in rows]
    path = tmp_path / "ADABTC-1m-2021-11-27.csv"
    path.write_text("".join(",".join(f) + "\n" for f in micro))
    as_micro = import_binance_archive(path, SPOT_ADABTC, "spot", "ADABTC")["klines_1m"]
    as_milli = import_binance_archive(ARCHIVES / "ADABTC-1m-2021-11-27.csv", SPOT_ADABTC, "spot", "ADABTC")["klines_1m"]
    assert as_micro.equals(as_milli)


def test_coinm_agg_trades_zip_with_header() -> None:
    path = ARCHIVES / "BTCUSD_PERP-aggTrades-2026-05-08.zip"
    table = import_binance_archive(path, CM_BTCUSD_PERP, "coinm", "BTCUSD_PERP")["agg_trades"]
    assert table.schema.equals(AGG_TRADES) and table.num_rows == 200
    # 480537903,79972.8,542.0,1123474160,1123474164,1778198400020,false
    assert table.slice(0, 1).to_pylist()[0] == {
        "ts_ns": 1778198400020000000, "local_ts_ns": 1778198400020000000, "trade_id": 480537903, "px": 799728,
        "qty": 542, "side": 1, "first_trade_id": 1123474160, "last_trade_id": 1123474164}
    # 480538102,79967.1,1.0,1123474582,1123474582,1778198418473,true
    assert table.slice(199, 1).to_pylist()[0] == {
        "ts_ns": 1778198418473000000, "local_ts_ns": 1778198418473000000, "trade_id": 480538102, "px": 799671,
        "qty": 1, "side": -1, "first_trade_id": 1123474582, "last_trade_id": 1123474582}
    expected = [(epoch_ns(f[5]), int(f[0]), steps(f[1], "0.1"), steps(f[2], "1"), -1 if f[6] == "true" else 1)
                for f in raw_rows(path)]
    got = list(zip(table["ts_ns"].to_pylist(), table["trade_id"].to_pylist(), table["px"].to_pylist(),
                   table["qty"].to_pylist(), table["side"].to_pylist()))
    assert got == expected


def test_header_and_no_header_read_the_same(tmp_path: Path) -> None:
    src = ARCHIVES / "BTCUSD_PERP-aggTrades-2026-05-08.zip"
    text = zipfile.ZipFile(src).read("BTCUSD_PERP-aggTrades-2026-05-08.csv").decode()
    headerless = zip_csv(tmp_path / src.name, "BTCUSD_PERP-aggTrades-2026-05-08.csv", text.split("\n", 1)[1])
    with_header = import_binance_archive(src, CM_BTCUSD_PERP, "coinm", "BTCUSD_PERP")["agg_trades"]
    without = import_binance_archive(headerless, CM_BTCUSD_PERP, "coinm", "BTCUSD_PERP")["agg_trades"]
    assert with_header.equals(without)


def test_funding_rates_are_exact_1e8_units() -> None:
    path = ARCHIVES / "BTCUSDT-fundingRate-2026-04.zip"
    table = import_binance_archive(path, UM_BTCUSDT, "usdm", "BTCUSDT")["funding"]
    assert table.schema.equals(FUNDING) and table.num_rows == 90
    # 1775001600000,8,-0.00003449 / 1775088000003,8,0.00003521 (Binance's calc_time jitter kept)
    assert table.slice(0, 1).to_pylist()[0] == {
        "ts_ns": 1775001600000000000, "local_ts_ns": 1775001600000000000, "rate_e8": -3449, "mark_px": 0}
    assert table.slice(3, 1).to_pylist()[0]["ts_ns"] == 1775088000003000000
    assert table["rate_e8"].to_pylist() == [steps(f[2], "0.00000001") for f in raw_rows(path)]
    assert set(table["mark_px"].to_pylist()) == {0}


# --- hand-written layouts (always run) ------------------------------------------------------------


def test_spot_trades_side_from_is_buyer_maker() -> None:
    table = import_binance_archive(HANDWRITTEN / "spot" / "BTCUSDT-trades-2024-08-08.csv",
                                   SPOT_BTCUSDT, "spot", "BTCUSDT")["trades"]
    assert table.schema.equals(TRADES)
    assert table.to_pylist() == [
        {"ts_ns": 1723161256313000000, "local_ts_ns": 1723161256313000000, "trade_id": 3747880001,
         "px": 5800001, "qty": 120000, "side": -1},  # True: the buyer was the maker, a seller aggressed
        {"ts_ns": 1723161256313000000, "local_ts_ns": 1723161256313000000, "trade_id": 3747880002,
         "px": 5800002, "qty": 5000000, "side": 1},
        {"ts_ns": 1723161256400000000, "local_ts_ns": 1723161256400000000, "trade_id": 3747880003,
         "px": 5799999, "qty": 100000000, "side": -1},
        {"ts_ns": 1723161257001000000, "local_ts_ns": 1723161257001000000, "trade_id": 3747880004,
         "px": 5800050, "qty": 1000, "side": 1},
    ]


def test_spot_agg_trades_in_microseconds() -> None:
    table = import_binance_archive(HANDWRITTEN / "spot" / "BTCUSDT-aggTrades-2025-01-01.csv",
                                   SPOT_BTCUSDT, "spot", "BTCUSDT")["agg_trades"]
    assert table.schema.equals(AGG_TRADES) and table.num_rows == 3
    # 3371000002,94591.80000000,0.10000000,4444000002,4444000004,1735689600012999,True,True
    assert table.slice(1, 1).to_pylist()[0] == {
        "ts_ns": 1735689600012999000, "local_ts_ns": 1735689600012999000, "trade_id": 3371000002,
        "px": 9459180, "qty": 10000000, "side": -1, "first_trade_id": 4444000002, "last_trade_id": 4444000004}


def test_usdm_trades_with_header() -> None:
    table = import_binance_archive(HANDWRITTEN / "um" / "BTCUSDT-trades-2024-08-08.csv",
                                   UM_BTCUSDT, "usdm", "BTCUSDT")["trades"]
    assert table.schema.equals(TRADES)
    assert table["trade_id"].to_pylist() == [5137710001, 5137710002, 5137710003]
    assert table["px"].to_pylist() == [618003, 618004, 618002]
    assert table["qty"].to_pylist() == [10, 118, 1500]
    assert table["side"].to_pylist() == [1, 1, -1]


def test_book_ticker_uses_event_time() -> None:
    table = import_binance_archive(HANDWRITTEN / "um" / "BTCUSDT-bookTicker-2024-03-29.csv",
                                   UM_BTCUSDT, "usdm", "BTCUSDT")["book_ticker"]
    assert table.schema.equals(BOOK_TICKER)
    # 4152013405617,69890.30,8.911,69890.40,2.174,1711670400008,1711670400013
    assert table.slice(0, 1).to_pylist()[0] == {
        "ts_ns": 1711670400013000000, "local_ts_ns": 1711670400013000000, "update_id": 4152013405617,
        "bid_px": 698903, "bid_qty": 8911, "ask_px": 698904, "ask_qty": 2174}
    assert table.num_rows == 3


def test_book_depth_becomes_percentage_bands_not_levels() -> None:
    path = HANDWRITTEN / "um" / "BTCUSDT-bookDepth-2025-05-19.csv"
    table = import_binance_archive(path, UM_BTCUSDT, "usdm", "BTCUSDT")["book_depth_pct"]
    assert table.schema.equals(BOOK_DEPTH_PCT) and table.schema.equals(schema_for("book_depth_pct"))
    assert table.num_rows == 20
    first_ts = int(datetime(2025, 5, 19, 0, 0, 9, tzinfo=timezone.utc).timestamp()) * 10**9
    # 2025-05-19 00:00:09,-5,7001.12300000,703087777.27500000
    assert table.slice(0, 1).to_pylist()[0] == {
        "ts_ns": first_ts, "local_ts_ns": first_ts, "percentage_e8": -500000000, "qty": 7001123,
        "notional_e8": 70308777727500000}
    assert sorted(set(table["ts_ns"].to_pylist())) == [first_ts, first_ts + 30 * 10**9]
    assert table["percentage_e8"].to_pylist()[:10] == [p * 10**8 for p in (-5, -4, -3, -2, -1, 1, 2, 3, 4, 5)]


def test_every_output_matches_its_canonical_schema() -> None:
    cases = [
        (ARCHIVES / "BTCUSDT-1h-2026-05-08.zip", SPOT_BTCUSDT, "klines_1h"),
        (ARCHIVES / "BTCUSD_PERP-aggTrades-2026-05-08.zip", CM_BTCUSD_PERP, "agg_trades"),
        (ARCHIVES / "BTCUSDT-fundingRate-2026-04.zip", UM_BTCUSDT, "funding"),
        (HANDWRITTEN / "spot" / "BTCUSDT-trades-2024-08-08.csv", SPOT_BTCUSDT, "trades"),
        (HANDWRITTEN / "um" / "BTCUSDT-bookTicker-2024-03-29.csv", UM_BTCUSDT, "book_ticker"),
        (HANDWRITTEN / "um" / "BTCUSDT-bookDepth-2025-05-19.csv", UM_BTCUSDT, "book_depth_pct"),
    ]
    for path, inst, data_type in cases:
        tables = import_binance_archive(path, inst, inst.market, inst.symbol)
        assert list(tables) == [data_type]
        assert tables[data_type].schema.equals(schema_for(data_type), check_metadata=True)


# --- checksums and damaged archives ---------------------------------------------------------------


def test_checksum_beside_the_zip_is_verified(tmp_path: Path) -> None:
    path = copy(ARCHIVES / "BTCUSDT-1h-2026-05-08.zip", tmp_path)
    copy(ARCHIVES / "BTCUSDT-1h-2026-05-08.zip.CHECKSUM", tmp_path)
    assert import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")["klines_1h"].num_rows == 24


def test_checksum_mismatch_is_refused(tmp_path: Path) -> None:
    path = copy(ARCHIVES / "BTCUSDT-1h-2026-05-08.zip", tmp_path)
    (tmp_path / "BTCUSDT-1h-2026-05-08.zip.CHECKSUM").write_text(f"{'0' * 64}  BTCUSDT-1h-2026-05-08.zip\n")
    with pytest.raises(ImportFormatError, match=r"BTCUSDT-1h-2026-05-08\.zip: sha256 0cef4d20.* does not match 0000"):
        import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")


def test_a_replaced_zip_fails_its_original_checksum(tmp_path: Path) -> None:
    copy(ARCHIVES / "BTCUSDT-1h-2026-05-08.zip.CHECKSUM", tmp_path)
    path = zip_csv(tmp_path / "BTCUSDT-1h-2026-05-08.zip", "BTCUSDT-1h-2026-05-08.csv",
                   "".join(",".join(f) + "\n" for f in raw_rows(ARCHIVES / "BTCUSDT-1h-2026-05-08.zip")[:23]))
    with pytest.raises(ImportFormatError, match="does not match"):
        import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")


def test_checksum_naming_another_file_is_refused(tmp_path: Path) -> None:
    path = copy(ARCHIVES / "BTCUSDT-1h-2026-05-08.zip", tmp_path)
    digest = (ARCHIVES / "BTCUSDT-1h-2026-05-08.zip.CHECKSUM").read_text().split()[0]
    (tmp_path / "BTCUSDT-1h-2026-05-08.zip.CHECKSUM").write_text(f"{digest}  BTCUSDT-1h-2026-05-09.zip")
    with pytest.raises(ImportFormatError, match="is for 'BTCUSDT-1h-2026-05-09.zip'"):
        import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")


def test_truncated_zip_is_refused(tmp_path: Path) -> None:
    data = (ARCHIVES / "BTCUSD_PERP-aggTrades-2026-05-08.zip").read_bytes()
    path = tmp_path / "BTCUSD_PERP-aggTrades-2026-05-08.zip"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFormatError, match="not a readable zip archive"):
        import_binance_archive(path, CM_BTCUSD_PERP, "coinm", "BTCUSD_PERP")


@pytest.mark.parametrize("where", [0.3, 0.5, 0.7])
def test_corrupt_compressed_data_is_refused_as_damage(tmp_path: Path, where: float) -> None:
    data = bytearray((ARCHIVES / "BTCUSD_PERP-aggTrades-2026-05-08.zip").read_bytes())
    data[int(len(data) * where)] ^= 0xFF  # inside the deflated member; the directory at the end is intact
    path = tmp_path / "BTCUSD_PERP-aggTrades-2026-05-08.zip"
    path.write_bytes(bytes(data))
    # Some flips inflate into plausible-looking garbage rows: the CRC is checked first so the
    # refusal names the real cause rather than a "malformed row".
    with pytest.raises(ImportFormatError, match=r"\[BTCUSD_PERP-aggTrades-2026-05-08\.csv\]: (CRC mismatch|damaged)"):
        import_binance_archive(path, CM_BTCUSD_PERP, "coinm", "BTCUSD_PERP")


def test_zip_with_two_files_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "BTCUSDT-1h-2026-05-08.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "")
        archive.writestr("b.csv", "")
    with pytest.raises(ImportFormatError, match="holds a.csv, b.csv"):
        import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")


# --- malformed rows: refused whole, with file and line --------------------------------------------


def write_lines(path: Path, rows: list[list[str]], header: str | None = None) -> Path:
    lines = ([header] if header else []) + [",".join(f) for f in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_off_grid_price_is_refused_with_its_line(tmp_path: Path) -> None:
    rows = raw_rows(ARCHIVES / "ADABTC-1m-2021-11-27.csv")
    rows[3][2] = "0.000028545"  # line 4, column high: a digit finer than the 1e-8 tick
    path = write_lines(tmp_path / "ADABTC-1m-2021-11-27.csv", rows)
    with pytest.raises(ImportFormatError,
                       match=r"ADABTC-1m-2021-11-27\.csv, line 4: column 'high': '0\.000028545' .*not a multiple"):
        import_binance_archive(path, SPOT_ADABTC, "spot", "ADABTC")


def test_off_grid_quantity_in_a_zip_names_member_and_line(tmp_path: Path) -> None:
    text = zipfile.ZipFile(ARCHIVES / "BTCUSD_PERP-aggTrades-2026-05-08.zip").read(
        "BTCUSD_PERP-aggTrades-2026-05-08.csv").decode().replace("79972.9,1.0,", "79972.9,1.5,", 1)
    path = zip_csv(tmp_path / "BTCUSD_PERP-aggTrades-2026-05-08.zip", "BTCUSD_PERP-aggTrades-2026-05-08.csv", text)
    with pytest.raises(ImportFormatError, match=r"\[BTCUSD_PERP-aggTrades-2026-05-08\.csv\], line 3: column 'qty'"):
        import_binance_archive(path, CM_BTCUSD_PERP, "coinm", "BTCUSD_PERP")


@pytest.mark.parametrize(("line", "damage", "message"), [
    (2, lambda f: f[:6], "expected 7 columns, found 6"),
    (3, lambda f: [*f[:6], "yes"], "column 'is_buyer_maker': 'yes' is not true or false"),
    (4, lambda f: ["12a", *f[1:]], "column 'agg_trade_id': '12a' is not an integer"),
    (5, lambda f: [*f[:5], "1778198400020000", f[6]], "reads as microseconds but the file's first timestamp is in milliseconds"),
    (6, lambda f: [f[0], "-79972.8", *f[2:]], "price -79972.8 is not positive"),
    (7, lambda f: [*f[:3], "9", "8", *f[5:]], "last_trade_id': 8 is below first_trade_id 9"),
])
def test_malformed_row_refuses_the_whole_file(tmp_path: Path, line: int, damage: Callable[[list[str]], list[str]],
                                              message: str) -> None:
    rows = raw_rows(ARCHIVES / "BTCUSD_PERP-aggTrades-2026-05-08.zip")
    rows[line - 2] = damage(rows[line - 2])
    path = write_lines(tmp_path / "BTCUSD_PERP-aggTrades-2026-05-08.csv", rows,
                       header="agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker")
    with pytest.raises(ImportFormatError) as info:
        import_binance_archive(path, CM_BTCUSD_PERP, "coinm", "BTCUSD_PERP")
    assert f"BTCUSD_PERP-aggTrades-2026-05-08.csv, line {line}: " in str(info.value)
    assert message in str(info.value)
    assert isinstance(info.value, VelozError) and isinstance(info.value, ValueError)


def test_funding_rate_finer_than_1e8_is_refused(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "BTCUSDT-fundingRate-2026-04.csv", [["1775001600000", "8", "-0.000034495"]],
                       header="calc_time,funding_interval_hours,last_funding_rate")
    with pytest.raises(ImportFormatError, match="line 2: column 'last_funding_rate': '-0.000034495'"):
        import_binance_archive(path, UM_BTCUSDT, "usdm", "BTCUSDT")


def test_header_with_the_wrong_column_count_is_refused(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "BTCUSDT-trades-2024-08-08.csv", [], header="id,price,qty,quote_qty,time,is_buyer_maker")
    with pytest.raises(ImportFormatError, match="line 1: the header has 6 columns; a spot trades archive has 7"):
        import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")


def test_byte_order_mark_before_the_header_is_ignored(tmp_path: Path) -> None:
    text = (ARCHIVES / "ADABTC-1m-2021-11-27.csv").read_text()
    path = tmp_path / "ADABTC-1m-2021-11-27.csv"
    path.write_text("\ufeff" + text, encoding="utf-8")
    assert import_binance_archive(path, SPOT_ADABTC, "spot", "ADABTC")["klines_1m"].num_rows == 10


def test_header_only_file_gives_an_empty_table(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "BTCUSDT-fundingRate-2026-05.csv", [],
                       header="calc_time,funding_interval_hours,last_funding_rate")
    table = import_binance_archive(path, UM_BTCUSDT, "usdm", "BTCUSDT")["funding"]
    assert table.num_rows == 0 and table.schema.equals(FUNDING)


# --- data type from the name, or given --------------------------------------------------------------


def test_data_type_can_be_given_for_an_unnamed_file(tmp_path: Path) -> None:
    path = copy(ARCHIVES / "ADABTC-1m-2021-11-27.csv", tmp_path, "klines.csv")
    with pytest.raises(ImportFormatError, match="cannot tell the data type from the name"):
        import_binance_archive(path, SPOT_ADABTC, "spot", "ADABTC")
    assert import_binance_archive(path, SPOT_ADABTC, "spot", "ADABTC", data_type="klines_1m")["klines_1m"].num_rows == 10


@pytest.mark.parametrize(("name", "kwargs", "message"), [
    ("ADABTC-1m-2021-11-27.csv", {"data_type": "klines_5m"}, "the file name says klines_1m, but data_type='klines_5m'"),
    ("ADABTC-1m-2021-11-27.csv", {"data_type": "depth"}, "data type 'depth' is not read from Binance archives"),
    ("ETHBTC-1m-2021-11-27.csv", {}, "the file name says symbol ETHBTC, not ADABTC"),
    ("ADABTC-1w-2021-11-27.csv", {}, "1w klines have no canonical type"),
    ("ADABTC-metrics-2021-11-27.csv", {}, "Binance 'metrics' archives are not imported"),
    ("ADABTC-fundingRate-2021-11.csv", {}, "funding archives for futures only, not spot"),
])
def test_data_type_refusals(tmp_path: Path, name: str, kwargs: dict[str, str], message: str) -> None:
    path = copy(ARCHIVES / "ADABTC-1m-2021-11-27.csv", tmp_path, name)
    with pytest.raises(ImportFormatError, match=re.escape(message)):
        import_binance_archive(path, SPOT_ADABTC, "spot", "ADABTC", **kwargs)


def test_mark_price_klines_are_not_read_as_trade_klines(tmp_path: Path) -> None:
    folder = tmp_path / "markPriceKlines" / "BTCUSDT" / "1m"
    folder.mkdir(parents=True)
    path = copy(ARCHIVES / "ADABTC-1m-2021-11-27.csv", folder, "BTCUSDT-1m-2024-08-08.csv")
    with pytest.raises(ImportFormatError, match="not trade klines"):
        import_binance_archive(path, UM_BTCUSDT, "usdm", "BTCUSDT")


def test_instrument_must_be_the_imported_symbol_and_market() -> None:
    with pytest.raises(ImportFormatError, match=r"the instrument is BTCUSDT \(usdm\) but the import is for BTCUSDT \(spot\)"):
        import_binance_archive(ARCHIVES / "BTCUSDT-1h-2026-05-08.zip", UM_BTCUSDT, "spot", "BTCUSDT")


def test_supported_data_types_are_all_canonical() -> None:
    for data_type in SUPPORTED_DATA_TYPES:
        assert isinstance(schema_for(data_type), pa.Schema)


# --- property: the unit of a file never changes the result ----------------------------------------

_KLINE_ROW = st.tuples(
    st.integers(1_500_000_000, 4_000_000_000),  # open time in seconds
    st.lists(st.integers(1, 10**9), min_size=4, max_size=4),  # o h l c in ticks
    st.integers(0, 10**12), st.integers(0, 10**15), st.integers(0, 10**6),  # volume lots, quote e8, count
)


def _kline_line(row: tuple[int, list[int], int, int, int], micro: bool) -> str:
    seconds, prices, volume, quote, count = row
    unit = 1_000_000 if micro else 1_000
    open_time, close_time = seconds * unit, (seconds + 60) * unit - 1
    px = [format(Decimal(p).scaleb(-2), "f") for p in prices]
    vol, quote_text = format(Decimal(volume).scaleb(-8), "f"), format(Decimal(quote).scaleb(-8), "f")
    return f"{open_time},{px[0]},{px[1]},{px[2]},{px[3]},{vol},{close_time},{quote_text},{count},{vol},{quote_text},0\n"


@settings(max_examples=40, deadline=None)
@given(st.lists(_KLINE_ROW, min_size=1, max_size=30))
def test_klines_in_ms_and_us_give_the_same_nanoseconds(rows: list[tuple[int, list[int], int, int, int]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tables = []
        for micro in (False, True):
            path = Path(folder) / f"{micro}.csv"
            path.write_text("".join(_kline_line(row, micro) for row in rows))
            tables.append(import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT", data_type="klines_1m")["klines_1m"])
    assert tables[0].equals(tables[1])
    assert sorted(tables[0]["ts_ns"].to_pylist()) == sorted(row[0] * 10**9 for row in rows)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1_500_000_000_000, 4_000_000_000_000), st.booleans()), min_size=1, max_size=30))
def test_agg_trades_in_ms_and_us_give_the_same_nanoseconds(rows: list[tuple[int, bool]]) -> None:
    def text(micro: bool) -> str:
        return "".join(f"{i},100.5,2.0,{i},{i},{ms * 1000 if micro else ms},{maker},True\n"
                       for i, (ms, maker) in enumerate(rows))
    with tempfile.TemporaryDirectory() as folder:
        tables = []
        for micro in (False, True):
            path = Path(folder) / "BTCUSDT-aggTrades-2024-08.csv"
            path.write_text(text(micro))
            tables.append(import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")["agg_trades"])
    assert tables[0].equals(tables[1])
    assert sorted(tables[0]["ts_ns"].to_pylist()) == sorted(ms * 10**6 for ms, _ in rows)
    by_time_then_id = sorted((ms, i, maker) for i, (ms, maker) in enumerate(rows))
    assert tables[0]["trade_id"].to_pylist() == [i for _, i, _ in by_time_then_id]
    assert tables[0]["side"].to_pylist() == [-1 if maker else 1 for _, _, maker in by_time_then_id]


# --- the real-data corpus (skipped without ../shared/data) ----------------------------------------


@pytest.mark.shared_data
@pytest.mark.parametrize("day", ["01", "02", "03"])
def test_lostleaf_spot_1m_days(shared_data: Path, day: str) -> None:
    path = shared_data / "binance_datatool-lostleaf" / f"BTCUSDT-1m-2020-01-{day}.zip"
    spot = load_exchange_info(shared_data / "nautilus_trader" / "http_spot_market_exchange_info.json")["BTCUSDT"]
    table = import_binance_archive(path, spot, "spot", "BTCUSDT")["klines_1m"]  # its .CHECKSUM is checked
    assert table.num_rows == 1440
    assert table.to_pylist() == [expected_kline(f, spot) for f in raw_rows(path)]
    opens = table["ts_ns"].to_pylist()
    assert opens[0] == int(datetime(2020, 1, int(day), tzinfo=timezone.utc).timestamp()) * 10**9
    assert all(b - a == 60 * 10**9 for a, b in zip(opens, opens[1:]))


@pytest.mark.shared_data
def test_tommy_ca_spot_1h_days_in_microseconds(shared_data: Path) -> None:
    for day in ("08", "09"):
        path = shared_data / "binance_datatool-tommy-ca" / f"BTCUSDT-1h-2026-05-{day}.zip"
        table = import_binance_archive(path, SPOT_BTCUSDT, "spot", "BTCUSDT")["klines_1h"]
        assert table.to_pylist() == [expected_kline(f, SPOT_BTCUSDT) for f in raw_rows(path)]
        assert table.num_rows == 24


@pytest.mark.shared_data
def test_tommy_ca_full_coinm_agg_trades_day(shared_data: Path) -> None:
    path = shared_data / "binance_datatool-tommy-ca" / "BTCUSD_PERP-aggTrades-2026-05-08.zip"
    table = import_binance_archive(path, CM_BTCUSD_PERP, "coinm", "BTCUSD_PERP")["agg_trades"]
    assert table.num_rows == 105280
    # last line: 480643182,80153.7,32.0,1123714357,1123714357,1778284799655,false
    assert table.slice(105279, 1).to_pylist()[0] == {
        "ts_ns": 1778284799655000000, "local_ts_ns": 1778284799655000000, "trade_id": 480643182, "px": 801537,
        "qty": 32, "side": 1, "first_trade_id": 1123714357, "last_trade_id": 1123714357}
    raw = raw_rows(path)
    assert table["trade_id"].to_pylist() == [int(f[0]) for f in raw]
    assert table["qty"].to_pylist() == [steps(f[2], "1") for f in raw]
    assert table["side"].to_pylist() == [-1 if f[6] == "true" else 1 for f in raw]


@pytest.mark.shared_data
def test_tommy_ca_funding_month(shared_data: Path) -> None:
    path = shared_data / "binance_datatool-tommy-ca" / "BTCUSDT-fundingRate-2026-04.zip"
    table = import_binance_archive(path, UM_BTCUSDT, "usdm", "BTCUSDT")["funding"]
    assert table["rate_e8"].to_pylist() == [steps(f[2], "0.00000001") for f in raw_rows(path)]
    assert table.num_rows == 90


@pytest.mark.shared_data
def test_nautilus_adabtc_days(shared_data: Path) -> None:
    for day, rows in (("27", 10), ("28", 11)):
        path = shared_data / "nautilus_trader" / f"ADABTC-1m-2021-11-{day}.csv"
        table = import_binance_archive(path, SPOT_ADABTC, "spot", "ADABTC")["klines_1m"]
        assert table.num_rows == rows
        assert table.to_pylist() == [expected_kline(f, SPOT_ADABTC) for f in raw_rows(path)]


@pytest.mark.shared_data
def test_fixture_excerpt_is_the_start_of_the_real_day(shared_data: Path) -> None:
    cut = raw_rows(ARCHIVES / "BTCUSD_PERP-aggTrades-2026-05-08.zip")
    full = raw_rows(shared_data / "binance_datatool-tommy-ca" / "BTCUSD_PERP-aggTrades-2026-05-08.zip")
    assert cut == full[:200]

