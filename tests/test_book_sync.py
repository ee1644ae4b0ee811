"""Binance book synchronisation: every rule and gap case, for spot and futures, plus a property
test against a reference model of the documented procedure and against the true book."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from binance_frames import book_ticker_frame, depth_frame, snapshot_frame
from veloz._native.book import BinanceBookFeed

SYMBOL = "BTCUSDT"


def make_feed(market: str) -> BinanceBookFeed:
    return BinanceBookFeed(market, SYMBOL, "0.1", "0.001")


def top(feed: BinanceBookFeed, side: int, n: int = 1000) -> list[tuple[int, int]]:
    prices, qtys = feed.book.top(side, n)
    return list(zip(prices.tolist(), qtys.tolist()))


BIDS = {1000: 5, 999: 7}
ASKS = {1001: 3, 1002: 9}


# ---- explicit rules ---------------------------------------------------------------------------

def test_spot_first_event_rules() -> None:
    feed = make_feed("spot")
    assert feed.state == "needs_snapshot"
    feed.apply(depth_frame("spot", SYMBOL, 90, 100, 0, {}, {}))  # u <= L: dropped after snapshot
    feed.apply(depth_frame("spot", SYMBOL, 101, 105, 0, {1000: 6}, {}))  # U <= L+1 <= u with L=100
    assert feed.counters()["buffered"] == 2 and feed.buffered == 2
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    assert feed.state == "synced" and feed.book_update_id == 105
    assert top(feed, 0)[0] == (1000, 6)
    c = feed.counters()
    assert (c["stale"], c["applied"], c["gaps"]) == (1, 1, 0)
    feed.apply(depth_frame("spot", SYMBOL, 106, 106, 0, {}, {1001: 0}))  # U == prev.u + 1
    assert feed.last_diff_result == "applied" and top(feed, 1)[0] == (1002, 9)


@pytest.mark.parametrize("U,u,expect", [
    (100, 100, "stale"),       # u <= L is dropped on spot
    (101, 101, "applied"),     # U == L+1 == u
    (95, 101, "applied"),      # U < L+1 == u
    (102, 110, "gap"),         # U > L+1: events are missing
])
def test_spot_first_event_boundaries(U: int, u: int, expect: str) -> None:
    feed = make_feed("spot")
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    assert feed.state == "awaiting_first_diff"
    feed.apply(depth_frame("spot", SYMBOL, U, u, 0, {1000: 1}, {}))
    assert feed.last_diff_result == expect


@pytest.mark.parametrize("market", ["usdm", "coinm"])
@pytest.mark.parametrize("U,u,expect", [
    (90, 99, "stale"),        # u < L is dropped
    (90, 100, "applied"),     # u == L is KEPT on futures (spot would drop it)
    (100, 120, "applied"),    # U == L
    (101, 120, "gap"),        # U > L
])
def test_futures_first_event_boundaries(market: str, U: int, u: int, expect: str) -> None:
    feed = BinanceBookFeed(market, "BTCUSD_PERP" if market == "coinm" else SYMBOL, "0.1", "0.001")
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    symbol = feed.symbol
    feed.apply(depth_frame(market, symbol, U, u, 55, {1000: 1}, {}))
    assert feed.last_diff_result == expect


def test_spot_gap_needs_snapshot_and_blocks_diffs_until_one_arrives() -> None:
    feed = make_feed("spot")
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    feed.apply(depth_frame("spot", SYMBOL, 101, 103, 0, {1000: 1}, {}))
    feed.apply(depth_frame("spot", SYMBOL, 105, 107, 0, {1000: 2}, {}))  # 104 missing
    assert feed.last_diff_result == "gap" and feed.state == "needs_snapshot"
    assert feed.counters()["gaps"] == 1
    feed.apply(depth_frame("spot", SYMBOL, 108, 109, 0, {1000: 3}, {}))
    assert feed.last_diff_result == "buffered"
    assert top(feed, 0)[0] == (1000, 1)  # nothing applied after the gap
    # A new snapshot at 106 joins the buffered 105..107 then 108..109.
    feed.apply(snapshot_frame(106, {1000: 50}, ASKS))
    assert feed.state == "synced" and feed.book_update_id == 109
    assert top(feed, 0)[0] == (1000, 3)


def test_futures_chain_uses_pu_not_contiguous_ids() -> None:
    feed = make_feed("usdm")
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    feed.apply(depth_frame("usdm", SYMBOL, 95, 130, 90, {1000: 1}, {}))
    # Ids are shared across symbols: U jumps far past prev u, but pu links the chain.
    feed.apply(depth_frame("usdm", SYMBOL, 500, 510, 130, {1000: 2}, {}))
    assert feed.last_diff_result == "applied" and feed.counters()["gaps"] == 0
    feed.apply(depth_frame("usdm", SYMBOL, 600, 610, 599, {1000: 3}, {}))  # pu != 510
    assert feed.last_diff_result == "gap" and feed.state == "needs_snapshot"
    assert top(feed, 0)[0] == (1000, 2)


def test_duplicate_after_sync_is_stale_not_gap() -> None:
    for market in ("spot", "usdm"):
        feed = make_feed(market)
        feed.apply(snapshot_frame(100, BIDS, ASKS))
        frame = depth_frame(market, SYMBOL, 100, 101, 99, {1000: 1}, {})
        feed.apply(frame)
        feed.apply(frame)
        assert feed.last_diff_result == "stale" and feed.state == "synced"


def test_snapshot_that_does_not_join_the_buffer_reports_a_gap() -> None:
    feed = make_feed("usdm")
    feed.apply(depth_frame("usdm", SYMBOL, 200, 210, 199, {1000: 1}, {}))
    feed.apply(snapshot_frame(150, BIDS, ASKS))  # older than the first buffered event: U > L
    assert feed.state == "needs_snapshot" and feed.counters()["gaps"] == 1
    assert feed.buffered == 1  # kept for the next snapshot
    feed.apply(snapshot_frame(205, BIDS, ASKS))
    assert feed.state == "synced" and feed.book_update_id == 210


def test_bbo_oracle_counts_checks_in_both_arrival_orders_and_flags_mismatch() -> None:
    feed = make_feed("usdm")
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    feed.apply(book_ticker_frame(SYMBOL, 100, (1000, 5), (1001, 3)))  # after the book reached 100
    assert feed.counters()["bbo_checks"] == 1
    feed.apply(book_ticker_frame(SYMBOL, 120, (1000, 8), (1001, 3)))  # before the depth ending at 120
    feed.apply(depth_frame("usdm", SYMBOL, 95, 120, 90, {1000: 8}, {}))
    c = feed.counters()
    assert (c["bbo_checks"], c["bbo_mismatches"]) == (2, 0)
    feed.apply(book_ticker_frame(SYMBOL, 120, (1000, 9), (1001, 3)))  # disagrees with the book
    c = feed.counters()
    assert (c["bbo_checks"], c["bbo_mismatches"]) == (3, 1)
    assert feed.first_mismatch() == {"update_id": 120, "book": (1000, 8, 1001, 3), "ticker": (1000, 9, 1001, 3)}


# ---- property test: reference model and ground truth ------------------------------------------

class ReferenceSync:
    """The documented procedure (binance-protocol.md section 3), written plainly."""

    def __init__(self, market: str) -> None:
        self.futures = market != "spot"
        self.state = "needs_snapshot"
        self.book_id = -1
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        self.buffer: list[tuple[int, int, int, dict, dict]] = []
        self.gaps = 0

    def _stale(self, u: int) -> bool:
        if self.state == "synced" or not self.futures:
            return u <= self.book_id
        return u < self.book_id

    def _fits(self, U: int, u: int, pu: int) -> bool:
        L = self.book_id
        if self.state == "synced":
            return pu == L if self.futures else U == L + 1
        # A diff that continues the snapshot exactly (pu == L) joins it too on futures.
        return (U <= L <= u or pu == L) if self.futures else U <= L + 1 <= u

    def _apply(self, event: tuple[int, int, int, dict, dict]) -> None:
        _, u, _, bids, asks = event
        for side, changes in ((self.bids, bids), (self.asks, asks)):
            for price, q in changes.items():
                if q:
                    side[price] = q
                else:
                    side.pop(price, None)
        self.book_id = u
        self.state = "synced"

    def snapshot(self, L: int, bids: dict, asks: dict) -> None:
        if self.state != "needs_snapshot" and L < self.book_id:
            return  # older than a consistent book: ignored
        self.bids, self.asks, self.book_id, self.state = dict(bids), dict(asks), L, "awaiting_first_diff"
        pending, self.buffer = self.buffer, []
        for i, event in enumerate(pending):
            if self._stale(event[1]):
                continue
            if not self._fits(event[0], event[1], event[2]):
                self.state, self.gaps, self.buffer = "needs_snapshot", self.gaps + 1, pending[i:]
                return
            self._apply(event)

    def diff(self, event: tuple[int, int, int, dict, dict]) -> None:
        if self.state == "needs_snapshot":
            self.buffer.append(event)
        elif self._stale(event[1]):
            pass
        elif not self._fits(event[0], event[1], event[2]):
            self.state, self.gaps = "needs_snapshot", self.gaps + 1
            self.buffer.append(event)
        else:
            self._apply(event)


def true_history(rng: random.Random, market: str, n: int) -> list[tuple[tuple[int, int, int, dict, dict], dict, dict]]:
    """A true update stream: each event with the full book after it."""
    bids = {1000 - i: rng.randint(1, 50) for i in range(1, 6)}
    asks = {1000 + i: rng.randint(1, 50) for i in range(0, 5)}
    history = []
    u = 1000
    for _ in range(n):
        # Futures ids are shared across symbols, so they jump; spot ids are contiguous.
        U = u + 1 + (rng.randint(0, 50) if market != "spot" else 0)
        pu, u = u, U + rng.randint(0, 5)
        changes_b, changes_a = {}, {}
        for _ in range(rng.randint(1, 4)):
            if rng.random() < 0.5:
                price = rng.randint(980, 999)
                changes_b[price] = 0 if rng.random() < 0.3 else rng.randint(1, 50)
            else:
                price = rng.randint(1000, 1020)
                changes_a[price] = 0 if rng.random() < 0.3 else rng.randint(1, 50)
        for side, changes in ((bids, changes_b), (asks, changes_a)):
            for price, q in changes.items():
                if q:
                    side[price] = q
                else:
                    side.pop(price, None)
        history.append(((U, u, pu, changes_b, changes_a), dict(bids), dict(asks)))
    return history


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), market=st.sampled_from(["spot", "usdm", "coinm"]), n=st.integers(5, 60))
def test_sync_matches_reference_and_truth(seed: int, market: str, n: int) -> None:
    rng = random.Random(seed)
    symbol = "BTCUSD_PERP" if market == "coinm" else SYMBOL
    feed = BinanceBookFeed(market, symbol, "0.1", "0.001")
    ref = ReferenceSync(market)
    history = true_history(rng, market, n)
    truth = {event[1]: (b, a) for event, b, a in history}
    # Deliver the stream with drops (gaps), duplicates (stale) and snapshots taken at random points.
    for i, (event, _, _) in enumerate(history):
        roll = rng.random()
        if roll < 0.15:
            j = rng.randrange(len(history))
            L, b, a = history[j][0][1], history[j][1], history[j][2]
            feed.apply(snapshot_frame(L, b, a))
            ref.snapshot(L, b, a)
        if roll > 0.95:
            continue  # dropped: a gap
        copies = 2 if 0.9 < roll <= 0.95 else 1
        for _ in range(copies):
            U, u, pu, bids, asks = event
            feed.apply(depth_frame(market, symbol, U, u, pu, bids, asks))
            ref.diff(event)
        assert feed.state == ref.state
        assert feed.book_update_id == ref.book_id
        assert top(feed, 0) == sorted(ref.bids.items(), reverse=True)
        assert top(feed, 1) == sorted(ref.asks.items())
        assert feed.counters()["gaps"] == ref.gaps
        if feed.state == "synced":
            true_bids, true_asks = truth[feed.book_update_id]
            assert top(feed, 0) == sorted(true_bids.items(), reverse=True)
            assert top(feed, 1) == sorted(true_asks.items())


# ---- snapshots arriving while the book is live --------------------------------------------------

def test_a_late_snapshot_older_than_a_synced_book_is_ignored() -> None:
    feed = make_feed("usdm")
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    feed.apply(depth_frame("usdm", SYMBOL, 95, 120, 90, {1000: 1}, {}))
    feed.apply(depth_frame("usdm", SYMBOL, 121, 130, 120, {1000: 2}, {}))
    feed.apply(snapshot_frame(125, {1000: 77}, ASKS))  # a REST answer that arrived late
    assert feed.state == "synced" and feed.book_update_id == 130 and top(feed, 0)[0] == (1000, 2)
    c = feed.counters()
    assert (c["snapshots"], c["stale_snapshots"], c["gaps"]) == (2, 1, 0)
    feed.apply(depth_frame("usdm", SYMBOL, 131, 140, 130, {1000: 3}, {}))
    assert feed.last_diff_result == "applied"


@pytest.mark.parametrize("market", ["spot", "usdm"])
def test_a_fresh_snapshot_at_an_event_boundary_joins_the_next_diff(market: str) -> None:
    feed = make_feed(market)
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    feed.apply(depth_frame(market, SYMBOL, 101, 130, 100, {1000: 1}, {}))
    feed.apply(snapshot_frame(130, {1000: 9}, ASKS))  # periodic refresh, exactly at the book's id
    assert feed.state == "awaiting_first_diff"
    # Futures ids jump (pu links them); spot ids are contiguous.
    U = 131 if market == "spot" else 500
    feed.apply(depth_frame(market, SYMBOL, U, U + 5, 130, {999: 4}, {}))
    assert feed.last_diff_result == "applied" and feed.state == "synced" and feed.counters()["gaps"] == 0
    assert top(feed, 0)[:2] == [(1000, 9), (999, 4)]


def test_replaying_the_same_capture_twice_keeps_one_consistent_book(demo_capture) -> None:
    from veloz.book_replay import replay

    report = replay(demo_capture, extra_files=[demo_capture])
    assert report.gaps == 0 and report.state == "synced" and report.bbo_mismatches == 0


def test_futures_depth_without_pu_is_rejected_and_changes_nothing() -> None:
    from veloz.errors import MessageError

    feed = make_feed("usdm")
    feed.apply(snapshot_frame(100, BIDS, ASKS))
    frame = depth_frame("spot", SYMBOL, 95, 120, 0, {1000: 1}, {})  # spot layout: no pu, no T
    with pytest.raises(MessageError) as exc:
        feed.apply(frame)
    assert exc.value.field == "pu"
    assert feed.state == "awaiting_first_diff" and feed.counters()["gaps"] == 0 and top(feed, 0)[0] == (1000, 5)
