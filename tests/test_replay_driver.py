"""The C++ replay driver through its binding: merge order, chunking, depth messages, snapshots,
subscriptions, timers and bars, each against a small Python reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veloz._native import replay as native

INST = {"symbol": "BTCUSDT", "tick_size": "0.1", "lot_size": "0.001", "base_asset": "BTC", "quote_asset": "USDT",
        "margin_asset": "USDT"}
T0 = 1_700_000_000_000_000_000


def driver(**kwargs: object) -> native.ReplayDriver:
    return native.ReplayDriver("usdm", [dict(INST)], deposit="100000", **kwargs)  # type: ignore[arg-type]


def drain(d: native.ReplayDriver, chunks: dict[int, list[dict]]) -> None:
    """Runs to the end, handing each stream its chunks in turn."""
    pending = {stream: list(parts) for stream, parts in chunks.items()}
    while True:
        code, stream = d.run()
        if code == native.RUN_NEED_DATA:
            if pending[stream]:
                d.set_chunk(stream, **pending[stream].pop(0))
            else:
                d.end_stream(stream)
        elif code == native.RUN_END:
            return


def trade_chunk(ts, px, qty=None, side=None, local=None, seq=None) -> dict:
    n = len(ts)
    return {"ts": np.asarray(ts, np.int64), "local_ts": np.asarray(local if local is not None else ts, np.int64),
            "seq": np.asarray(seq if seq is not None else range(1, n + 1), np.int64),
            "v0": np.asarray(px, np.int64), "v1": np.asarray(qty if qty is not None else [1] * n, np.int64),
            "side": np.asarray(side if side is not None else [1] * n, np.int8)}


def depth_chunk(ts, side, px, qty, kind=None, seq=None, local=None) -> dict:
    n = len(ts)
    return {"ts": np.asarray(ts, np.int64), "local_ts": np.asarray(local if local is not None else ts, np.int64),
            "seq": np.asarray(seq if seq is not None else range(1, n + 1), np.int64),
            "v0": np.asarray(px, np.int64), "v1": np.asarray(qty, np.int64), "side": np.asarray(side, np.int8),
            "kind": np.asarray(kind if kind is not None else [0] * n, np.int8)}


# ---- merge order ------------------------------------------------------------------------------

rows = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.integers(0, 3)), min_size=0, max_size=30)


@settings(max_examples=150, deadline=None)
@given(streams=st.lists(rows, min_size=1, max_size=4), cuts=st.lists(st.integers(1, 7), min_size=4, max_size=4))
def test_merge_order_matches_a_sorted_reference_however_the_chunks_are_cut(streams, cuts) -> None:
    """Rows leave in (exchange ts, receive ts, sequence, stream) order, whatever the chunk sizes."""
    d = driver()
    seen: list[tuple[int, int, int, int]] = []
    d.set_callbacks(on_trade=lambda t: seen.append((t.ts_ns, t.trade_id, t.px_ticks)))
    d.subscribe(0, native.SUB_TRADES)
    chunks: dict[int, list[dict]] = {}
    reference = []
    for index, raw in enumerate(streams):
        stream = d.add_stream(0, "trades")
        ordered = sorted(raw)  # each stream is in its own order, as the catalog writes it
        ts = [T0 + a for a, _, _ in ordered]
        local = [T0 + a + b for a, b, _ in ordered]
        seq = [c for _, _, c in ordered]
        px = [1000 * (index + 1) + i for i in range(len(ordered))]  # identifies the row
        reference += [(t, lo, s, index, p) for t, lo, s, p in zip(ts, local, seq, px)]
        size = cuts[index % len(cuts)]
        chunks[stream] = [trade_chunk(ts[i:i + size], px[i:i + size], local=local[i:i + size], seq=seq[i:i + size])
                          for i in range(0, len(ts), size)]
    drain(d, chunks)
    # Python's sort is stable, so equal keys keep stream order, as the driver does.
    expected = [(t, s, p) for t, _lo, s, _i, p in sorted(reference, key=lambda r: (r[0], r[1], r[2], r[3]))]
    assert seen == expected


def test_an_empty_chunk_is_asked_again_and_an_ended_stream_is_skipped() -> None:
    d = driver()
    got = []
    d.set_callbacks(on_trade=lambda t: got.append(t.px_ticks))
    d.subscribe(0, native.SUB_TRADES)
    a, b = d.add_stream(0, "trades"), d.add_stream(0, "trades")
    drain(d, {a: [trade_chunk([], []), trade_chunk([T0 + 1], [11])], b: []})
    assert got == [11]


# ---- depth messages, snapshots, the top of book -----------------------------------------------

def test_on_book_sees_a_depth_message_whole_never_its_intermediate_state() -> None:
    d = driver()
    tops, depth = [], []
    d.set_callbacks(on_book=lambda b: tops.append((b.bid_px_ticks, b.bid_qty_lots, b.ask_px_ticks, b.ask_qty_lots)),
                    on_depth=lambda u: depth.append((u.side, u.px_ticks, u.qty_lots, u.is_snapshot)))
    d.subscribe(0, native.SUB_BOOK | native.SUB_DEPTH)
    s = d.add_stream(0, "depth")
    # message 1 (seq 1): snapshot of two levels; message 2 (seq 2): the bid moves up in two rows,
    # passing through an intermediate state (two bids) that on_book must not report.
    chunk = depth_chunk([T0, T0, T0 + 5, T0 + 5, T0 + 9], [1, -1, 1, 1, -1], [100, 102, 101, 100, 102],
                        [5, 6, 7, 0, 6], kind=[2, 2, 0, 0, 0], seq=[1, 1, 2, 2, 3])
    drain(d, {s: [chunk]})
    assert tops == [(100, 5, 102, 6), (101, 7, 102, 6)]  # message 3 changes nothing at the top
    assert depth == [(1, 100, 5, True), (-1, 102, 6, True), (1, 101, 7, False), (1, 100, 0, False),
                     (-1, 102, 6, False)]


def test_a_message_cut_between_two_chunks_is_still_one_message() -> None:
    d = driver()
    tops = []
    d.set_callbacks(on_book=lambda b: tops.append((b.bid_px_ticks, b.ask_px_ticks)))
    d.subscribe(0, native.SUB_BOOK)
    s = d.add_stream(0, "depth")
    first = depth_chunk([T0, T0], [1, -1], [100, 105], [1, 1], seq=[1, 1])
    second = depth_chunk([T0], [-1], [103], [1], seq=[1])
    drain(d, {s: [first, second]})
    assert tops == [(100, 103)]


def test_a_new_snapshot_replaces_the_book() -> None:
    d = driver()
    s = d.add_stream(0, "depth")
    snap1 = depth_chunk([T0] * 4, [1, 1, -1, -1], [99, 100, 101, 102], [1, 1, 1, 1], kind=[2] * 4, seq=[1] * 4)
    update = depth_chunk([T0 + 1], [1], [98], [3], seq=[2])
    snap2 = depth_chunk([T0 + 2] * 2, [1, -1], [90, 95], [4, 4], kind=[2, 2], seq=[3, 3])
    drain(d, {s: [snap1, update, snap2]})
    assert d.levels(0, 1, 10) == [(90, 4)]
    assert d.levels(0, -1, 10) == [(95, 4)]


def test_back_to_back_snapshots_of_different_times_are_two_books_not_one() -> None:
    """Tardis snapshots carry no update ids: a snapshot row of another time starts a new book."""
    d = driver()
    s = d.add_stream(0, "depth")
    snaps = depth_chunk([T0, T0, T0 + 1, T0 + 1], [1, -1, 1, -1], [99, 101, 90, 95], [1, 1, 2, 2], kind=[2] * 4,
                        seq=[-1] * 4)
    drain(d, {s: [snaps]})
    assert d.levels(0, 1, 10) == [(90, 2)] and d.levels(0, -1, 10) == [(95, 2)]


def test_unsubscribed_events_never_enter_python() -> None:
    d = driver()
    d.set_callbacks(on_trade=lambda t: pytest.fail("not subscribed"), on_book=lambda b: pytest.fail("not subscribed"))
    s, t = d.add_stream(0, "depth"), d.add_stream(0, "trades")
    drain(d, {s: [depth_chunk([T0, T0 + 2], [1, -1], [100, 101], [1, 1], seq=[1, 2])],
              t: [trade_chunk([T0 + 1], [101])]})
    counters = d.counters()
    assert counters["data_events"] == 3 and counters["python_events"] == 0 and counters["book_changes"] == 2


# ---- timers and bars --------------------------------------------------------------------------

def test_timers_fire_in_time_order_between_rows_and_repeat_until_cancelled() -> None:
    d = driver()
    log: list[tuple[str, int]] = []
    ids: dict[str, int] = {}

    def on_trade(t):  # noqa: ANN001
        log.append(("trade", t.ts_ns))
        if t.trade_id == 1:
            ids["once"] = d.add_timer(T0 + 25, 0, "once")
            ids["every"] = d.add_timer(T0 + 10, 10, "every")
        if t.trade_id == 3:
            d.cancel_timer(ids["every"])

    d.set_callbacks(on_trade=on_trade, on_timer=lambda e: log.append((e.name, e.ts_ns)))
    d.subscribe(0, native.SUB_TRADES)
    s = d.add_stream(0, "trades")
    drain(d, {s: [trade_chunk([T0, T0 + 20, T0 + 31, T0 + 50], [1, 2, 3, 4])]})
    assert log == [("trade", T0), ("every", T0 + 10), ("every", T0 + 20), ("trade", T0 + 20), ("once", T0 + 25),
                   ("every", T0 + 30), ("trade", T0 + 31), ("trade", T0 + 50)]


def test_bars_from_trades_close_at_their_end_and_skip_empty_intervals() -> None:
    d = driver()
    bars = []
    d.set_callbacks(on_bar=lambda b: bars.append((b.open_ts_ns, b.ts_ns, b.open_ticks, b.high_ticks, b.low_ticks,
                                                  b.close_ticks, b.volume_lots, b.trade_count)))
    d.set_bar_interval(0, 1_000)
    s = d.add_stream(0, "trades")
    ts = [T0 + 10, T0 + 500, T0 + 999, T0 + 1_000, T0 + 3_500, T0 + 3_600]
    drain(d, {s: [trade_chunk(ts, [50, 55, 48, 60, 61, 59], qty=[1, 2, 3, 4, 5, 6])]})
    # the last bar (3000-4000) is still open when the data ends: not delivered
    assert bars == [(T0, T0 + 1_000, 50, 55, 48, 48, 6, 3), (T0 + 1_000, T0 + 2_000, 60, 60, 60, 60, 4, 1)]


# ---- orders through the driver ----------------------------------------------------------------

def test_a_market_order_fills_after_the_order_latency_and_is_reported_after_the_report_latency() -> None:
    d = driver(order_latency=("constant", 100, 0, 0.0, 0.0), report_latency=("constant", 50, 0, 0.0, 0.0))
    fills, orders = [], []

    def on_trade(t):  # noqa: ANN001
        if t.trade_id == 1:
            d.submit(0, 0, 0, 2)  # market buy 2 lots

    d.set_callbacks(on_trade=on_trade, on_fill=lambda f: fills.append((f.ts_ns, f.px_ticks, f.qty_lots)),
                    on_order=lambda o: orders.append((o.ts_ns, o.status)))
    d.subscribe(0, native.SUB_TRADES)
    book, trades = d.add_stream(0, "depth"), d.add_stream(0, "trades")
    drain(d, {book: [depth_chunk([T0, T0, T0 + 120], [1, -1, -1], [99, 101, 101], [10, 10, 0], seq=[1, 1, 2])],
              trades: [trade_chunk([T0 + 10, T0 + 500], [101, 101])]})
    # sent at T0+10, at the venue at T0+110 (the ask at 101 is still there), seen at T0+160
    assert fills == [(T0 + 160, 101, 2)]
    assert orders == [(T0 + 160, 1), (T0 + 160, 3)]  # accepted, then filled
    out = d.fills_array()
    assert out["ts"].tolist() == [T0 + 160] and out["decision_mid2"].tolist() == [200]


def test_trades_only_data_gives_a_one_tick_book_around_the_last_trade() -> None:
    d = driver()

    def on_trade(t):  # noqa: ANN001
        if t.trade_id == 2:
            d.submit(0, 0, 0, 1)  # market buy

    d.set_callbacks(on_trade=on_trade)
    d.subscribe(0, native.SUB_TRADES)
    s = d.add_stream(0, "trades")
    drain(d, {s: [trade_chunk([T0, T0 + 10, T0 + 5_000_000], [500, 498, 499], side=[1, -1, 1])]})
    # the seller hit the bid at 498: the synthetic ask is one tick above
    assert d.fills_array()["px"].tolist() == [499]
    assert d.best(0, 1)[0] == 498 and d.best(0, -1)[0] == 499


def test_funding_pays_the_position_value_times_the_rate() -> None:
    d = driver(order_latency=("constant", 0, 0, 0.0, 0.0), report_latency=("constant", 0, 0, 0.0, 0.0))
    payments = []

    def on_trade(t):  # noqa: ANN001
        if t.trade_id == 1:
            d.submit(0, 0, 0, 1000)  # long 1 BTC

    d.set_callbacks(on_trade=on_trade, on_funding=lambda f: payments.append((f.rate_e8, f.payment_e8)))
    d.subscribe(0, native.SUB_TRADES | native.SUB_FUNDING)
    book, trades, funding = d.add_stream(0, "depth"), d.add_stream(0, "trades"), d.add_stream(0, "funding")
    drain(d, {book: [depth_chunk([T0, T0], [1, -1], [599_990, 600_000], [5000, 5000], seq=[1, 1])],
              trades: [trade_chunk([T0 + 1], [600_000])],
              funding: [{"ts": np.array([T0 + 100], np.int64), "local_ts": np.array([T0 + 100], np.int64),
                         "v0": np.array([10_000], np.int64), "v1": np.array([600_000], np.int64)}]})
    # long 1 BTC at a 60,000 mark, rate 0.0001: pays 6 USDT
    assert payments == [(10_000, -600_000_000)]
    d.finish()
    assert d.equity_array()[-1]["funding_e8"] == -600_000_000


def test_an_exception_in_a_callback_propagates_and_the_driver_can_still_finish() -> None:
    d = driver()

    def boom(t):  # noqa: ANN001
        raise ZeroDivisionError("strategy bug")

    d.set_callbacks(on_trade=boom)
    d.subscribe(0, native.SUB_TRADES)
    s = d.add_stream(0, "trades")
    d.set_chunk(s, **trade_chunk([T0, T0 + 1], [1, 2]))
    with pytest.raises(ZeroDivisionError):
        d.run()
    d.finish()
    assert d.counters()["data_events"] == 1 and len(d.equity_array()) >= 1


def test_bad_chunks_are_refused_with_the_column_named() -> None:
    d = driver()
    s = d.add_stream(0, "trades")
    with pytest.raises(ValueError, match="v0"):
        d.set_chunk(s, np.array([T0, T0 + 1]), np.array([T0, T0 + 1]), v0=np.array([1]))
    with pytest.raises(IndexError):
        d.set_chunk(7, np.array([T0]), np.array([T0]))
    with pytest.raises(ValueError, match="stream kind"):
        d.add_stream(0, "candles")


# ---- regressions ------------------------------------------------------------------------------

def test_a_repeating_timer_whose_next_due_time_overflows_fires_once() -> None:
    """Re-arming at due + interval past int64 wrapped to a time in the past: the timer fired again
    and again, with time running backwards, and the run never ended."""
    d = driver()
    fired: list[int] = []

    def on_trade(t):  # noqa: ANN001
        if t.trade_id == 1:
            d.add_timer(T0 + 10, 2**63 - 1, "forever")

    def on_timer(e):  # noqa: ANN001
        fired.append(e.ts_ns)
        if len(fired) > 5:
            raise RuntimeError("the timer keeps firing")

    d.set_callbacks(on_trade=on_trade, on_timer=on_timer)
    d.subscribe(0, native.SUB_TRADES)
    s = d.add_stream(0, "trades")
    drain(d, {s: [trade_chunk([T0, T0 + 100], [1, 2])]})
    assert fired == [T0 + 10]


def test_a_snapshot_right_after_a_snapshot_replaces_the_book() -> None:
    """A snapshot started only after a non-snapshot row, so a second snapshot straight after the
    first was loaded on top of it and the first one's levels stayed."""
    d = driver()
    s = d.add_stream(0, "depth")
    snap1 = depth_chunk([T0] * 4, [1, 1, -1, -1], [99, 100, 101, 102], [1, 1, 1, 1], kind=[2] * 4, seq=[1] * 4)
    snap2 = depth_chunk([T0 + 2] * 2, [1, -1], [90, 95], [4, 4], kind=[2, 2], seq=[3, 3])
    drain(d, {s: [snap1, snap2]})
    assert d.levels(0, 1, 10) == [(90, 4)]
    assert d.levels(0, -1, 10) == [(95, 4)]


