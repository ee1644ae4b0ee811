"""Instruments from real Binance exchangeInfo documents (bundled demo file and ../shared/data)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from veloz.errors import DecimalFormatError, InstrumentError
from veloz.instruments import Instrument, load_exchange_info, parse_exchange_info


def raw_symbols(path: Path) -> dict[str, dict[str, Any]]:
    """The file's symbols parsed independently (plain json; cryptofeed's `<url> -> <ts>: ` prefix cut)."""
    text = path.read_text()
    if not text.lstrip().startswith("{"):
        text = "{" + text.partition(": {")[2].splitlines()[0]
    return {s["symbol"]: s for s in json.loads(text)["symbols"]}


def raw_filter(symbol_doc: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(f for f in symbol_doc["filters"] if f["filterType"] == kind)


# --- bundled demo file (always present) ---------------------------------------------------------


def test_demo_exchange_info_btcusdt(demo_exchange_info: Path) -> None:
    instruments = load_exchange_info(demo_exchange_info)
    assert list(instruments) == ["BTCUSDT"]
    btc = instruments["BTCUSDT"]
    assert isinstance(btc, Instrument)
    assert btc.market == "usdm"
    assert (btc.base_asset, btc.quote_asset, btc.margin_asset) == ("BTC", "USDT", "USDT")
    assert btc.tick_size == "0.10"
    assert btc.step_size == "0.001"
    assert btc.lot_size == "0.001"
    assert btc.min_qty == "0.001"
    assert btc.min_notional == "10"
    assert btc.contract_size is None
    assert btc.price_precision == 1
    assert btc.qty_precision == 3
    assert btc.step_lots == 1


def test_demo_price_and_qty_conversion_is_exact(demo_exchange_info: Path) -> None:
    btc = load_exchange_info(demo_exchange_info)["BTCUSDT"]
    # Values from the real capture (bookTicker b/B and a trade q).
    assert btc.price_to_ticks("61800.30") == 618003
    assert btc.price_to_ticks("61800.20") == 618002
    assert btc.price_to_ticks("5000.00") == 50000
    assert btc.qty_to_lots("2.507") == 2507
    assert btc.qty_to_lots("0.006") == 6
    assert btc.qty_to_lots("20.004") == 20004
    assert btc.qty_to_lots("0.000") == 0
    assert btc.ticks_to_price(618003) == "61800.3"
    assert btc.lots_to_qty(2507) == "2.507"
    for ticks in (1, 618003, 10**12):
        assert btc.price_to_ticks(btc.ticks_to_price(ticks)) == ticks


@pytest.mark.parametrize(("text", "lots"), [("2.5", 2500), (".5", 500), ("2.", 2000), ("-.5", -500), ("-2.", -2000),
                                           ("002.500", 2500)])
def test_documented_decimal_forms_are_read(demo_exchange_info: Path, text: str, lots: int) -> None:
    # docs/data.md: [-]digits[.digits], [-].digits and [-]digits.
    assert load_exchange_info(demo_exchange_info)["BTCUSDT"].qty_to_lots(text) == lots


@pytest.mark.parametrize("text", [".", "-", "", "+1", "1e3", " 1", "1 ", "1.2.3", "--1"])
def test_documented_decimal_forms_reject_the_rest(demo_exchange_info: Path, text: str) -> None:
    with pytest.raises(DecimalFormatError):
        load_exchange_info(demo_exchange_info)["BTCUSDT"].qty_to_lots(text)


@pytest.mark.parametrize(
    ("method", "value", "grid"),
    [("price_to_ticks", "61800.35", "BTCUSDT price"), ("price_to_ticks", "61800.301", "BTCUSDT price"),
     ("qty_to_lots", "0.0005", "BTCUSDT quantity"), ("qty_to_lots", "2.5071", "BTCUSDT quantity"),
     ("price_to_ticks", "abc", "BTCUSDT price"), ("qty_to_lots", "1e3", "BTCUSDT quantity")],
)
def test_demo_off_grid_errors_name_instrument(demo_exchange_info: Path, method: str, value: str, grid: str) -> None:
    btc = load_exchange_info(demo_exchange_info)["BTCUSDT"]
    with pytest.raises(DecimalFormatError) as info:
        getattr(btc, method)(value)
    assert f"'{value}'" in str(info.value)
    assert grid in str(info.value)


@pytest.mark.parametrize("field", ["tick_size", "step_size", "lot_size", "min_qty", "min_notional"])
def test_instrument_sizes_must_be_decimal_strings(field: str) -> None:
    sizes: dict[str, Any] = dict(tick_size="0.1", step_size="0.001", lot_size="0.001", min_qty="0.001",
                                 min_notional="5")
    Instrument("BTCUSDT", "usdm", "BTC", "USDT", "USDT", **sizes)
    with pytest.raises(InstrumentError, match=f"BTCUSDT: {field} must be a decimal string, not 0.1"):
        Instrument("BTCUSDT", "usdm", "BTC", "USDT", "USDT", **{**sizes, field: 0.1})


def test_demo_market_argument_must_agree_with_the_document(demo_exchange_info: Path) -> None:
    assert load_exchange_info(demo_exchange_info, market="usdm")["BTCUSDT"].market == "usdm"
    # A USD-M document read as COIN-M would give a contract without a contract size: refused.
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(demo_exchange_info, market="coinm")
    message = str(info.value)
    assert str(demo_exchange_info) in message
    assert "usdm" in message and "coinm" in message


def test_spot_document_is_not_read_as_futures(tmp_path: Path, demo_exchange_info: Path) -> None:
    path = tmp_path / "spot.json"
    path.write_text(json.dumps(spot_doc(demo_exchange_info)))
    assert load_exchange_info(path)["BTCUSDT"].lot_size == "0.00000001"
    with pytest.raises(InstrumentError, match=r"spot.*usdm|usdm.*spot"):
        load_exchange_info(path, market="usdm")


def test_market_argument_decides_when_the_document_does_not_say(tmp_path: Path, demo_exchange_info: Path) -> None:
    doc = _demo_doc(demo_exchange_info)
    for key in ("contractType", "baseAssetPrecision"):
        del doc["symbols"][0][key]
    path = tmp_path / "info.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InstrumentError, match="cannot tell the market"):
        load_exchange_info(path)
    assert load_exchange_info(path, market="usdm")["BTCUSDT"].market == "usdm"


# --- real shared files ---------------------------------------------------------------------------


def test_nautilus_usdm_exchange_info(shared_data: Path) -> None:
    path = shared_data / "nautilus_trader" / "http_futures_market_exchange_info.json"
    instruments = load_exchange_info(path)
    assert set(instruments) == {"BTCUSDT", "ETHUSDT", "BTCUSDT_220325"}
    assert all(i.market == "usdm" for i in instruments.values())
    btc = instruments["BTCUSDT"]
    assert (btc.tick_size, btc.step_size, btc.lot_size) == ("0.10", "0.001", "0.001")
    assert btc.price_to_ticks("61800.30") == 618003
    assert btc.qty_to_lots("0.006") == 6
    eth = instruments["ETHUSDT"]
    assert eth.tick_size == "0.01"
    assert eth.price_to_ticks("2576.15") == 257615
    with pytest.raises(DecimalFormatError, match="ETHUSDT price"):
        eth.price_to_ticks("2576.155")


def test_nautilus_spot_exchange_info_lot_is_base_asset_precision(shared_data: Path) -> None:
    path = shared_data / "nautilus_trader" / "http_spot_market_exchange_info.json"
    instruments = load_exchange_info(path)
    raw = raw_symbols(path)
    assert set(instruments) == set(raw) == {"BTCUSDT", "ETHUSDT"}
    for symbol, instrument in instruments.items():
        doc = raw[symbol]
        assert instrument.market == "spot"
        assert Decimal(instrument.lot_size) == Decimal(10) ** -doc["baseAssetPrecision"]
        assert instrument.step_size == raw_filter(doc, "LOT_SIZE")["stepSize"]  # kept for order validation
        assert instrument.tick_size == raw_filter(doc, "PRICE_FILTER")["tickSize"]
    btc = instruments["BTCUSDT"]
    assert btc.lot_size == "0.00000001"
    assert btc.step_size == "0.00001000"
    assert btc.step_lots == 1000
    assert btc.min_notional == "10.00000000"
    # Real 2024 spot depth quantity finer than the order step: must convert exactly.
    assert btc.qty_to_lots("25.426189") == 2542618900
    assert btc.qty_to_lots("3.78826000") == 378826000
    assert btc.price_to_ticks("61837.63000000") == 6183763
    with pytest.raises(DecimalFormatError, match="BTCUSDT quantity"):
        btc.qty_to_lots("0.000000001")


def test_cryptofeed_coinm_exchange_info(shared_data: Path) -> None:
    path = shared_data / "cryptofeed" / "BINANCE_DELIVERY.0"
    instruments = load_exchange_info(path)  # `<url> -> <ts>: <json>` wrapper, market from the dapi URL
    raw = raw_symbols(path)
    assert set(instruments) == set(raw)
    assert len(instruments) == 36
    assert all(i.market == "coinm" for i in instruments.values())
    perp = instruments["BTCUSD_PERP"]
    assert perp.contract_size == 100
    assert perp.tick_size == "0.1"
    assert (perp.step_size, perp.lot_size) == ("1", "1")
    assert perp.margin_asset == "BTC"
    assert perp.price_to_ticks("61804.7") == 618047  # real CM BTCUSD_PERP bookTicker bid
    assert perp.qty_to_lots("1645") == 1645
    with pytest.raises(DecimalFormatError, match="BTCUSD_PERP quantity"):
        perp.qty_to_lots("1.5")
    assert instruments["ETHUSD_PERP"].contract_size == 10
    for symbol, instrument in instruments.items():
        assert instrument.contract_size == raw[symbol]["contractSize"]


def test_cryptofeed_usdm_exchange_info_min_notional_key(shared_data: Path) -> None:
    path = shared_data / "cryptofeed" / "BINANCE_FUTURES.0"
    instruments = load_exchange_info(path)
    raw = raw_symbols(path)
    assert len(instruments) == len(raw) == 122
    assert all(i.market == "usdm" for i in instruments.values())
    for symbol, instrument in instruments.items():
        doc = raw[symbol]
        # Futures MIN_NOTIONAL uses the key `notional` (spot uses `minNotional`).
        assert instrument.min_notional == raw_filter(doc, "MIN_NOTIONAL")["notional"]
        assert instrument.lot_size == instrument.step_size == raw_filter(doc, "LOT_SIZE")["stepSize"]
    btc = instruments["BTCUSDT"]
    assert (btc.tick_size, btc.min_notional) == ("0.01", "5")
    sushi = instruments["SUSHIUSDT"]
    assert (sushi.tick_size, sushi.lot_size) == ("0.0010", "1")
    assert sushi.price_to_ticks("7.6110") == 7611  # real snapshot price
    assert sushi.qty_to_lots("813") == 813


def test_cryptofeed_spot_exchange_info_all_symbols(shared_data: Path) -> None:
    path = shared_data / "cryptofeed" / "BINANCE.0"
    instruments = load_exchange_info(path)
    raw = raw_symbols(path)
    assert len(instruments) == len(raw) == 1695
    for symbol, instrument in instruments.items():
        doc = raw[symbol]
        assert instrument.market == "spot"
        assert Decimal(instrument.lot_size) == Decimal(10) ** -doc["baseAssetPrecision"]
        assert instrument.step_size == raw_filter(doc, "LOT_SIZE")["stepSize"]
        assert instrument.tick_size == raw_filter(doc, "PRICE_FILTER")["tickSize"]
        assert instrument.min_notional == raw_filter(doc, "MIN_NOTIONAL")["minNotional"]
        assert Decimal(instrument.step_size) == instrument.step_lots * Decimal(instrument.lot_size)
    nkn = instruments["NKNUSDT"]
    assert nkn.price_to_ticks("0.35210000") == 3521  # real snapshot price, tick 0.0001
    assert nkn.qty_to_lots("672.00000000") == 67200000000


# --- bad files -----------------------------------------------------------------------------------


def test_missing_file_is_instrument_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "exchange_info.json"
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(missing)
    message = str(info.value)
    assert str(missing) in message
    assert "No such file or directory" in message
    assert "FileNotFoundError" not in message and "Errno" not in message


def test_directory_is_instrument_error(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="cannot read exchangeInfo file"):
        load_exchange_info(tmp_path)


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "info.json"
    bad.write_text('{\n  "timezone": "UTC",\n  "symbols": [\n    {"symbol": "BTCUSDT",, "status": "TRADING"}\n  ]\n}\n')
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(bad)
    message = str(info.value)
    assert str(bad) in message
    assert "line 4" in message
    assert "column 26" in message


def test_truncated_real_document_is_instrument_error(tmp_path: Path, demo_exchange_info: Path) -> None:
    bad = tmp_path / "info.json"
    bad.write_text(demo_exchange_info.read_text()[:500])
    with pytest.raises(InstrumentError, match="invalid JSON at line"):
        load_exchange_info(bad)


def test_empty_file_is_instrument_error(tmp_path: Path) -> None:
    bad = tmp_path / "info.json"
    bad.write_text("")
    with pytest.raises(InstrumentError, match="invalid JSON at line 1 column 1"):
        load_exchange_info(bad)


def test_neither_json_nor_recording(tmp_path: Path) -> None:
    bad = tmp_path / "info.txt"
    bad.write_text("hello, this is not an exchangeInfo\n")
    with pytest.raises(InstrumentError, match="neither JSON nor"):
        load_exchange_info(bad)


@pytest.mark.parametrize("doc", [{}, {"symbols": {}}, {"timezone": "UTC", "serverTime": 1}, {"symbols": None}])
def test_document_without_symbols_list(tmp_path: Path, doc: dict[str, Any]) -> None:
    bad = tmp_path / "info.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(InstrumentError, match="symbols") as info:
        load_exchange_info(bad, market="usdm")
    assert str(bad) in str(info.value)


@pytest.mark.parametrize("text", ["[1,2", "[\n  1,\n  2", '{"symbols": [', "[1, 2, 3"])
def test_truncated_json_is_reported_as_invalid_json(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "info.json"
    bad.write_text(text)
    with pytest.raises(InstrumentError, match=r"invalid JSON at line \d+ column \d+") as info:
        load_exchange_info(bad)
    assert str(bad) in str(info.value)


def test_top_level_array_is_instrument_error(tmp_path: Path) -> None:
    bad = tmp_path / "info.json"
    bad.write_text("[1, 2, 3]")
    with pytest.raises(InstrumentError):
        load_exchange_info(bad)
    with pytest.raises(InstrumentError, match="symbols"):
        parse_exchange_info([1, 2, 3])  # type: ignore[arg-type]


def _demo_doc(demo_exchange_info: Path) -> dict[str, Any]:
    return json.loads(demo_exchange_info.read_text())


def spot_doc(demo_exchange_info: Path) -> dict[str, Any]:
    """The demo BTCUSDT reshaped as a spot exchangeInfo symbol (the fields spot documents carry)."""
    doc = _demo_doc(demo_exchange_info)
    symbol = doc["symbols"][0]
    for key in ("contractType", "marginAsset", "pair", "deliveryDate", "onboardDate"):
        del symbol[key]
    symbol["isSpotTradingAllowed"] = True
    raw_filter(symbol, "PRICE_FILTER")["tickSize"] = "0.01000000"
    raw_filter(symbol, "LOT_SIZE").update(stepSize="0.00001000", minQty="0.00001000")
    return doc


def _write_mutated(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "info.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda s: raw_filter(s, "PRICE_FILTER").update(tickSize=0.1), "tickSize"),  # a JSON number
    (lambda s: raw_filter(s, "LOT_SIZE").update(stepSize=None), "stepSize"),
    (lambda s: raw_filter(s, "LOT_SIZE").update(minQty="abc"), "minQty"),
    (lambda s: s.update(baseAsset=5), "baseAsset"),
    (lambda s: s.update(filters="PRICE_FILTER"), "filters"),
    (lambda s: s["filters"].append(7), "filters[7]"),
    (lambda s: s["filters"][0].update(filterType=["PRICE_FILTER"]), "filterType"),
    (lambda s: s.update(status=1), "status"),
], ids=["numeric-tickSize", "null-stepSize", "text-minQty", "numeric-baseAsset", "filters-not-a-list",
        "filter-not-an-object", "filterType-not-a-string", "numeric-status"])
def test_mistyped_futures_field_names_file_symbol_and_field(tmp_path: Path, demo_exchange_info: Path,
                                                          mutate: Any, field: str) -> None:
    doc = _demo_doc(demo_exchange_info)
    mutate(doc["symbols"][0])
    path = _write_mutated(tmp_path, doc)
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(path)
    message = str(info.value)
    assert str(path) in message and "BTCUSDT" in message and field in message


@pytest.mark.parametrize("value", ["abc", "100", 0, -1, 1.5, True, None])
def test_coinm_contract_size_must_be_a_positive_integer(tmp_path: Path, demo_exchange_info: Path, value: Any) -> None:
    doc = _demo_doc(demo_exchange_info)
    doc["symbols"][0]["contractSize"] = value  # contractSize marks a COIN-M document
    path = _write_mutated(tmp_path, doc)
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(path, market="coinm")
    message = str(info.value)
    assert str(path) in message and "BTCUSDT" in message and "contractSize" in message


def test_coinm_contract_size_integer_is_read(tmp_path: Path, demo_exchange_info: Path) -> None:
    doc = _demo_doc(demo_exchange_info)
    doc["symbols"][0]["contractSize"] = 100
    assert load_exchange_info(_write_mutated(tmp_path, doc))["BTCUSDT"].contract_size == 100


@pytest.mark.parametrize("value", ["x", "8", 8.0, -1, 19, None, True])
def test_spot_base_asset_precision_must_be_a_small_integer(tmp_path: Path, demo_exchange_info: Path,
                                                          value: Any) -> None:
    doc = spot_doc(demo_exchange_info)
    doc["symbols"][0]["baseAssetPrecision"] = value
    path = _write_mutated(tmp_path, doc)
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(path, market="spot")
    message = str(info.value)
    assert str(path) in message and "BTCUSDT" in message and "baseAssetPrecision" in message


@pytest.mark.parametrize("symbols", [[5], ["BTCUSDT"], [None], [[]], [{"symbol": 5}], [{"symbol": ""}]])
def test_symbol_entry_that_is_not_a_symbol_object(tmp_path: Path, symbols: list[Any]) -> None:
    path = _write_mutated(tmp_path, {"symbols": symbols})
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(path, market="usdm")
    message = str(info.value)
    assert str(path) in message and "symbols[0]" in message


BAD_VALUES: list[Any] = [0.1, 5, -1, True, None, "", "abc", [], {}, [1], {"a": 1}]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path inside a parsed JSON value."""
    out = []
    children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, child in children:
        out.append((*prefix, key))
        out.extend(_paths(child, (*prefix, key)))
    return out


