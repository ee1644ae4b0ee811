"""Tardis.dev importer: book snapshots against the raw text, incremental_book_L2 snapshot resets,
trades, gzip, and refusals naming the file and line."""

from __future__ import annotations

import csv
import gzip
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veloz.data.import_tardis import TRADE_ID_METADATA_KEY, import_tardis
from veloz.data.schema import DEPTH, DEPTH_SNAPSHOT, DEPTH_UPDATE, TRADES
from veloz.errors import ImportFormatError
from veloz.instruments import Instrument

TARDIS = Path(__file__).parent / "data" / "tardis"
SNAPSHOT_5 = TARDIS / "binance-futures_book_snapshot_5_BTCUSDT.csv"
SNAPSHOT_25 = TARDIS / "binance-futures_book_snapshot_25_BTCUSDT.csv"
INCREMENTAL = TARDIS / "binance-futures_incremental_book_L2_BTCUSDT.csv"
TRADES_CSV = TARDIS / "binance-futures_trades_BTCUSDT.csv"
INCREMENTAL_HEADER = "exchange,symbol,timestamp,local_timestamp,is_snapshot,side,price,amount"
TRADES_HEADER = "exchange,symbol,timestamp,local_timestamp,id,side,price,amount"

# USD-M BTCUSDT as it was in 2020 (tick 0.01; the hand-written files use 0.1 steps, also on it).
UM_BTCUSDT = Instrument("BTCUSDT", "usdm", "BTC", "USDT", "USDT", tick_size="0.01", step_size="0.001",
                        lot_size="0.001", min_qty="0.001", min_notional="5")
Book = tuple[dict[int, int], dict[int, int]]


def ticks(text: str) -> int:
    return int(Decimal(text) / Decimal("0.01"))


def lots(text: str) -> int:
    return int(Decimal(text) / Decimal("0.001"))


def replay(rows: list[dict[str, Any]]) -> Book:
    """The consumer rule docs/importers.md states: a kind=2 row starts a new snapshot (the book is
    cleared) unless the row before it is also kind=2 with the same ts_ns, local_ts_ns and update_id;
    qty 0 removes a level."""
    bids: dict[int, int] = {}
    asks: dict[int, int] = {}
    previous: dict[str, Any] | None = None
    for row in rows:
        key = (row["ts_ns"], row["local_ts_ns"], row["update_id"])
        if row["kind"] == DEPTH_SNAPSHOT and not (
                previous is not None and previous["kind"] == DEPTH_SNAPSHOT
                and (previous["ts_ns"], previous["local_ts_ns"], previous["update_id"]) == key):
            bids.clear()
            asks.clear()
        side = bids if row["side"] == 1 else asks
        if row["qty"] == 0:
            side.pop(row["px"], None)
        else:
            side[row["px"]] = row["qty"]
        previous = row
    return bids, asks


def records(path: Path) -> list[dict[str, str]]:
    """The file's rows by column name: the test's own reading of the raw text."""
    return list(csv.DictReader(path.read_text().splitlines()))


def write(path: Path, header: str, lines: list[str]) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


# --- book_snapshot_N: real files --------------------------------------------------------------------


@pytest.mark.parametrize(("path", "levels"), [(SNAPSHOT_5, 5), (SNAPSHOT_25, 25)])
def test_book_snapshots_become_kind_2_rows_matching_the_raw_text(path: Path, levels: int) -> None:
    table = import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"]
    assert table.schema.equals(DEPTH)
    raw = records(path)
    assert len(raw) == 10 and table.num_rows == 10 * 2 * levels
    expected = []
    for record in raw:
        ts, local = int(record["timestamp"]) * 1000, int(record["local_timestamp"]) * 1000
        for name, side in (("bids", 1), ("asks", -1)):
            for i in range(levels):
                expected.append({"ts_ns": ts, "local_ts_ns": local, "first_update_id": -1, "update_id": -1,
                                 "prev_update_id": -1, "kind": DEPTH_SNAPSHOT, "side": side,
                                 "px": ticks(record[f"{name}[{i}].price"]),
                                 "qty": lots(record[f"{name}[{i}].amount"])})
    assert table.to_pylist() == expected