def test_a_snapshot_that_restates_our_level_keeps_our_place_in_the_queue() -> None:
    """The book was cleared before a snapshot was loaded: our level went to 0 for a moment, and a
    resting order jumped to the front of its queue (the conservative model moves it only on trades
    at its price)."""
    d = driver()
    placed = []

    def on_book(b):  # noqa: ANN001
        if not placed:
            placed.append(d.submit(0, 0, 1, 1, 100))  # limit buy 1 lot at 100, behind 10

    d.set_callbacks(on_book=on_book)
    d.subscribe(0, native.SUB_BOOK)
    book, trades = d.add_stream(0, "depth"), d.add_stream(0, "trades")
    depth = depth_chunk([T0, T0, T0 + 3, T0 + 5, T0 + 5], [1, -1, 1, 1, -1], [100, 101, 98, 100, 101],
                        [10, 10, 5, 10, 10], kind=[2, 2, 0, 2, 2], seq=[1, 1, 2, 3, 3])
    drain(d, {book: [depth], trades: [trade_chunk([T0 + 10], [100], qty=[4], side=[-1])]})
    assert placed and d.levels(0, 1, 10) == [(100, 10)]
    assert len(d.fills_array()) == 0  # a 4-lot sell cannot reach past the 10 lots ahead


def test_a_spot_fee_paid_in_the_base_asset_is_counted_once() -> None:
    """A spot buy's commission is charged in the base asset, so the account holds the quantity
    less the fee, and fees_e8 counts it. The equity sample valued the holdings left against the full
    cost: the fee was counted again in unrealized PnL, unlike in the position sample."""
    spot = {"symbol": "BTCUSDT", "tick_size": "0.01", "lot_size": "0.001", "base_asset": "BTC",
            "quote_asset": "USDT", "margin_asset": "USDT", "taker_fee_rate": "0.001"}
    d = native.ReplayDriver("spot", [spot], deposit="100000", sample_interval_ns=0)

    def on_book(b):  # noqa: ANN001
        if not d.open_order_ids() and not len(d.fills_array()):
            d.submit(0, 0, 0, 100)  # market buy 0.1 BTC at the 60001.00 ask; fee 0.0001 BTC

    d.set_callbacks(on_book=on_book)
    d.subscribe(0, native.SUB_BOOK)
    s = d.add_stream(0, "depth")
    drain(d, {s: [depth_chunk([T0, T0, T0 + 10], [1, -1, 1], [5_999_900, 6_000_100, 5_999_000], [1000, 1000, 1],
                              kind=[2, 2, 0], seq=[1, 1, 2])]})
    d.finish()
    equity, position = d.equity_array()[-1], d.positions_array()[-1]
    assert position["unrealized_e8"] == -10_000_000  # 0.1 BTC worth 6000.00 at the mid, bought for 6000.10
    assert equity["unrealized_e8"] == position["unrealized_e8"]
    assert equity["fees_e8"] == 600_010_000
    assert equity["realized_e8"] + equity["unrealized_e8"] - equity["fees_e8"] == -610_010_000