@pytest.mark.parametrize("shape", ["usdm", "spot", "coinm"])
def test_any_mistyped_field_is_instrument_error_or_ignored(demo_exchange_info: Path, shape: str) -> None:
    """Replace each value of a real symbol entry, one at a time, by each wrong JSON type: parsing
    either succeeds (a field VeloZ does not read) or raises InstrumentError naming the symbol (or,
    when the symbol itself is broken, its position). load_exchange_info adds the file name."""
    base = spot_doc(demo_exchange_info) if shape == "spot" else _demo_doc(demo_exchange_info)
    if shape == "coinm":
        base["symbols"][0]["contractSize"] = 100
    entry_text = json.dumps(base["symbols"][0])
    for where in _paths(base["symbols"][0]):
        for bad in BAD_VALUES:
            entry = json.loads(entry_text)
            parent = entry
            for key in where[:-1]:
                parent = parent[key]
            parent[where[-1]] = bad
            try:
                parse_exchange_info({"symbols": [entry]}, market=shape)  # type: ignore[arg-type]
            except InstrumentError as exc:
                assert ("symbols[0]" if where == ("symbol",) else "BTCUSDT") in str(exc), (where, bad, str(exc))


def test_symbol_missing_price_filter(tmp_path: Path, demo_exchange_info: Path) -> None:
    doc = _demo_doc(demo_exchange_info)
    doc["symbols"][0]["filters"] = [f for f in doc["symbols"][0]["filters"] if f["filterType"] != "PRICE_FILTER"]
    bad = tmp_path / "info.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(bad)
    assert "BTCUSDT" in str(info.value)
    assert "PRICE_FILTER" in str(info.value)