def test_first_snapshot_row_exact_values() -> None:
    # binance-futures,BTCUSDT,1598918403696000,1598918403810979,11657.08,1.714,11657.07,10.896,...
    rows = import_tardis(SNAPSHOT_5, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"].to_pylist()
    best_bid = rows[0]
    best_ask = rows[5]
    assert (best_bid["ts_ns"], best_bid["local_ts_ns"], best_bid["side"], best_bid["px"], best_bid["qty"]) == (
        1598918403696000000, 1598918403810979000, 1, 1165707, 10896)
    assert (best_ask["side"], best_ask["px"], best_ask["qty"]) == (-1, 1165708, 1714)


def test_each_book_snapshot_row_replaces_the_whole_book() -> None:
    rows = import_tardis(SNAPSHOT_5, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"].to_pylist()
    bids, asks = replay(rows)
    last = records(SNAPSHOT_5)[-1]
    assert bids == {ticks(last[f"bids[{i}].price"]): lots(last[f"bids[{i}].amount"]) for i in range(5)}
    assert asks == {ticks(last[f"asks[{i}].price"]): lots(last[f"asks[{i}].amount"]) for i in range(5)}


def test_snapshots_at_the_same_instant_keep_only_the_last(tmp_path: Path) -> None:
    lines = SNAPSHOT_5.read_text().splitlines()
    second = lines[2].split(",")
    second[2:4] = lines[1].split(",")[2:4]  # the second snapshot now shares the first one's timestamps
    path = write(tmp_path / SNAPSHOT_5.name, lines[0], [lines[1], ",".join(second)])
    rows = import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"].to_pylist()
    assert len(rows) == 10
    assert [r["qty"] for r in rows if r["side"] == -1][0] == lots(second[5])  # 1.476, not the first row's 1.714


def test_a_snapshot_with_fewer_levels_than_the_header(tmp_path: Path) -> None:
    header, first = SNAPSHOT_5.read_text().splitlines()[:2]
    fields = first.split(",")
    fields[-4:] = ["", "", "", ""]  # asks[4] and bids[4] absent: a thin book
    path = write(tmp_path / SNAPSHOT_5.name, header, [",".join(fields)])
    assert import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"].num_rows == 8
    fields[4:] = [""] * (len(fields) - 4)
    write(path, header, [",".join(fields)])
    with pytest.raises(ImportFormatError, match="line 2: .*a snapshot with no levels"):
        import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")


# --- incremental_book_L2 ----------------------------------------------------------------------------


def test_incremental_book_rows_and_kinds() -> None:
    table = import_tardis(INCREMENTAL, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"]
    assert table.schema.equals(DEPTH)
    rows = table.to_pylist()
    raw = records(INCREMENTAL)
    assert len(raw) == 16 and len(rows) == 14  # the two updates before the first snapshot are skipped
    for got, record in zip(rows, raw[2:]):
        assert got == {
            "ts_ns": int(record["timestamp"]) * 1000, "local_ts_ns": int(record["local_timestamp"]) * 1000,
            "first_update_id": -1, "update_id": -1, "prev_update_id": -1,
            "kind": DEPTH_SNAPSHOT if record["is_snapshot"] == "true" else DEPTH_UPDATE,
            "side": 1 if record["side"] == "bid" else -1, "px": ticks(record["price"]), "qty": lots(record["amount"])}
    # line 4: binance-futures,BTCUSDT,1723161600000000,1723161600101000,true,bid,61800.2,2.507
    assert rows[0] == {"ts_ns": 1723161600000000000, "local_ts_ns": 1723161600101000000, "first_update_id": -1,
                       "update_id": -1, "prev_update_id": -1, "kind": 2, "side": 1, "px": 6180020, "qty": 2507}


def test_a_later_snapshot_run_resets_the_book() -> None:
    rows = import_tardis(INCREMENTAL, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"].to_pylist()
    # Up to line 12: the first snapshot with its updates applied (61800.3 ask removed, 61800.6 added).
    assert replay(rows[:9]) == ({ticks("61800.2"): 2100, ticks("61800.1"): 731, ticks("61799.8"): 4000},
                                {ticks("61800.4"): 118, ticks("61801.0"): 3300, ticks("61800.6"): 1250})
    # The second run (lines 13-16) is a new snapshot: none of the earlier levels survive it.
    assert [r["kind"] for r in rows[9:13]] == [DEPTH_SNAPSHOT] * 4
    assert replay(rows) == ({ticks("61790.0"): 1600, ticks("61789.9"): 400},
                            {ticks("61790.1"): 900, ticks("61790.5"): 2000})


def test_updates_without_any_snapshot_are_refused(tmp_path: Path) -> None:
    lines = INCREMENTAL.read_text().splitlines()
    path = write(tmp_path / INCREMENTAL.name, lines[0], [line for line in lines[1:] if ",false," in line])
    with pytest.raises(ImportFormatError, match="6 book updates and no snapshot"):
        import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")


def test_a_snapshot_run_that_changes_timestamp_is_refused(tmp_path: Path) -> None:
    lines = INCREMENTAL.read_text().splitlines()
    lines[5] = lines[5].replace("1723161600101000", "1723161600101001")  # line 6, mid-run
    path = write(tmp_path / INCREMENTAL.name, lines[0], lines[1:])
    with pytest.raises(ImportFormatError, match="line 6: column 'local_timestamp': a run of is_snapshot rows"):
        import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")


def test_gzip_file_reads_the_same(tmp_path: Path) -> None:
    packed = tmp_path / (INCREMENTAL.name + ".gz")
    packed.write_bytes(gzip.compress(INCREMENTAL.read_bytes()))
    plain = import_tardis(INCREMENTAL, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"]
    assert import_tardis(packed, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"].equals(plain)


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    big = "\n".join([INCREMENTAL_HEADER] + [
        f"binance-futures,BTCUSDT,{1723161600000000 + i},{1723161600100000 + i},{'true' if i == 0 else 'false'},"
        f"bid,{61000 + i % 500}.5,1.{i % 1000:03d}" for i in range(20000)]) + "\n"
    data = gzip.compress(big.encode())
    path = tmp_path / INCREMENTAL.name.replace(".csv", ".csv.gz")
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFormatError, match="damaged data after line"):
        import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")


# --- trades ---------------------------------------------------------------------------------------


def test_trades_sides_and_ids() -> None:
    table = import_tardis(TRADES_CSV, UM_BTCUSDT, "usdm", "BTCUSDT")["trades"]
    assert table.schema.equals(TRADES) and table.schema.metadata is None
    # binance-futures,BTCUSDT,1723161600013000,1723161600014210,5137710001,buy,61800.3,0.010
    assert table.slice(0, 1).to_pylist()[0] == {
        "ts_ns": 1723161600013000000, "local_ts_ns": 1723161600014210000, "trade_id": 5137710001,
        "px": 6180030, "qty": 10, "side": 1}
    assert table["side"].to_pylist() == [1, 1, -1, -1]  # buy/sell is the aggressor
    assert table["trade_id"].to_pylist() == [5137710001, 5137710002, 5137710003, 5137710004]


def test_non_numeric_trade_ids_become_a_row_counter(tmp_path: Path) -> None:
    lines = TRADES_CSV.read_text().splitlines()
    lines[2] = lines[2].replace("5137710002", "d2f1-7a")
    path = write(tmp_path / TRADES_CSV.name, lines[0], lines[1:])
    table = import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")["trades"]
    assert table["trade_id"].to_pylist() == [1, 2, 3, 4]
    assert table.schema.metadata[TRADE_ID_METADATA_KEY].startswith(b"row number")
    assert table.schema.equals(TRADES)  # metadata aside, still the canonical schema


def test_trades_are_sorted_by_exchange_time(tmp_path: Path) -> None:
    lines = TRADES_CSV.read_text().splitlines()
    lines[4] = lines[4].replace("1723161600310000", "1723161600001000")
    path = write(tmp_path / TRADES_CSV.name, lines[0], lines[1:])
    table = import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")["trades"]
    assert table["trade_id"].to_pylist() == [5137710004, 5137710001, 5137710002, 5137710003]


def test_exponent_notation_is_read_exactly(tmp_path: Path) -> None:
    path = write(tmp_path / TRADES_CSV.name, TRADES_HEADER,
                 ["binance-futures,BTCUSDT,1723161600013000,1723161600014210,1,buy,6.18003e4,1e-3"])
    row = import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")["trades"].to_pylist()[0]
    assert (row["px"], row["qty"]) == (6180030, 1)


@pytest.mark.parametrize(("line", "message"), [
    ("binance-futures,BTCUSDT,1723161600013000,1723161600014210,1,unknown,61800.3,0.010",
     "column 'side': 'unknown' is not buy or sell"),
    ("binance,BTCUSDT,1723161600013000,1723161600014210,1,buy,61800.3,0.010",
     "column 'exchange': 'binance' is not 'binance-futures'"),
    ("binance-futures,ETHUSDT,1723161600013000,1723161600014210,1,buy,61800.3,0.010",
     "column 'symbol': 'ETHUSDT' is not BTCUSDT"),
    ("binance-futures,BTCUSDT,1723161600013,1723161600014210,1,buy,61800.3,0.010",
     "column 'timestamp': timestamp 1723161600013 reads as milliseconds but this format writes microseconds"),
    ("binance-futures,BTCUSDT,1723161600013000,1723161600014210,1,buy,61800.305,0.010",
     "column 'price': '61800.305' of BTCUSDT price is not a multiple of the step 0.01"),
    ("binance-futures,BTCUSDT,1723161600013000,1723161600014210,1,buy,61800.3,0",
     "column 'amount': a trade of quantity 0"),
])
def test_trade_refusals_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    good = "binance-futures,BTCUSDT,1723161600013000,1723161600014210,1,buy,61800.3,0.010"
    path = write(tmp_path / TRADES_CSV.name, TRADES_HEADER, [good, line])
    with pytest.raises(ImportFormatError, match=re.escape(f"{TRADES_CSV.name}, line 3: {message}")):
        import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")


def test_unknown_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "binance-futures_quotes_BTCUSDT.csv",
                 "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount", [])
    with pytest.raises(ImportFormatError, match="line 1: not a Tardis incremental_book_L2, book_snapshot_N or trades"):
        import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")


def test_instrument_and_market_must_match(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="the instrument is BTCUSDT"):
        import_tardis(TRADES_CSV, UM_BTCUSDT, "spot", "BTCUSDT")
    spot = Instrument("BTCUSDT", "spot", "BTC", "USDT", "USDT", "0.01", "0.00001", "0.00000001", "0.00001", "5")
    with pytest.raises(ImportFormatError, match="'binance-futures' is not 'binance'"):
        import_tardis(TRADES_CSV, spot, "spot", "BTCUSDT")
    path = shutil.copy(TRADES_CSV, tmp_path / "trades.txt")
    with pytest.raises(ImportFormatError, match=r"expected a Tardis \.csv or \.csv\.gz"):
        import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")


# --- property: snapshot resets, for any mix of snapshots and updates --------------------------------

_LEVELS = st.dictionaries(st.tuples(st.sampled_from([1, -1]), st.integers(100, 140)), st.integers(1, 50),
                          min_size=1, max_size=8)
_CHANGES = st.lists(st.tuples(st.sampled_from([1, -1]), st.integers(100, 140), st.integers(0, 50)),
                    min_size=1, max_size=5)
# A stream: leading updates (skipped), then snapshots each followed by at least one update message.
_STREAM = st.tuples(st.lists(_CHANGES, max_size=2),
                    st.lists(st.tuples(_LEVELS, st.lists(_CHANGES, min_size=1, max_size=4)), min_size=1, max_size=4))


@settings(max_examples=60, deadline=None)
@given(_STREAM)
def test_replayed_rows_equal_a_book_built_from_the_messages(stream: Any) -> None:
    leading, episodes = stream
    lines: list[str] = []
    clock = 1723161600000000

    def emit(snapshot: bool, levels: list[tuple[int, int, int]]) -> None:
        nonlocal clock
        clock += 1000
        for side, price, amount in levels:
            lines.append(f"binance-futures,BTCUSDT,{clock},{clock + 70},{'true' if snapshot else 'false'},"
                         f"{'bid' if side == 1 else 'ask'},{price}.5,{amount / 1000:.3f}")

    model: dict[int, dict[int, int]] = {1: {}, -1: {}}
    for changes in leading:
        emit(False, changes)
    for levels, updates in episodes:
        emit(True, [(side, price, amount) for (side, price), amount in levels.items()])
        model = {1: {}, -1: {}}
        for (side, price), amount in levels.items():
            model[side][price * 100 + 50] = amount
        for changes in updates:
            emit(False, changes)
            for side, price, amount in changes:
                if amount:
                    model[side][price * 100 + 50] = amount
                else:
                    model[side].pop(price * 100 + 50, None)
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder) / INCREMENTAL.name, INCREMENTAL_HEADER, lines)
        rows = import_tardis(path, UM_BTCUSDT, "usdm", "BTCUSDT")["depth"].to_pylist()
    assert replay(rows) == (model[1], model[-1])
