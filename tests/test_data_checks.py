"""Data-quality checks: each finds what was injected into a small crafted table, counts it once,
does not depend on how the rows are batched, and reports the real captures clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from catalog_tables import T0, spot_btcusdt, table, trades, usdm_btcusdt
from veloz.data.catalog import Catalog
from veloz.data.check_findings import JumpDetector
from veloz.data.checks import CheckOptions, Finding, check_batches, check_series, checks_for
from veloz.data.import_captures import capture_instruments, import_capture, import_captures
from veloz.instruments import load_exchange_info

MS = 1_000_000


def counts(findings: list[Finding]) -> dict[str, int]:
    return {f.check: f.count for f in findings}


def by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {f.check: f for f in findings}


def batched(tbl: pa.Table, size: int) -> list[pa.RecordBatch]:
    return tbl.to_batches(max_chunksize=size)


def stored(tmp_path: Path, data_type: str, tbl: pa.Table, market: str = "usdm") -> Catalog:
    catalog = Catalog(tmp_path)
    instrument = usdm_btcusdt() if market == "usdm" else spot_btcusdt()
    catalog.write("binance", market, "BTCUSDT", data_type, tbl, instrument)
    return catalog


# --- trades ---------------------------------------------------------------------------------------


def clean_trades(n: int = 20) -> list[tuple[int, int, int, int, int, int]]:
    return [(T0 + i * MS, T0 + i * MS + 7, 100 + i, 600_000 + i % 3, 1 + i % 4, 1 if i % 2 else -1) for i in range(n)]


def test_clean_trades_pass() -> None:
    rows, findings = check_batches("trades", "usdm", [trades(clean_trades())])
    assert rows == 20 and counts(findings) == {"gaps": 0, "duplicates": 0, "out_of_order": 0, "outliers": 0}
    assert all(f.checked == 20 and f.unit == "rows" for f in findings)


def test_trade_problems_in_the_catalog_are_found(tmp_path: Path) -> None:
    def trade(i: int, trade_id: int, px: int = 600_000, qty: int = 1, late_ns: int = 0) -> tuple[int, ...]:
        return (T0 + i * MS, T0 + i * MS + 7 + late_ns, trade_id, px, qty, 1)

    rows = [trade(i, 100 + i) for i in range(5)]                        # 100..104
    rows += [trade(i, 100 + i) for i in range(8, 12)]                   # 108..111: 105..107 missing
    rows += [trade(11, 111, late_ns=50)]                                # 111 again, received later
    rows += [trade(12, 90)]                                             # an id below ones already seen
    rows += [trade(13, 112), trade(14, 113, px=6_000_000), trade(15, 114)]  # a lone print 10x away
    rows += [trade(16, 116, qty=0)]                                     # 115 missing; zero quantity
    report = check_series(stored(tmp_path, "trades", trades(rows)), "binance", "usdm", "BTCUSDT", "trades")
    found = by_check(report.findings)
    assert report.failed and report.rows == 15
    assert found["gaps"].count == 2
    assert [(e["trade_id"], e["missing"]) for e in found["gaps"].examples] == [(108, 3), (116, 1)]
    assert found["duplicates"].count == 1 and found["duplicates"].examples[0]["trade_id"] == 111
    assert found["out_of_order"].count == 1 and found["out_of_order"].examples[0]["trade_id"] == 90
    assert found["outliers"].count == 2
    assert [(e["trade_id"], e["reason"]) for e in found["outliers"].examples] == [
        (113, "price jump"), (116, "a price or quantity <= 0")]


def test_unsorted_table_before_writing() -> None:
    first, second = clean_trades(2)
    _, findings = check_batches("trades", "usdm", [trades([second, first, first])])
    assert counts(findings) == {"gaps": 0, "duplicates": 1, "out_of_order": 2, "outliers": 0}
    reasons = [e["reason"] for e in by_check(findings)["out_of_order"].examples]
    assert reasons == ["ts_ns goes backwards", "trade_id below one already seen"]
    assert by_check(findings)["duplicates"].examples[0]["reason"] == "identical to the previous row"


def test_agg_trade_id_chain() -> None:
    rows = [(T0 + i, T0 + i, 50 + i, 600_000, 1, 1, 1000 + 3 * i, 1000 + 3 * i + 2) for i in range(6)]
    rows[4] = rows[4][:6] + (rows[4][6] + 1, rows[4][7])  # one trade id missing between aggregates
    _, findings = check_batches("agg_trades", "usdm", [table("agg_trades", rows)])
    assert counts(findings)["gaps"] == 1
    assert by_check(findings)["gaps"].examples[0]["reason"] == "first_trade_id skips trade ids"


# --- book ticker ----------------------------------------------------------------------------------


def test_book_ticker_crossed_and_outliers() -> None:
    rows = [(T0 + i, T0 + i, 10 + i, 600_000, 5, 600_001, 5) for i in range(10)]
    rows[3] = (T0 + 3, T0 + 3, 13, 600_002, 5, 600_001, 5)  # bid above ask
    rows[6] = (T0 + 6, T0 + 6, 16, 600_000, 0, 600_001, 5)  # empty best bid quantity
    rows[8] = (T0 + 8, T0 + 8, 7, 600_000, 5, 600_001, 5)  # update id going back
    _, findings = check_batches("book_ticker", "spot", [table("book_ticker", rows)])
    assert counts(findings) == {"duplicates": 0, "out_of_order": 1, "crossed": 1, "outliers": 1}
    assert by_check(findings)["crossed"].examples[0] == {"row": 3, "ts_ns": T0 + 3, "reason": "bid_px >= ask_px",
                                                       "update_id": 13, "bid_px": 600_002, "ask_px": 600_001}


# --- depth ----------------------------------------------------------------------------------------


def depth_message(ts: int, first: int, last: int, prev: int, bids: dict[int, int], asks: dict[int, int],
                  kind: int = 0) -> list[tuple[int, int, int, int, int, int, int, int, int]]:
    return ([(ts, ts - 3, first, last, prev, kind, 1, px, q) for px, q in bids.items()]
            + [(ts, ts - 3, first, last, prev, kind, -1, px, q) for px, q in asks.items()])


def futures_depth(problems: bool) -> pa.Table:
    """A snapshot at L=100, then diffs chained by pu; with ``problems``: a pu gap (which
    unsynchronises the book), a repeated message, an id going back, an ask below the best bid and
    a negative quantity."""
    snapshot = depth_message(T0, -1, 100, -1, {995: 3, 990: 1}, {1000: 2, 1005: 4}, kind=2)
    diffs = [
        depth_message(T0 + 1 * MS, 98, 103, 97, {996: 1}, {}),            # straddles L: applied first
        depth_message(T0 + 2 * MS, 104, 110, 103, {995: 0}, {1001: 1}),
        depth_message(T0 + 3 * MS, 111, 120, 110, {}, {996: 5} if problems else {1002: 5}),  # crossed
        depth_message(T0 + 4 * MS, 121, 130, 120, {994: -2} if problems else {994: 2}, {}),
    ]
    if problems:
        diffs += [
            depth_message(T0 + 5 * MS, 121, 130, 120, {994: 2}, {}),        # the same u again
            depth_message(T0 + 6 * MS, 115, 118, 114, {993: 1}, {}),        # below u already seen
            depth_message(T0 + 7 * MS, 140, 150, 135, {992: 1}, {}),        # pu 135 != 130: gap
            depth_message(T0 + 8 * MS, 151, 160, 150, {}, {990: 1}),        # crossed, but unsynced: not judged
        ]
    else:
        diffs += [depth_message(T0 + 5 * MS, 131, 140, 130, {992: 1}, {})]
    return table("depth", [row for message in [snapshot, *diffs] for row in message])


def test_clean_futures_depth_is_judged_by_the_book() -> None:
    rows, findings = check_batches("depth", "usdm", [futures_depth(problems=False)])
    assert counts(findings) == dict.fromkeys(checks_for("depth"), 0)
    found = by_check(findings)
    assert found["crossed"].checked == 6 and found["gaps"].unit == "messages"


def test_futures_depth_problems(tmp_path: Path) -> None:
    catalog = stored(tmp_path, "depth", futures_depth(problems=True))
    found = by_check(check_series(catalog, "binance", "usdm", "BTCUSDT", "depth").findings)
    assert found["gaps"].count == 1
    assert found["gaps"].examples[0] == {"row": 11, "ts_ns": T0 + 7 * MS, "reason": "pu != previous u",
                                             "first_update_id": 140, "update_id": 150, "prev_update_id": 135,
                                             "previous_update_id": 130}
    assert found["duplicates"].count == 1 and found["duplicates"].examples[0]["update_id"] == 130
    assert found["out_of_order"].count == 1 and found["out_of_order"].examples[0]["update_id"] == 118
    assert found["crossed"].count == 2  # the 999 ask, and every message after it until it goes
    assert [(e["update_id"], e["best_bid"], e["best_ask"]) for e in found["crossed"].examples] == [
        (120, 996, 996), (130, 996, 996)]
    assert found["crossed"].checked == 5  # snapshot, 4 diffs; nothing after the gap
    assert found["outliers"].count == 1 and found["outliers"].examples[0]["update_id"] == 130


def test_spot_depth_uses_the_spot_chain_rule() -> None:
    rows = [
        *depth_message(T0, -1, 100, -1, {995: 3}, {1000: 2}, kind=2),
        *depth_message(T0 + MS, 95, 104, -1, {996: 1}, {}),     # straddles L+1
        *depth_message(T0 + 2 * MS, 105, 110, -1, {}, {1001: 1}),
        *depth_message(T0 + 3 * MS, 112, 120, -1, {}, {1002: 1}),  # 111 missing
    ]
    _, findings = check_batches("depth", "spot", [table("depth", rows)])
    assert counts(findings)["gaps"] == 1
    assert by_check(findings)["gaps"].examples[0]["reason"] == "U != previous u + 1"
    _, as_futures = check_batches("depth", "usdm", [table("depth", rows)])
    assert counts(as_futures)["gaps"] == 2  # pu is -1 here: no diff continues the futures chain


def test_snapshot_not_covered_by_the_next_diff() -> None:
    rows = [*depth_message(T0, -1, 100, -1, {995: 3}, {1000: 2}, kind=2),
            *depth_message(T0 + MS, 104, 110, 103, {996: 1}, {})]
    _, findings = check_batches("depth", "usdm", [table("depth", rows)])
    example = by_check(findings)["gaps"].examples[0]
    assert example["reason"] == "first diff after the snapshot does not cover it"
    assert example["previous_update_id"] == 100


# --- batching must not change anything -------------------------------------------------------------


def examples_and_counts(findings: list[Finding]) -> list[tuple[str, int, int, list[dict[str, Any]]]]:
    return [(f.check, f.count, f.checked, f.examples) for f in findings]


@pytest.mark.parametrize("data_type", ["depth", "trades", "book_ticker"])
def test_findings_do_not_depend_on_batch_size(data_type: str) -> None:
    if data_type == "depth":
        tbl = futures_depth(problems=True)
    elif data_type == "trades":
        rows = clean_trades(30)
        rows[10] = rows[10][:3] + (6_000_000,) + rows[10][4:]
        del rows[20]
        tbl = trades(rows + rows[3:5])
    else:
        tbl = table("book_ticker", [(T0 + i, T0 + i, 10 + i % 7, 600_000 + (i % 5) * 40_000, 5, 600_001, 5 - i % 6)
                                    for i in range(40)])
    options = CheckOptions(max_examples=50)
    _, whole = check_batches(data_type, "usdm", [tbl], options)
    assert any(f.count for f in whole)
    for size in (1, 2, 3, 5, 8):
        _, pieces = check_batches(data_type, "usdm", batched(tbl, size), options)
        assert examples_and_counts(pieces) == examples_and_counts(whole), size


def test_jump_detector_counts_a_spike_once_and_carries_across_batches() -> None:
    prices = np.array([100, 101, 1000, 101, 102, 150, 225, 230], dtype=np.int64)
    whole = JumpDetector(10.0).feed(prices)
    assert whole.tolist() == [False, False, True, False, False, True, True, False]
    detector = JumpDetector(10.0)
    assert np.concatenate([detector.feed(prices[i:i + 1]) for i in range(len(prices))]).tolist() == whole.tolist()


def test_options_are_validated() -> None:
    with pytest.raises(ValueError, match="max_jump_pct must be > 0"):
        CheckOptions(max_jump_pct=0)


# --- real data ------------------------------------------------------------------------------------


def test_demo_capture_is_clean(demo_capture: Path, demo_exchange_info: Path, tmp_path: Path) -> None:
    result = import_capture(demo_capture, capture_instruments(demo_capture, demo_exchange_info))
    catalog = Catalog(tmp_path)
    for data_type, tbl in result.tables["BTCUSDT"].items():
        catalog.write("binance", "usdm", "BTCUSDT", data_type, tbl, result.instruments["BTCUSDT"])
    for data_type in ("depth", "trades", "book_ticker"):
        report = check_series(catalog, "binance", "usdm", "BTCUSDT", data_type, batch_rows=50_000)
        assert not report.failed, report.to_dict()
    depth = by_check(check_series(catalog, "binance", "usdm", "BTCUSDT", "depth").findings)
    assert depth["crossed"].checked == 6548  # the snapshot and 6547 diffs, as `veloz book replay` applies


@pytest.mark.parametrize(("captures", "info", "symbol"), [
    (["spot/btcusdt_20240808.gz", "spot/btcusdt_20240809.gz"], "nautilus_trader/http_spot_market_exchange_info.json",
     "BTCUSDT"),
    (["spot/ethusdt_20240808.gz", "spot/ethusdt_20240809.gz"], "nautilus_trader/http_spot_market_exchange_info.json",
     "ETHUSDT"),
    (["usdm/ethusdt_20240808.gz"], "nautilus_trader/http_futures_market_exchange_info.json", "ETHUSDT"),
    (["cm/btcusd_perp_20240808.gz", "cm/btcusd_perp_20240809.gz"], "cryptofeed/BINANCE_DELIVERY.0", "BTCUSD_PERP"),
    (["cm/ethusd_perp_20240808.gz", "cm/ethusd_perp_20240809.gz"], "cryptofeed/BINANCE_DELIVERY.0", "ETHUSD_PERP"),
])
def test_shared_captures_are_clean(shared_data: Path, tmp_path: Path, captures: list[str], info: str,
                                   symbol: str) -> None:
    instrument = load_exchange_info(shared_data / info)[symbol]
    result = import_captures([shared_data / "hftbacktest" / c for c in captures], {symbol: instrument})
    catalog = Catalog(tmp_path)
    for data_type, tbl in result.tables[symbol].items():
        catalog.write("binance", instrument.market, symbol, data_type, tbl, instrument)
        report = check_series(catalog, "binance", instrument.market, symbol, data_type)
        assert not report.failed, report.to_dict()
        if data_type == "depth":  # the book judged every diff but those before the snapshot, across both days
            assert by_check(report.findings)["crossed"].checked > 0.99 * result.frames["depth"]