def test_before_the_first_row_the_clock_reads_the_start_of_the_data() -> None:
    """The runner hands every stream its first chunk, then calls on_start. The clock read INT64_MIN
    there, so ctx.set_timer(delay, repeat=True) in on_start (now + delay) fired about 2**63 / delay
    times before the first row: the backtest hung."""
    d = driver()
    fired: list[int] = []

    def on_timer(e):  # noqa: ANN001
        fired.append(e.ts_ns)
        if len(fired) > 10:
            raise RuntimeError("the timer fires from the dawn of time")

    d.set_callbacks(on_timer=on_timer)
    s = d.add_stream(0, "trades")
    d.set_chunk(s, **trade_chunk([T0, T0 + 3_500_000_000], [1, 2]))
    assert d.now == T0
    d.add_timer(d.now + 1_000_000_000, 1_000_000_000, "every second")  # what on_start does
    drain(d, {s: []})
    assert fired == [T0 + 1_000_000_000, T0 + 2_000_000_000, T0 + 3_000_000_000]


def test_a_stop_triggered_on_trades_only_data_fills_at_the_book_of_that_trade() -> None:
    """With trades only, the one-tick book moved to the trade only after the venue had seen the
    trade, so a stop triggered by it took the previous book: a stop buy at 1003 triggered by a buy
    at 1005 filled at 1001, below its own stop price."""
    d = driver()

    def on_trade(t):  # noqa: ANN001
        if t.trade_id == 1:
            d.submit(0, 0, 2, 1, stop_price=1003)  # stop-market buy

    d.set_callbacks(on_trade=on_trade)
    d.subscribe(0, native.SUB_TRADES)
    s = d.add_stream(0, "trades")
    drain(d, {s: [trade_chunk([T0, T0 + 10], [1000, 1005], side=[-1, 1])]})
    assert d.fills_array()["px"].tolist() == [1005]
