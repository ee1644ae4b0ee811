"""Bad frames: a clear MessageError naming the field, and the feed's state unchanged.

The frames are real Binance frames (hftbacktest 2024-08-08 captures: USD-M BTCUSDT, spot BTCUSDT,
COIN-M BTCUSD_PERP) with the ids and levels kept, edited by hand only where a test needs one bad part.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veloz._native.book import (KIND_BOOK_TICKER, KIND_DEPTH_UPDATE, KIND_OTHER, KIND_SNAPSHOT, KIND_TRADE,
                                BinanceBookFeed)
from veloz.data.captures import read_hftbacktest
from veloz.errors import MessageError, VelozError

# --- USD-M BTCUSDT (tick 0.10, lot 0.001) ---------------------------------------------------------

# Real REST snapshot (demo capture line 55), trimmed to its best 6 levels a side.
USDM_SNAPSHOT = (
    b'{"lastUpdateId":5123107852948,"E":1723161256501,"T":1723161256493,'
    b'"bids":[["61800.20","2.909"],["61800.10","0.696"],["61800.00","20.004"],["61799.90","0.004"],'
    b'["61799.70","1.795"],["61798.90","0.002"]],'
    b'"asks":[["61800.30","1.072"],["61800.70","0.002"],["61801.00","0.003"],["61802.00","0.002"],'
    b'["61802.80","0.586"],["61802.90","1.137"]]}'
)
# Ids of the real diffs at lines 42 (U <= L <= u: starts the book) and 50 (pu == line 42's u).
FIRST = (5123107850310, 5123107853551, 5123107850146)
NEXT = (5123107853748, 5123107856210, 5123107853551)


def usdm_depth(b: str = '[["61800.10","0.700"]]', a: str = '[["61800.70","0.000"]]', *, ids: tuple[int, int, int] = NEXT,
               s: str = '"BTCUSDT"', extra: str = "", wrapped: bool = True) -> bytes:
    U, u, pu = ids
    payload = (f'{{"e":"depthUpdate","E":1723161256612,"T":1723161256605,"s":{s},"U":{U},"u":{u},"pu":{pu},'
               f'"b":{b},"a":{a}{extra}}}')
    return (f'{{"stream":"btcusdt@depth@0ms","data":{payload}}}' if wrapped else payload).encode()


USDM_FIRST_DIFF = usdm_depth('[["61800.20","3.000"]]', '[["61800.30","1.100"]]', ids=FIRST)
USDM_GOOD = usdm_depth()
# Real bookTicker and trade frames (demo capture lines 2 and 3).
USDM_TICKER = (b'{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":5123107839020,"s":"BTCUSDT",'
               b'"b":"61800.20","B":"2.507","a":"61800.30","A":"2.510","T":1723161256313,"E":1723161256313}}')
USDM_TRADE = (b'{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161256322,"T":1723161256322,"s":"BTCUSDT",'
              b'"t":5266583935,"p":"61800.30","q":"0.006","X":"MARKET","m":false}}')


def fingerprint(feed: BinanceBookFeed) -> tuple[Any, ...]:
    book = feed.book
    bid_p, bid_q = book.top(0, 50)
    ask_p, ask_q = book.top(1, 50)
    counters = feed.counters()
    del counters["rejected"]
    return (bid_p.tolist(), bid_q.tolist(), ask_p.tolist(), ask_q.tolist(), book.level_count(0),
            book.level_count(1), counters, feed.state, feed.book_update_id, feed.buffered, feed.last_diff_result)


def synced_usdm() -> BinanceBookFeed:
    feed = BinanceBookFeed("usdm", "btcusdt", "0.10", "0.001")
    assert feed.apply(USDM_SNAPSHOT) == KIND_SNAPSHOT
    assert feed.state == "awaiting_first_diff"
    assert feed.apply(USDM_FIRST_DIFF) == KIND_DEPTH_UPDATE
    assert feed.state == "synced"
    assert feed.book_update_id == FIRST[1]
    assert feed.book.best_bid() == (618002, 3000)
    assert feed.book.best_ask() == (618003, 1100)
    return feed


def assert_rejected(feed: BinanceBookFeed, frame: bytes, field: str, needles: tuple[str, ...]) -> MessageError:
    before = fingerprint(feed)
    rejected = feed.counters()["rejected"]
    with pytest.raises(MessageError) as info:
        feed.apply(frame)
    exc = info.value
    assert isinstance(exc, VelozError) and isinstance(exc, ValueError)
    assert exc.field == field, str(exc)
    message = str(exc)
    for needle in needles:
        assert needle in message, (needle, message)
    excerpt = frame[:160].decode("utf-8", "replace")
    assert exc.excerpt == excerpt
    assert excerpt in message
    if field:
        assert f"field '{field}'" in message
    else:
        assert "malformed JSON" in exc.reason
    assert fingerprint(feed) == before
    assert feed.counters()["rejected"] == rejected + 1
    return exc


# (id, frame, field, needles in str(exc))
USDM_BAD: list[tuple[str, bytes, str, tuple[str, ...]]] = [
    # malformed JSON: field ""
    ("truncated", USDM_GOOD[: len(USDM_GOOD) // 2], "", ()),
    ("truncated-last-brace", USDM_GOOD[:-1], "", ("end of message",)),
    ("truncated-in-string", USDM_GOOD[: USDM_GOOD.index(b"61800.10") + 4], "", ("unterminated string",)),
    ("trailing-garbage", USDM_GOOD + b"x", "", ("trailing characters",)),
    ("trailing-brace", USDM_GOOD + b"}", "", ("trailing characters",)),
    ("two-frames", USDM_GOOD + USDM_GOOD, "", ("trailing characters",)),
    ("bad-escape", usdm_depth(s='"BTC\\qUSDT"'), "", ("bad escape",)),
    ("bad-unicode-escape", usdm_depth(s='"BTC\\u12G4"'), "", ("bad \\u escape",)),
    ("raw-newline-in-string", usdm_depth(s='"BTC\nUSDT"'), "", ("control character",)),
    ("trailing-comma", usdm_depth(b='[["61800.10","0.700"],]'), "", ("trailing comma",)),
    ("single-quoted-key", USDM_GOOD.replace(b'"e":', b"'e':"), "", ()),
    ("nan-in-unknown-field", usdm_depth(extra=',"X":NaN'), "", ()),
    ("empty", b"", "", ()),
    ("not-json", b"hello", "", ()),
    ("array", b'[{"e":"depthUpdate"}]', "", ()),
    # wrong types
    ("u-string", usdm_depth(ids=(NEXT[0], '"5123107856210"', NEXT[2])), "u", ("expected an integer",)),  # type: ignore[arg-type]
    ("U-string", usdm_depth(ids=('"5123107853748"', NEXT[1], NEXT[2])), "U", ("expected an integer",)),  # type: ignore[arg-type]
    ("pu-null", usdm_depth(ids=(NEXT[0], NEXT[1], "null")), "pu", ("expected an integer",)),  # type: ignore[arg-type]
    ("s-number", usdm_depth(s="5"), "s", ("expected a string",)),
    ("b-number", usdm_depth(b="5"), "b", ("required field is missing",)),
    ("b-object", usdm_depth(b='{"61800.10":"0.700"}'), "b", ()),
    ("b-null", usdm_depth(b="null"), "b", ()),
    ("level-one-element", usdm_depth(b='[["61800.10"]]'), "b[0]", ("[price, quantity]",)),
    ("second-level-one-element", usdm_depth(b='[["61800.10","0.700"],["61800.00"]]'), "b[1]",
     ("[price, quantity]",)),
    ("data-array", b'{"stream":"btcusdt@depth@0ms","data":[1,2]}', "data", ("expected an object",)),
    ("data-string", b'{"stream":"btcusdt@depth@0ms","data":"depthUpdate"}', "data", ("expected an object",)),
    ("data-null", b'{"stream":"btcusdt@depth@0ms","data":null}', "data", ("expected an object",)),
    # missing fields
    ("missing-U", USDM_GOOD.replace(b'"U":5123107853748,', b""), "U", ("required field is missing",)),
    ("missing-u", USDM_GOOD.replace(b'"u":5123107856210,', b""), "u", ("required field is missing",)),
    ("missing-b", USDM_GOOD.replace(b'"b":[["61800.10","0.700"]],', b""), "b", ("required field is missing",)),
    ("missing-a", USDM_GOOD.replace(b',"a":[["61800.70","0.000"]]', b""), "a", ("required field is missing",)),
    ("missing-s", USDM_GOOD.replace(b'"s":"BTCUSDT",', b""), "s", ("required field is missing",)),
    # wrong symbol
    ("depth-symbol", usdm_depth(s='"ETHUSDT"'), "s", ("ETHUSDT", "BTCUSDT")),
    ("ticker-symbol", USDM_TICKER.replace(b'"s":"BTCUSDT"', b'"s":"ETHUSDT"'), "s", ("ETHUSDT",)),
    ("trade-symbol", USDM_TRADE.replace(b'"s":"BTCUSDT"', b'"s":"ETHUSDT"'), "s", ("ETHUSDT",)),
    ("snapshot-symbol", USDM_SNAPSHOT.replace(b'"T":1723161256493,', b'"T":1723161256493,"symbol":"ETHUSDT",'),
     "symbol", ("ETHUSDT",)),
    # values
    ("negative-ask-qty", usdm_depth(a='[["61800.70","-0.500"]]'), "a[0][1]", ("-0.500", "negative quantity")),
    ("negative-bid-qty-2nd", usdm_depth(b='[["61800.10","0.700"],["61800.00","-1.000"]]'), "b[1][1]", ("-1.000",)),
    ("negative-price", usdm_depth(b='[["-61800.10","0.700"]]'), "b[0][0]", ("-61800.10",)),
    ("zero-price", usdm_depth(b='[["61800.10","0.700"],["0.00","1.000"]]'), "b[1][0]", ("'0.00'",)),
    ("off-grid-price", usdm_depth(b='[["61800.10","0.700"],["61800.15","1.000"]]'), "b[1][0]",
     ("61800.15", "BTCUSDT", "not a multiple of the step 0.1")),
    ("off-grid-ask-price", usdm_depth(a='[["61800.75","1.000"]]'), "a[0][0]", ("61800.75",)),
    ("off-grid-qty", usdm_depth(a='[["61800.70","0.0005"]]'), "a[0][1]", ("0.0005", "not a multiple of the step 0.001")),
    ("price-abc", usdm_depth(b='[["abc","0.700"]]'), "b[0][0]", ("'abc'", "not a plain decimal number")),
    ("price-empty", usdm_depth(b='[["","0.700"]]'), "b[0][0]", ("no digits",)),
    ("price-exponent", usdm_depth(b='[["6.18001e4","0.700"]]'), "b[0][0]", ("6.18001e4",)),
    ("price-overflow", usdm_depth(b='[["99999999999999999999","0.700"]]'), "b[0][0]", ("too large",)),
    ("off-grid-late-level", usdm_depth(b="[" + ",".join(f'["{61700 + i}.10","0.001"]' for i in range(40))
                                       + ',["61790.05","0.001"]]'), "b[40][0]", ("61790.05",)),
    ("ticker-off-grid-b", USDM_TICKER.replace(b'"b":"61800.20"', b'"b":"61800.25"'), "b", ("61800.25",)),
    ("ticker-off-grid-A", USDM_TICKER.replace(b'"A":"2.510"', b'"A":"2.5105"'), "A", ("2.5105",)),
    ("ticker-missing-B", USDM_TICKER.replace(b'"B":"2.507",', b""), "B", ("required field is missing",)),
    ("trade-off-grid-p", USDM_TRADE.replace(b'"p":"61800.30"', b'"p":"61800.33"'), "p", ("61800.33",)),
    ("trade-negative-q", USDM_TRADE.replace(b'"q":"0.006"', b'"q":"-0.006"'), "q", ("-0.006",)),
    ("trade-m-string", USDM_TRADE.replace(b'"m":false', b'"m":"false"'), "m", ("true or false",)),
    ("snapshot-off-grid", USDM_SNAPSHOT.replace(b'["61800.10","0.696"]', b'["61800.15","0.696"]'), "bids[1][0]",
     ("61800.15",)),
    ("snapshot-negative-ask", USDM_SNAPSHOT.replace(b'["61800.70","0.002"]', b'["61800.70","-0.002"]'), "asks[1][1]",
     ("-0.002",)),
    ("snapshot-missing-asks", USDM_SNAPSHOT[: USDM_SNAPSHOT.index(b',"asks"')] + b"}", "asks",
     ("required field is missing",)),
]


@pytest.mark.parametrize(("frame", "field", "needles"), [c[1:] for c in USDM_BAD], ids=[c[0] for c in USDM_BAD])
def test_usdm_bad_frame_is_rejected_and_changes_nothing(frame: bytes, field: str, needles: tuple[str, ...]) -> None:
    feed = synced_usdm()
    assert_rejected(feed, frame, field, needles)
    # The feed is not poisoned: the next good frame applies.
    assert feed.apply(USDM_GOOD) == KIND_DEPTH_UPDATE
    assert feed.last_diff_result == "applied"
    assert feed.book_update_id == NEXT[1]
    assert feed.book.qty_at(0, 618001) == 700
    assert feed.book.qty_at(1, 618007) == 0


def test_bare_payload_errors_are_the_same() -> None:
    feed = synced_usdm()
    assert_rejected(feed, usdm_depth(a='[["61800.70","-0.500"]]', wrapped=False), "a[0][1]", ("-0.500",))
    assert_rejected(feed, usdm_depth(s='"ETHUSDT"', wrapped=False), "s", ("ETHUSDT",))
    assert feed.apply(usdm_depth(wrapped=False)) == KIND_DEPTH_UPDATE


def test_bad_frames_in_a_row_then_good_frames_apply() -> None:
    feed = synced_usdm()
    for _, frame, field, needles in USDM_BAD:
        assert_rejected(feed, frame, field, needles)
    assert feed.counters()["rejected"] == len(USDM_BAD)
    assert feed.apply(USDM_GOOD) == KIND_DEPTH_UPDATE
    assert feed.apply(USDM_TICKER) == KIND_BOOK_TICKER
    assert feed.apply(USDM_TRADE) == KIND_TRADE
    assert feed.state == "synced"
    counters = feed.counters()
    assert (counters["messages"], counters["applied"], counters["gaps"]) == (5, 2, 0)


def test_bad_frame_in_other_states_changes_nothing() -> None:
    feed = BinanceBookFeed("usdm", "BTCUSDT", "0.10", "0.001")
    assert feed.state == "needs_snapshot"
    assert feed.apply(USDM_FIRST_DIFF) == KIND_DEPTH_UPDATE  # buffered before the snapshot
    assert feed.buffered == 1
    assert_rejected(feed, usdm_depth(a='[["61800.75","1.000"]]'), "a[0][0]", ("61800.75",))
    assert_rejected(feed, USDM_SNAPSHOT.replace(b'"61799.90"', b'"61799.95"'), "bids[3][0]", ("61799.95",))
    assert feed.state == "needs_snapshot"
    assert feed.apply(USDM_SNAPSHOT) == KIND_SNAPSHOT  # drains the buffered diff
    assert feed.state == "synced"
    assert feed.book_update_id == FIRST[1]


def test_rejected_snapshot_does_not_clear_the_book() -> None:
    feed = synced_usdm()
    levels = feed.book.level_count(0), feed.book.level_count(1)
    bad = USDM_SNAPSHOT.replace(b'"lastUpdateId":5123107852948', b'"lastUpdateId":5123107999999').replace(
        b'["61802.90","1.137"]', b'["61802.90","1.1375"]')
    assert_rejected(feed, bad, "asks[5][1]", ("1.1375",))
    assert (feed.book.level_count(0), feed.book.level_count(1)) == levels
    assert feed.book_update_id == FIRST[1]


def test_apply_many_stops_at_the_bad_frame() -> None:
    feed = synced_usdm()
    later = usdm_depth('[["61799.00","1.000"]]', "[]", ids=(5123107856267, 5123107858366, NEXT[1]))
    with pytest.raises(MessageError) as info:
        feed.apply_many([USDM_GOOD, usdm_depth(s='"ETHUSDT"', ids=(1, 2, 3)), later])
    assert info.value.field == "s"
    assert feed.book_update_id == NEXT[1]  # the first frame applied, the third did not
    assert feed.book.qty_at(0, 617990) == 0
    assert feed.apply(later) == KIND_DEPTH_UPDATE
    assert feed.book.qty_at(0, 617990) == 1000


def test_bad_frame_as_buffer_types() -> None:
    feed = synced_usdm()
    bad = usdm_depth(a='[["61800.70","-0.500"]]')
    assert_rejected(feed, bytearray(bad), "a[0][1]", ("-0.500",))  # type: ignore[arg-type]
    before = fingerprint(feed)
    with pytest.raises(MessageError):
        feed.apply(memoryview(bad))
    assert fingerprint(feed) == before
    assert feed.apply(memoryview(USDM_GOOD)) == KIND_DEPTH_UPDATE


# --- unknown fields are accepted ------------------------------------------------------------------


def test_unknown_fields_are_accepted() -> None:
    feed = synced_usdm()
    extra = (',"X":"new","nq":"1.23","nested":{"a":[1,2.5e-3,{"b":null,"c":[true,false]}],"d":"\\u00e9\\n"},'
             '"ps":"BTCUSD","st":-1,"big":123456789012345678901234567890')
    assert feed.apply(usdm_depth(extra=extra)) == KIND_DEPTH_UPDATE
    assert feed.last_diff_result == "applied"
    assert feed.book.qty_at(0, 618001) == 700
    ticker = USDM_TICKER.replace(b'"e":"bookTicker"', b'"e":"bookTicker","rpi":{"b":"1"},"zz":[]')
    assert feed.apply(ticker) == KIND_BOOK_TICKER
    trade = USDM_TRADE.replace(b'"X":"MARKET"', b'"X":"MARKET","M":true,"b":12345,"a":67890')  # old ids
    assert feed.apply(trade) == KIND_TRADE
    # An unknown event is valid JSON we do not decode: counted as "other", never applied.
    mark = (b'{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT",'
            b'"p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}}')
    before = fingerprint(feed)
    assert feed.apply(mark) == KIND_OTHER
    after = fingerprint(feed)
    assert after[6]["other"] == before[6]["other"] + 1
    assert after[:6] == before[:6]
    assert feed.counters()["rejected"] == 0


def test_zero_price_is_called_zero_not_negative() -> None:
    feed = synced_usdm()
    exc = assert_rejected(feed, usdm_depth(b='[["0.00","1.000"]]'), "b[0][0]", ("'0.00'",))
    assert exc.reason == "zero price '0.00'"
    exc = assert_rejected(feed, usdm_depth(b='[["-0.10","1.000"]]'), "b[0][0]", ("'-0.10'",))
    assert exc.reason == "negative price '-0.10'"


def test_extra_level_elements_are_tolerated() -> None:
    feed = synced_usdm()
    assert feed.apply(usdm_depth(b='[["61800.10","0.700",[]]]')) == KIND_DEPTH_UPDATE
    assert feed.book.qty_at(0, 618001) == 700


# --- spot BTCUSDT (tick 0.01, lot 1e-8) ----------------------------------------------------------

SPOT_SNAPSHOT = (b'{"lastUpdateId":50093239218,"bids":[["61837.63000000","3.78826000"],["61837.62000000","0.61700000"],'
                 b'["61837.24000000","0.10610000"]],"asks":[["61837.64000000","1.54698000"],'
                 b'["61837.65000000","0.00843000"],["61837.68000000","0.00016000"]]}')


def spot_depth(U: int, u: int, b: str = '[["61837.62000000","0.50000000"]]', a: str = "[]", s: str = "BTCUSDT") -> bytes:
    return (f'{{"stream":"btcusdt@depth@100ms","data":{{"e":"depthUpdate","E":1723161255208,"s":"{s}",'
            f'"U":{U},"u":{u},"b":{b},"a":{a}}}}}').encode()


SPOT_TICKER = (b'{"stream":"btcusdt@bookTicker","data":{"u":50093239212,"s":"BTCUSDT","b":"61837.63000000",'
               b'"B":"3.78826000","a":"61837.64000000","A":"1.54698000"}}')
SPOT_TRADE = (b'{"stream":"btcusdt@trade","data":{"e":"trade","E":1723161255343,"s":"BTCUSDT","t":3735683259,'
              b'"p":"61837.63000000","q":"0.02000000","T":1723161255342,"m":true,"M":true}}')


def synced_spot() -> BinanceBookFeed:
    feed = BinanceBookFeed("spot", "BTCUSDT", "0.01000000", "0.00000001")
    feed.apply(SPOT_SNAPSHOT)
    assert feed.apply(spot_depth(50093239210, 50093239225)) == KIND_DEPTH_UPDATE  # U <= L+1 <= u
    assert (feed.state, feed.book_update_id) == ("synced", 50093239225)
    assert feed.book.qty_at(0, 6183762) == 50000000
    return feed


SPOT_BAD = [
    ("off-grid-price", spot_depth(50093239226, 50093239230, b='[["61837.625","1.00000000"]]'), "b[0][0]",
     ("61837.625",)),
    ("off-grid-qty", spot_depth(50093239226, 50093239230, a='[["61837.64000000","0.000000001"]]'), "a[0][1]",
     ("0.000000001",)),
    ("negative-qty", spot_depth(50093239226, 50093239230, a='[["61837.64000000","-1.54698000"]]'), "a[0][1]",
     ("-1.54698000",)),
    ("zero-price", spot_depth(50093239226, 50093239230, b='[["0.00000000","1.00000000"]]'), "b[0][0]",
     ("0.00000000",)),
    ("depth-symbol", spot_depth(50093239226, 50093239230, s="ETHUSDT"), "s", ("ETHUSDT",)),
    ("ticker-symbol", SPOT_TICKER.replace(b'"s":"BTCUSDT"', b'"s":"ETHUSDT"'), "s", ("ETHUSDT",)),
    ("ticker-off-grid-a", SPOT_TICKER.replace(b'"a":"61837.64000000"', b'"a":"61837.645"'), "a", ("61837.645",)),
    ("trade-symbol", SPOT_TRADE.replace(b'"s":"BTCUSDT"', b'"s":"ETHUSDT"'), "s", ("ETHUSDT",)),
    ("trade-zero-price", SPOT_TRADE.replace(b'"p":"61837.63000000"', b'"p":"0"'), "p", ("'0'",)),
    ("trade-missing-m", SPOT_TRADE.replace(b'"m":true,', b""), "m", ("required field is missing",)),
    ("truncated", SPOT_TRADE[:-2], "", ()),
]


@pytest.mark.parametrize(("frame", "field", "needles"), [c[1:] for c in SPOT_BAD], ids=[c[0] for c in SPOT_BAD])
def test_spot_bad_frame_is_rejected_and_changes_nothing(frame: bytes, field: str, needles: tuple[str, ...]) -> None:
    feed = synced_spot()
    assert_rejected(feed, frame, field, needles)
    assert feed.apply(spot_depth(50093239226, 50093239230, b='[["61837.24000000","0"]]')) == KIND_DEPTH_UPDATE
    assert feed.last_diff_result == "applied"
    assert feed.book.qty_at(0, 6183724) == 0
    assert feed.apply(SPOT_TICKER) == KIND_BOOK_TICKER
    assert feed.apply(SPOT_TRADE) == KIND_TRADE
    assert feed.last_trade() == (3735683259, 6183763, 2000000, True, 1723161255342)


# --- COIN-M BTCUSD_PERP (tick 0.1, lot 1 contract) -----------------------------------------------

CM_SNAPSHOT = (b'{"lastUpdateId":1007198635033,"E":1723161257835,"T":1723161257823,"symbol":"BTCUSD_PERP",'
               b'"pair":"BTCUSD","bids":[["61804.7","35"],["61802.0","8"],["61800.8","53"]],'
               b'"asks":[["61804.8","1645"],["61805.1","1"],["61805.2","45"]]}')


def cm_depth(U: int, u: int, pu: int, b: str = '[["61802.0","10"]]', a: str = "[]", s: str = "BTCUSD_PERP") -> bytes:
    return (f'{{"stream":"btcusd_perp@depth@0ms","data":{{"e":"depthUpdate","E":1723161257440,"T":1723161257432,'
            f'"s":"{s}","ps":"BTCUSD","U":{U},"u":{u},"pu":{pu},"b":{b},"a":{a}}}}}').encode()


CM_TICKER = (b'{"stream":"btcusd_perp@bookTicker","data":{"u":1007198632021,"e":"bookTicker","s":"BTCUSD_PERP",'
             b'"ps":"BTCUSD","b":"61804.7","B":"35","a":"61804.8","A":"1645","T":1723161257465,"E":1723161257476}}')


def synced_cm() -> BinanceBookFeed:
    feed = BinanceBookFeed("coinm", "BTCUSD_PERP", "0.1", "1")
    feed.apply(CM_SNAPSHOT)
    assert feed.apply(cm_depth(1007198635000, 1007198635033, 1007198634990)) == KIND_DEPTH_UPDATE  # u == L
    assert (feed.state, feed.book_update_id) == ("synced", 1007198635033)
    return feed


CM_BAD = [
    ("fractional-contracts", cm_depth(1007198635040, 1007198635050, 1007198635033, a='[["61805.1","1.5"]]'), "a[0][1]",
     ("1.5",)),
    ("off-grid-price", cm_depth(1007198635040, 1007198635050, 1007198635033, b='[["61802.05","3"]]'), "b[0][0]",
     ("61802.05",)),
    ("negative-qty", cm_depth(1007198635040, 1007198635050, 1007198635033, b='[["61802.0","-8"]]'), "b[0][1]",
     ("-8",)),
    ("depth-symbol", cm_depth(1007198635040, 1007198635050, 1007198635033, s="ETHUSD_PERP"), "s", ("ETHUSD_PERP",)),
    ("ticker-symbol", CM_TICKER.replace(b'"s":"BTCUSD_PERP"', b'"s":"BTCUSD_240927"'), "s", ("BTCUSD_240927",)),
    ("ticker-off-grid", CM_TICKER.replace(b'"B":"35"', b'"B":"35.5"'), "B", ("35.5",)),
    ("snapshot-symbol", CM_SNAPSHOT.replace(b'"symbol":"BTCUSD_PERP"', b'"symbol":"ETHUSD_PERP"'), "symbol",
     ("ETHUSD_PERP",)),
    ("snapshot-symbol-type", CM_SNAPSHOT.replace(b'"symbol":"BTCUSD_PERP"', b'"symbol":1'), "symbol",
     ("expected a string",)),
]


@pytest.mark.parametrize(("frame", "field", "needles"), [c[1:] for c in CM_BAD], ids=[c[0] for c in CM_BAD])
def test_coinm_bad_frame_is_rejected_and_changes_nothing(frame: bytes, field: str, needles: tuple[str, ...]) -> None:
    feed = synced_cm()
    assert_rejected(feed, frame, field, needles)
    assert feed.apply(cm_depth(1007198635040, 1007198635050, 1007198635033)) == KIND_DEPTH_UPDATE
    assert feed.last_diff_result == "applied"
    assert feed.book.qty_at(0, 618020) == 10


# --- mistyped values, rejected frames, spot bookTicker -------------------------------------------------------


def test_numeric_level_price_names_the_field() -> None:
    feed = synced_usdm()
    assert_rejected(feed, usdm_depth(b='[[61800.1,"0.700"]]'), "b[0][0]", ())


@pytest.mark.parametrize("value", ["1.5", "true", "5123107856210.0"])
def test_non_integer_id_names_the_field(value: str) -> None:
    feed = synced_usdm()
    assert_rejected(feed, usdm_depth(ids=(NEXT[0], value, NEXT[2])), "u", ())  # type: ignore[arg-type]


def test_empty_level_names_the_field() -> None:
    feed = synced_usdm()
    assert_rejected(feed, usdm_depth(b="[[]]"), "b[0]", ("[price, quantity]",))




def test_rejected_frame_does_not_replace_last_message() -> None:
    feed = synced_usdm()
    assert feed.apply(USDM_TRADE) == KIND_TRADE
    good_trade = feed.last_trade()
    assert good_trade == (5266583935, 618003, 6, False, 1723161256322)
    with pytest.raises(MessageError):
        feed.apply(USDM_TRADE.replace(b'"t":5266583935', b'"t":5266583936').replace(b'"q":"0.006"', b'"q":"0.0065"'))
    assert feed.last_kind == KIND_TRADE
    assert feed.last_trade() == good_trade  # observed: (5266583936, 618003, 0, False, 1723161256322)
    assert feed.apply(USDM_TICKER) == KIND_BOOK_TICKER
    good_ticker = feed.last_book_ticker()
    with pytest.raises(MessageError):
        feed.apply(USDM_TICKER.replace(b'"u":5123107839020', b'"u":5123107999999').replace(b'"a":"61800.30"',
                                                                                        b'"a":"61800.35"'))
    assert feed.last_book_ticker() == good_ticker


# --- property: random corruption of real frames --------------------------------------------------

_DEMO = Path(__file__).resolve().parent.parent / "demo" / "data" / "usdm_btcusdt_20240808.gz"


def _real_lines(numbers: set[int]) -> dict[int, bytes]:
    out = {}
    for frame in itertools.islice(read_hftbacktest(_DEMO), max(numbers)):
        if frame.line in numbers:
            out[frame.line] = frame.payload
    return out


# Lines 42 and 50: diffs received before the snapshot (line 55); line 57: the next diff (pu == 50's u);
# lines 56, 60: bookTicker and trade frames in between.
REAL = _real_lines({42, 50, 55, 56, 57, 60})


def test_real_frames_sync_as_expected() -> None:
    assert b'"u":5123107853551' in REAL[42] and b'"pu":5123107856210' in REAL[57]
    assert b'"lastUpdateId":5123107852948' in REAL[55]
    feed = real_synced_feed()
    assert (feed.state, feed.book_update_id) == ("synced", 5123107856210)
    assert feed.apply(REAL[57]) == KIND_DEPTH_UPDATE
    assert feed.last_diff_result == "applied"
    assert feed.apply(REAL[56]) == KIND_BOOK_TICKER
    assert feed.apply(REAL[60]) == KIND_TRADE


def real_synced_feed() -> BinanceBookFeed:
    feed = BinanceBookFeed("usdm", "BTCUSDT", "0.10", "0.001")
    feed.apply_many([REAL[42], REAL[50], REAL[55]])
    return feed


@st.composite
def corrupted(draw: st.DrawFn) -> bytes:
    frame = bytearray(draw(st.sampled_from([REAL[57], REAL[57], REAL[56], REAL[60]])))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "delete", "insert", "truncate", "duplicate"]))
        if not frame:
            break
        i = draw(st.integers(0, len(frame) - 1))
        if op == "flip":
            frame[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            frame[i] = draw(st.sampled_from(b'"[]{},:-.0123456789eE\\ \x00\xff'))
        elif op == "delete":
            del frame[i:i + draw(st.integers(1, 8))]
        elif op == "insert":
            frame[i:i] = draw(st.binary(min_size=1, max_size=6))
        elif op == "truncate":
            del frame[i:]
        else:
            j = draw(st.integers(i, min(len(frame), i + 30)))
            frame[i:i] = frame[i:j]
    return bytes(frame)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corrupted())
def test_property_corrupted_real_frames_apply_or_raise_cleanly(frame: bytes) -> None:
    feed = real_synced_feed()
    before = fingerprint(feed)
    counters = feed.counters()
    try:
        kind = feed.apply(frame)
    except MessageError as exc:
        assert fingerprint(feed) == before
        assert feed.counters()["rejected"] == counters["rejected"] + 1
        assert exc.excerpt == frame[:160].decode("utf-8", "replace")
        assert exc.reason
    else:
        assert kind in (0, 1, 2, 3, 4, 5)
        assert feed.counters()["rejected"] == counters["rejected"]
        assert feed.counters()["messages"] == counters["messages"] + 1
    # Whatever happened, the feed still takes good frames.
    assert feed.apply(REAL[60]) == KIND_TRADE


def test_spot_ticker_with_numeric_price_is_rejected() -> None:
    feed = synced_spot()
    assert_rejected(feed, SPOT_TICKER.replace(b'"b":"61837.63000000"', b'"b":61837.63'), "b", ())


def test_negative_zero_quantity_and_negative_ids_are_refused() -> None:
    feed = BinanceBookFeed("usdm", "BTCUSDT", "0.10", "0.001")
    frame = ('{"e":"depthUpdate","E":1,"T":1,"s":"BTCUSDT","U":5,"u":6,"pu":4,'
             '"b":[["61800.10","-0.000"]],"a":[]}')
    with pytest.raises(MessageError) as exc:
        feed.apply(frame.encode())
    assert exc.value.field == "b[0][1]" and "negative" in exc.value.reason
    with pytest.raises(MessageError) as exc:
        feed.apply(frame.replace('"u":6', '"u":-6').replace("-0.000", "0.001").encode())
    assert exc.value.field == "u"
    assert feed.counters()["rejected"] == 2 and feed.counters()["messages"] == 0


def test_json_escapes_are_decoded_before_fields_are_compared() -> None:
    """Binance never escapes, but '\\u0042TCUSDT' is 'BTCUSDT' in JSON: the decoder must agree."""
    feed = BinanceBookFeed("usdm", "BTCUSDT", "0.10", "0.001")
    snapshot = b'{"lastUpdateId":100,"bids":[["61800.00","1.000"]],"asks":[["61800.10","1.000"]]}'
    assert feed.apply(snapshot) == 4
    frame = ('{"stream":"btcusdt@depth@0ms","data":{"e":"depth\\u0055pdate","E":1,"T":1,"s":"\\u0042TCUSDT",'
             '"U":90,"u":110,"pu":80,"\\u0062":[["61800.\\u0030\\u0030","2.000"]],"a":[]}}')
    assert feed.apply(frame.encode()) == 1  # a depth update
    assert feed.last_diff_result == "applied" and feed.book.best_bid() == (618000, 2000)


def test_escaped_symbol_of_another_instrument_is_still_refused() -> None:
    feed = BinanceBookFeed("usdm", "BTCUSDT", "0.10", "0.001")
    frame = b'{"e":"trade","E":1,"T":1,"s":"\\u0045THUSDT","t":1,"p":"1.00","q":"0.001","X":"MARKET","m":true}'
    with pytest.raises(MessageError) as exc:
        feed.apply(frame)
    assert exc.value.field == "s" and "ETHUSDT" in exc.value.reason