def test_symbol_missing_tick_size(tmp_path: Path, demo_exchange_info: Path) -> None:
    doc = _demo_doc(demo_exchange_info)
    raw_filter(doc["symbols"][0], "PRICE_FILTER").pop("tickSize")
    bad = tmp_path / "info.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(InstrumentError, match=r"BTCUSDT PRICE_FILTER: field 'tickSize' is missing"):
        load_exchange_info(bad)


def test_symbol_with_zero_tick_size(tmp_path: Path, demo_exchange_info: Path) -> None:
    doc = _demo_doc(demo_exchange_info)
    raw_filter(doc["symbols"][0], "PRICE_FILTER")["tickSize"] = "0.00000000"
    bad = tmp_path / "info.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(InstrumentError) as info:
        load_exchange_info(bad)
    assert "BTCUSDT" in str(info.value) and "0.00000000" in str(info.value)


def test_unknown_market_shape_needs_market_argument(tmp_path: Path) -> None:
    bad = tmp_path / "info.json"
    bad.write_text(json.dumps({"symbols": [{"symbol": "X"}]}))
    with pytest.raises(InstrumentError, match="cannot tell the market"):
        load_exchange_info(bad)


# The market is taken from substrings of the *file path* before the document's own shape is
# consulted, so a correctly-shaped document saved under an unlucky directory name is misread.


def test_spot_document_misread_from_directory_name(tmp_path: Path, shared_data: Path) -> None:
    target = tmp_path / "futures_research" / "exchange_info.json"
    target.parent.mkdir()
    shutil.copy(shared_data / "nautilus_trader" / "http_spot_market_exchange_info.json", target)
    btc = load_exchange_info(target)["BTCUSDT"]
    assert btc.market == "spot"
    assert btc.lot_size == "0.00000001"


def test_perpetual_document_misread_from_directory_name(tmp_path: Path, demo_exchange_info: Path) -> None:
    target = tmp_path / "spot" / "exchange_info.json"
    target.parent.mkdir()
    shutil.copy(demo_exchange_info, target)
    btc = load_exchange_info(target)["BTCUSDT"]
    assert btc.market == "usdm"
    assert btc.lot_size == "0.001"


def test_binary_file_is_instrument_error(demo_capture: Path) -> None:
    with pytest.raises(InstrumentError):
        load_exchange_info(demo_capture)  # a gzip file passed by mistake
