"""The Parquet catalog's write path: layout, validation, merge and de-duplication, instrument.json,
atomic replacement and damaged files. Every test writes real Parquet files under tmp_path."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from catalog_tables import NS, T0, rows_of, spot_btcusdt, table, trades, usdm_btcusdt
from veloz.data.catalog import Catalog
from veloz.data.schema import instrument_to_dict, schema_for
from veloz.errors import CatalogError

SERIES = ("binance", "usdm", "BTCUSDT")
MIDNIGHT = T0 + 60 * NS  # 2024-08-09 00:00:00 UTC


def straddling_midnight() -> pa.Table:
    """Five trades, two before midnight UTC and three after, given out of order."""
    return trades([
        (MIDNIGHT + 2, MIDNIGHT + 9, 14, 618000, 3, 1),
        (T0, T0 + 5, 10, 617990, 1, -1),
        (MIDNIGHT, MIDNIGHT + 7, 12, 618001, 2, 1),
        (MIDNIGHT - 1, MIDNIGHT + 1, 11, 617995, 5, 1),
        (MIDNIGHT, MIDNIGHT + 7, 13, 618002, 1, -1),
    ])


def test_partition_layout_and_instrument_file(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    result = catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    symbol_dir = tmp_path / "binance" / "usdm" / "BTCUSDT"
    day1, day2 = symbol_dir / "trades" / "2024-08-08.parquet", symbol_dir / "trades" / "2024-08-09.parquet"
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == sorted([day1, day2, symbol_dir / "instrument.json"])
    assert result.rows_in == 5 and result.rows_added == 5 and result.files_written == [day1, day2]
    # Each file holds its UTC day, sorted by (ts_ns, local_ts_ns, trade_id).
    assert [r[2] for r in rows_of(pq.read_table(day1))] == [10, 11]
    assert [r[2] for r in rows_of(pq.read_table(day2))] == [12, 13, 14]
    assert json.loads((symbol_dir / "instrument.json").read_text()) == instrument_to_dict(usdm_btcusdt())
    assert catalog.instrument(*SERIES) == usdm_btcusdt()


def test_parquet_layout_zstd_delta_statistics(tmp_path: Path) -> None:
    Catalog(tmp_path, row_group_rows=2).write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    meta = pq.ParquetFile(tmp_path / "binance/usdm/BTCUSDT/trades/2024-08-09.parquet").metadata
    assert meta.num_row_groups == 2  # 3 rows, 2 per group
    columns = {meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i) for i in range(meta.num_columns)}
    for name, column in columns.items():
        assert column.compression == "ZSTD"
        assert column.statistics is not None and column.statistics.has_min_max
        if name in ("ts_ns", "local_ts_ns", "trade_id"):
            assert "DELTA_BINARY_PACKED" in column.encodings and "RLE_DICTIONARY" not in column.encodings
        else:
            assert "RLE_DICTIONARY" in column.encodings


def test_round_trip_is_exact(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    back = catalog.read(*SERIES, "trades")
    assert back.schema == schema_for("trades")
    assert rows_of(back) == sorted(rows_of(straddling_midnight()), key=lambda r: (r[0], r[1], r[2]))


def test_depth_levels_of_one_message_keep_their_order(tmp_path: Path) -> None:
    # The levels of one message tie on every sort key; the stable sort must not reorder them.
    levels = [(T0, T0 + 1, 100, 105, 99, 0, side, px, qty)
              for side, px, qty in [(1, 9, 1), (1, 3, 0), (1, 7, 2), (-1, 12, 4), (-1, 10, 0), (-1, 11, 1)]]
    later = [(T0 + 1, T0 + 2, 106, 110, 105, 0, -1, 20, 1)]
    catalog = Catalog(tmp_path)
    catalog.write(*SERIES, "depth", table("depth", later + levels), usdm_btcusdt())
    assert rows_of(catalog.read(*SERIES, "depth")) == levels + later


def test_reimport_does_not_duplicate(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    files = sorted((tmp_path / "binance/usdm/BTCUSDT/trades").iterdir())
    mtimes = [f.stat().st_mtime_ns for f in files]
    again = catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    assert again.rows_added == 0 and again.files_written == []
    assert [f.stat().st_mtime_ns for f in files] == mtimes  # nothing was rewritten
    assert catalog.read(*SERIES, "trades").num_rows == 5


def test_overlapping_import_merges_union(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    first = rows_of(straddling_midnight())
    catalog.write(*SERIES, "trades", trades(first[:3]), usdm_btcusdt())
    newer = (MIDNIGHT + 50, MIDNIGHT + 51, 15, 618010, 1, 1)
    result = catalog.write(*SERIES, "trades", trades([*first[1:], newer]), usdm_btcusdt())
    assert result.rows_added == 3  # two rows of the first import were given again
    assert [r[2] for r in rows_of(catalog.read(*SERIES, "trades"))] == [10, 11, 12, 13, 14, 15]


def test_exact_duplicates_within_one_table_are_dropped(tmp_path: Path) -> None:
    row = (T0, T0 + 1, 7, 100, 1, 1)
    same_id_other_price = (T0, T0 + 1, 7, 101, 1, 1)  # not an exact duplicate: kept, for the checks to find
    result = Catalog(tmp_path).write(*SERIES, "trades", trades([row, row, same_id_other_price, row]), usdm_btcusdt())
    assert result.rows_added == 2
    assert rows_of(Catalog(tmp_path).read(*SERIES, "trades")) == [row, same_id_other_price]


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.drop_columns(["qty"]), "no column 'qty'"),
    (lambda t: t.set_column(3, "px", t.column("px").cast(pa.int32())), "'px' must be int64, not int32"),
    (lambda t: t.append_column("venue", pa.array(["x"] * t.num_rows)), "unknown column 'venue'"),
    (lambda t: t.set_column(5, "side", pa.array([1, None, 1, 1, -1], pa.int8())), "'side' holds 1 null"),
    (lambda t: t.append_column("px", t.column("px")), "column 'px' more than once"),
])
def test_schema_violations_name_the_column(tmp_path: Path, change, message: str) -> None:  # noqa: ANN001
    with pytest.raises(CatalogError, match=message):
        Catalog(tmp_path).write(*SERIES, "trades", change(straddling_midnight()), usdm_btcusdt())
    assert not any(tmp_path.rglob("*.parquet"))


def test_columns_in_another_order_are_accepted(tmp_path: Path) -> None:
    shuffled = straddling_midnight().select(["side", "qty", "px", "trade_id", "local_ts_ns", "ts_ns"])
    Catalog(tmp_path).write(*SERIES, "trades", shuffled, usdm_btcusdt())
    assert Catalog(tmp_path).read(*SERIES, "trades").column_names == schema_for("trades").names


def test_a_different_instrument_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    finer = dataclasses.replace(usdm_btcusdt(), tick_size="0.01")
    later = trades([(MIDNIGHT + 99, MIDNIGHT + 99, 99, 6180000, 1, 1)])
    with pytest.raises(CatalogError, match=r"tick_size '0.10' stored, '0.01' given"):
        catalog.write(*SERIES, "trades", later, finer)
    with pytest.raises(CatalogError, match="tick_size"):
        catalog.write(*SERIES, "depth", table("depth", []), finer)  # any data type of the symbol
    assert catalog.read(*SERIES, "trades").num_rows == 5


def test_instrument_must_match_market_and_symbol(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="instrument spot BTCUSDT given for data of usdm BTCUSDT"):
        Catalog(tmp_path).write(*SERIES, "trades", straddling_midnight(), spot_btcusdt())


@pytest.mark.parametrize(("series", "message"), [
    (("binance", "usdm", "../etc", "trades"), "symbol '../etc' cannot name a catalog directory"),
    (("binance", "usdm", ".hidden", "trades"), "symbol '.hidden'"),
    (("bin/ance", "usdm", "BTCUSDT", "trades"), "venue 'bin/ance'"),
    (("binance", "futures", "BTCUSDT", "trades"), "market must be one of spot, usdm, coinm"),
    (("binance", "usdm", "BTCUSDT", "klines_7m"), "unknown data type 'klines_7m'"),
])
def test_bad_series_names_are_refused(tmp_path: Path, series: tuple[str, str, str, str], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        Catalog(tmp_path).scan(*series)


def test_empty_table_writes_nothing(tmp_path: Path) -> None:
    result = Catalog(tmp_path).write(*SERIES, "trades", trades([]), usdm_btcusdt())
    assert result.rows_added == 0 and not any(tmp_path.iterdir())
    assert Catalog(tmp_path).read(*SERIES, "trades").num_rows == 0


# --- atomic replacement ---------------------------------------------------------------------------


def test_failed_write_leaves_old_file_intact_and_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(tmp_path, row_group_rows=1)
    catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    day_dir = tmp_path / "binance/usdm/BTCUSDT/trades"
    before = {p.name: p.read_bytes() for p in day_dir.iterdir()}
    seen_temp: list[str] = []
    real_write_table = pq.ParquetWriter.write_table

    def disk_fills_up(self: pq.ParquetWriter, tbl: pa.Table, row_group_size: int | None = None) -> None:
        real_write_table(self, tbl.slice(0, 1), row_group_size)  # part of the file reaches the disk
        seen_temp.extend(p.name for p in day_dir.iterdir() if p.name.endswith(".tmp"))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", disk_fills_up)
    more = trades([(MIDNIGHT + 5, MIDNIGHT + 5, 20, 618000, 1, 1)])
    with pytest.raises(CatalogError, match="cannot write .*2024-08-09.parquet.*No space left"):
        catalog.write(*SERIES, "trades", more, usdm_btcusdt())
    assert seen_temp, "the failure was meant to happen after the temp file was created"
    assert {p.name: p.read_bytes() for p in day_dir.iterdir()} == before
    monkeypatch.undo()
    assert catalog.read(*SERIES, "trades").num_rows == 5


def test_a_killed_writer_leaves_a_temp_file_that_readers_ignore(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    day_dir = tmp_path / "binance/usdm/BTCUSDT/trades"
    old = (day_dir / "2024-08-09.parquet").read_bytes()
    # A child process dies (os._exit: no cleanup, no finally) half way through its write.
    child = textwrap.dedent(f"""
        import os, sys
        import pyarrow.parquet as pq
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from catalog_tables import trades, usdm_btcusdt
        from veloz.data.catalog import Catalog
        real = pq.ParquetWriter.write_table
        def die(self, tbl, row_group_size=None):
            real(self, tbl.slice(0, 1), row_group_size)
            os._exit(9)
        pq.ParquetWriter.write_table = die
        Catalog({str(tmp_path)!r}).write("binance", "usdm", "BTCUSDT", "trades",
                                          trades([({MIDNIGHT + 5}, {MIDNIGHT + 5}, 20, 618000, 1, 1)]), usdm_btcusdt())
    """)
    assert subprocess.run([sys.executable, "-c", child], timeout=60).returncode == 9
    leftovers = [p for p in day_dir.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1 and leftovers[0].name.startswith(".2024-08-09.parquet.")
    assert (day_dir / "2024-08-09.parquet").read_bytes() == old
    assert catalog.read(*SERIES, "trades").num_rows == 5
    assert [e.files for e in catalog.entries()] == [2]
    assert catalog.write(*SERIES, "trades", trades([(MIDNIGHT + 5, MIDNIGHT + 5, 20, 618000, 1, 1)]),
                         usdm_btcusdt()).rows_added == 1


# --- damaged files ---------------------------------------------------------------------------------


def write_demo(tmp_path: Path) -> tuple[Catalog, Path]:
    catalog = Catalog(tmp_path)
    catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    return catalog, tmp_path / "binance/usdm/BTCUSDT/trades/2024-08-09.parquet"


def test_truncated_file_is_a_catalog_error_naming_it(tmp_path: Path) -> None:
    catalog, path = write_demo(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CatalogError, match=f"{path}: damaged or not a Parquet file"):
        list(catalog.scan(*SERIES, "trades"))
    with pytest.raises(CatalogError, match=str(path)):
        catalog.entries()
    with pytest.raises(CatalogError, match=str(path)):  # a merge must not overwrite what it cannot read
        catalog.write(*SERIES, "trades", trades([(MIDNIGHT + 5, MIDNIGHT + 5, 20, 618000, 1, 1)]), usdm_btcusdt())


def test_damaged_data_pages_are_a_catalog_error(tmp_path: Path) -> None:
    catalog, path = write_demo(tmp_path)
    data = bytearray(path.read_bytes())
    footer_len = int.from_bytes(data[-8:-4], "little")
    for i in range(4, len(data) - footer_len - 8):  # scribble over the column chunks, keep the footer
        data[i] = 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CatalogError, match=str(path)):
        list(catalog.scan(*SERIES, "trades"))


def test_file_with_another_schema_is_a_catalog_error(tmp_path: Path) -> None:
    catalog, path = write_demo(tmp_path)
    pq.write_table(pa.table({"ts_ns": [MIDNIGHT], "price": [1.5]}), path)
    with pytest.raises(CatalogError, match=r"columns do not match the trades schema; found \[ts_ns: int64, "
                                           r"price: double\]"):
        list(catalog.scan(*SERIES, "trades"))


def test_damaged_instrument_file_is_a_catalog_error(tmp_path: Path) -> None:
    catalog, _ = write_demo(tmp_path)
    path = tmp_path / "binance/usdm/BTCUSDT/instrument.json"
    path.write_text('{"symbol": "BTC')
    with pytest.raises(CatalogError, match=f"{path}: unreadable instrument file"):
        catalog.instrument(*SERIES)
    path.write_text('{"symbol": "BTCUSDT"}')
    with pytest.raises(CatalogError, match="not a valid instrument"):
        catalog.instrument(*SERIES)
    os.remove(path)
    with pytest.raises(CatalogError, match="no instrument for binance usdm BTCUSDT"):
        catalog.instrument(*SERIES)


# --- listing ---------------------------------------------------------------------------------------


def test_entries_and_time_range(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    catalog.write(*SERIES, "trades", straddling_midnight(), usdm_btcusdt())
    catalog.write("binance", "spot", "BTCUSDT", "book_ticker",
                  table("book_ticker", [(T0, T0, 1, 10, 1, 11, 1)]), spot_btcusdt())
    (tmp_path / "README.txt").write_text("not data")
    (tmp_path / "binance/usdm/BTCUSDT/trades/notes.parquet").write_text("not a day file")
    entries = catalog.entries()
    assert [(e.market, e.data_type, e.files, e.rows) for e in entries] == [("spot", "book_ticker", 1, 1),
                                                                          ("usdm", "trades", 2, 5)]
    trades_entry = entries[1]
    assert (trades_entry.first_date.isoformat(), trades_entry.last_date.isoformat()) == ("2024-08-08", "2024-08-09")
    assert (trades_entry.first_ts_ns, trades_entry.last_ts_ns) == (T0, MIDNIGHT + 2)
    day_files = (tmp_path / "binance/usdm/BTCUSDT/trades").glob("2024-*.parquet")
    assert trades_entry.bytes == sum(p.stat().st_size for p in day_files)
    assert trades_entry.to_dict()["first_date"] == "2024-08-08"
    assert catalog.time_range(*SERIES, "trades") == (T0, MIDNIGHT + 2)
    assert catalog.time_range(*SERIES, "depth") is None
