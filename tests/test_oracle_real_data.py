"""The real-data oracle: rebuild the book from real Binance captures and compare it with every
bookTicker whose update id equals the book's. Zero mismatches, zero gaps, never crossed."""

from __future__ import annotations

from pathlib import Path

import pytest

from veloz.book_replay import replay

# (market dir, file stem, market, tick, lot): tick/lot from real exchangeInfo documents in
# ../shared/data (spot lot = 10**-baseAssetPrecision; see veloz/instruments.py).
CAPTURES = [
    ("spot", "btcusdt", "spot", "0.01", "0.00000001"),
    ("spot", "ethusdt", "spot", "0.01", "0.00000001"),
    ("usdm", "btcusdt", "usdm", "0.10", "0.001"),
    ("usdm", "ethusdt", "usdm", "0.01", "0.001"),
    ("cm", "btcusd_perp", "coinm", "0.1", "1"),
    ("cm", "ethusd_perp", "coinm", "0.01", "1"),
]


def test_demo_capture_oracle(demo_capture: Path, demo_exchange_info: Path) -> None:
    report = replay(demo_capture, exchange_info=demo_exchange_info)
    assert report.market == "usdm" and report.symbol == "BTCUSDT" and report.tick_size == "0.10"
    assert report.messages == 93954
    assert report.snapshots == 1 and report.gaps == 0 and report.rejected == 0
    assert report.bbo_checks > 500 and report.bbo_mismatches == 0
    assert report.crossed == 0 and report.state == "synced"
    assert report.applied + report.stale + report.buffered >= report.depth_updates - report.buffered


@pytest.mark.parametrize("directory,stem,market,tick,lot", CAPTURES, ids=[f"{c[0]}-{c[1]}" for c in CAPTURES])
def test_all_real_captures_rebuild_exactly(shared_data: Path, directory: str, stem: str, market: str, tick: str,
                                           lot: str, tmp_path: Path) -> None:
    base = shared_data / "hftbacktest" / directory
    files = [f for f in (base / f"{stem}_20240808.gz", base / f"{stem}_20240809.gz") if f.exists()]
    assert files and files[0].name.endswith("0808.gz")
    info = tmp_path / "exchange_info.json"
    info.write_text(exchange_info_doc(stem.upper(), market, tick, lot))
    report = replay(files[0], extra_files=files[1:], exchange_info=info)
    assert report.market == market
    assert report.gaps == 0, report
    assert report.rejected == 0, report.errors
    assert report.bbo_mismatches == 0, report.first_mismatch
    assert report.crossed == 0
    assert report.bbo_checks >= 450
    assert report.state == "synced"


def test_oracle_totals_reach_thousands_per_market(shared_data: Path) -> None:
    totals: dict[str, int] = {}
    for directory, stem, market, _, _ in CAPTURES:
        base = shared_data / "hftbacktest" / directory
        files = [f for f in (base / f"{stem}_20240808.gz", base / f"{stem}_20240809.gz") if f.exists()]
        report = replay(files[0], extra_files=files[1:])  # grid inferred from the data
        assert report.bbo_mismatches == 0 and report.gaps == 0
        totals[market] = totals.get(market, 0) + report.bbo_checks
    assert all(total >= 1000 for total in totals.values()), totals


def exchange_info_doc(symbol: str, market: str, tick: str, lot: str) -> str:
    """A minimal exchangeInfo with the real filters of the symbol."""
    import json

    entry: dict = {"symbol": symbol, "status": "TRADING", "baseAsset": symbol[:3], "quoteAsset": symbol[3:],
                   "filters": [{"filterType": "PRICE_FILTER", "tickSize": tick, "minPrice": "0", "maxPrice": "0"},
                               {"filterType": "LOT_SIZE", "stepSize": lot if market != "spot" else "0.00001",
                                "minQty": lot, "maxQty": "9000"}]}
    if market == "spot":
        entry["baseAssetPrecision"] = len(lot.split(".")[1])
        entry["isSpotTradingAllowed"] = True
    elif market == "usdm":
        entry["contractType"] = "PERPETUAL"
    else:
        entry["contractType"] = "PERPETUAL"
        entry["contractSize"] = 100
    return json.dumps({"symbols": [entry]})
