"""L2Book against a plain-dict reference model under random level updates.

Small windows and prices spread far beyond them force the overflow and re-centring paths.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from veloz._native.book import ASK, BID, L2Book


class ReferenceBook:
    def __init__(self) -> None:
        self.sides: tuple[dict[int, int], dict[int, int]] = ({}, {})

    def set_level(self, side: int, price: int, qty: int) -> None:
        if qty == 0:
            self.sides[side].pop(price, None)
        else:
            self.sides[side][price] = qty

    def levels(self, side: int) -> list[tuple[int, int]]:
        return sorted(self.sides[side].items(), reverse=(side == BID))

    def best(self, side: int) -> tuple[int, int] | None:
        levels = self.levels(side)
        return levels[0] if levels else None

    def walk(self, side: int, qty: int) -> tuple[int, float, int | None, int]:
        filled, notional, worst, used = 0, 0.0, None, 0
        for price, level_qty in self.levels(side):
            if filled == qty:
                break
            take = min(qty - filled, level_qty)
            filled += take
            notional += price * take
            worst = price
            used += 1
        return filled, notional, worst, used


update = st.tuples(
    st.sampled_from([BID, ASK]),
    st.integers(-40_000, 40_000),  # offset from 1_000_000 ticks: far beyond a 4096-tick window
    st.one_of(st.just(0), st.integers(1, 1_000)),
)


def assert_same(book: L2Book, ref: ReferenceBook) -> None:
    assert book.best_bid() == ref.best(BID)
    assert book.best_ask() == ref.best(ASK)
    for side in (BID, ASK):
        levels = ref.levels(side)
        assert book.level_count(side) == len(levels)
        prices, qtys = book.top(side, 12)
        assert list(zip(prices.tolist(), qtys.tolist())) == levels[:12]
        assert prices.dtype == np.int64
    bid, ask = ref.best(BID), ref.best(ASK)
    assert book.crossed == (bid is not None and ask is not None and bid[0] >= ask[0])


@settings(max_examples=150, deadline=None)
@given(st.lists(update, max_size=300), st.sampled_from([12, 14, 18]))
def test_book_matches_reference_under_random_updates(updates: list[tuple[int, int, int]], window_bits: int) -> None:
    book, ref = L2Book(window_bits), ReferenceBook()
    for side, offset, qty in updates:
        price = 1_000_000 + offset
        book.set_level(side, price, qty)
        ref.set_level(side, price, qty)
        assert book.best_bid() == ref.best(BID)
        assert book.best_ask() == ref.best(ASK)
    assert_same(book, ref)
    for side, offset, _ in updates[:20]:
        price = 1_000_000 + offset
        assert book.qty_at(side, price) == ref.sides[side].get(price, 0)
    book.clear()
    assert book.best_bid() is None and book.best_ask() is None
    assert book.level_count(BID) == book.level_count(ASK) == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(update, min_size=1, max_size=200), st.integers(1, 20_000))
def test_walk_and_depth_queries_match_reference(updates: list[tuple[int, int, int]], qty: int) -> None:
    book, ref = L2Book(12), ReferenceBook()
    # Keep the book uncrossed, as a synced Binance book is: bids below 1_000_000, asks above.
    for side, offset, level_qty in updates:
        price = 1_000_000 - 1 - abs(offset) if side == BID else 1_000_000 + 1 + abs(offset)
        book.set_level(side, price, level_qty)
        ref.set_level(side, price, level_qty)
    for side in (BID, ASK):
        filled, notional, worst, used = book.walk(side, qty)
        ref_filled, ref_notional, ref_worst, ref_used = ref.walk(side, qty)
        assert (filled, worst, used) == (ref_filled, ref_worst, ref_used)
        assert math.isclose(notional, ref_notional, rel_tol=1e-12)
    bid, ask = ref.best(BID), ref.best(ASK)
    if bid and ask:
        mid = (bid[0] + ask[0]) / 2
        assert book.mid() == mid
        assert book.spread() == ask[0] - bid[0]
        assert math.isclose(book.microprice(), (bid[0] * ask[1] + ask[0] * bid[1]) / (bid[1] + ask[1]))
        for bps in (0.5, 10, 100, 1_000):
            band = mid * bps / 1e4
            expect_bid = sum(q for p, q in ref.sides[BID].items() if p >= mid - band - 1e-9)
            expect_ask = sum(q for p, q in ref.sides[ASK].items() if p <= mid + band + 1e-9)
            assert book.depth_within_bps(BID, bps) == expect_bid
            assert book.depth_within_bps(ASK, bps) == expect_ask
        impact = book.market_impact(0, qty)  # buy walks the asks
        assert impact.filled_qty == ref_fill(ref, ASK, qty)
        assert impact.unfilled_qty == qty - impact.filled_qty
        if impact.filled_qty:
            assert impact.slippage_ticks is not None and impact.slippage_ticks >= ask[0] - mid - 1e-9
    else:
        assert book.mid() is None and book.spread() is None and book.microprice() is None


def ref_fill(ref: ReferenceBook, side: int, qty: int) -> int:
    return ref.walk(side, qty)[0]


def test_worked_example_queries() -> None:
    """Hand-computed: bids 100x5, 99x10; asks 102x3, 104x7."""
    book = L2Book()
    for side, price, qty in ((BID, 100, 5), (BID, 99, 10), (ASK, 102, 3), (ASK, 104, 7)):
        book.set_level(side, price, qty)
    assert book.mid() == 101.0
    assert book.spread() == 2
    assert book.microprice() == (100 * 3 + 102 * 5) / 8  # 101.25
    impact = book.market_impact(0, 5)  # buy 5: 3 @ 102 + 2 @ 104 = 514 -> avg 102.8
    assert impact.filled_qty == 5 and impact.worst_price == 104 and impact.levels_used == 2
    assert math.isclose(impact.avg_price, 102.8)
    assert math.isclose(impact.slippage_ticks, 1.8)
    assert math.isclose(impact.slippage_bps, 1.8 / 101 * 1e4)
    thin = book.market_impact(1, 20)  # sell 20 into 15 of bids
    assert thin.filled_qty == 15 and thin.unfilled_qty == 5
    assert book.depth_within_bps(BID, 100) == 5  # band 1.01 ticks: only 100
    assert book.depth_within_bps(BID, 200) == 15  # band 2.02: 99 too
    assert book.depth_within_bps(ASK, 100) == 3
    book.set_level(ASK, 100, 1)
    assert book.crossed


def test_invalid_arguments_are_refused() -> None:
    book = L2Book()
    for call in (lambda: book.set_level(2, 1, 1), lambda: book.set_level(BID, 1, -1),
                 lambda: book.top(BID, -1), lambda: book.market_impact(0, 0), lambda: book.depth_within_bps(BID, -1)):
        try:
            call()
        except ValueError:
            continue
        raise AssertionError("expected ValueError")
    try:
        L2Book(40)
    except ValueError as exc:  # C++ std::invalid_argument surfaces as ValueError
        assert "window_bits" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_apply_levels_batch_equals_one_by_one() -> None:
    rng = np.random.default_rng(7)
    n = 5_000
    sides = rng.integers(0, 2, n).astype(np.uint8)
    prices = np.where(sides == 0, 50_000 - rng.integers(1, 3_000, n), 50_000 + rng.integers(0, 3_000, n)).astype(np.int64)
    qtys = np.where(rng.random(n) < 0.3, 0, rng.integers(1, 100, n)).astype(np.int64)
    batch, single = L2Book(12), L2Book(12)
    assert batch.apply_levels(sides, prices, qtys) == n
    for s, p, q in zip(sides.tolist(), prices.tolist(), qtys.tolist()):
        single.set_level(s, p, q)
    for side in (BID, ASK):
        a, b = batch.top(side, 10_000), single.top(side, 10_000)
        assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()


def test_apply_diff_is_atomic_and_matches_set_level() -> None:
    book, ref = L2Book(), ReferenceBook()
    assert book.apply_diff([(100, 5), (99, 2)], [(101, 1)]) == 3
    for side, price, qty in ((BID, 100, 5), (BID, 99, 2), (ASK, 101, 1)):
        ref.set_level(side, price, qty)
    assert_same(book, ref)
    for bad in ([(98, -1)], [(98,)], [("98", 1)], [(2**70, 1)]):
        try:
            book.apply_diff([(100, 0)], bad)
        except ValueError as exc:
            assert "asks[0]" in str(exc)
        else:
            raise AssertionError(f"accepted {bad}")
        assert_same(book, ref)  # the valid bid delete in the same call was not applied


def test_float_arguments_are_refused_and_numpy_integers_accepted() -> None:
    import pytest

    from veloz.book import BinanceBookFeed
    from veloz.matching import MatchingEngine

    book = L2Book()
    for call in (lambda: book.set_level(BID, 1.9, 5), lambda: book.set_level(BID, 10, 2.7),
                 lambda: book.qty_at(BID, 10.0), lambda: book.top(BID, 2.0), lambda: L2Book(18.7),
                 lambda: MatchingEngine("usdm", "0.1", "0.001").on_level(0, 100.5, 1, 1)):
        with pytest.raises(TypeError, match="must be an integer"):
            call()
    with pytest.raises(ValueError, match="pair of ints"):
        book.apply_diff([(1.5, 2)], [])
    assert book.level_count(BID) == 0
    book.set_level(np.int64(BID), np.int64(100), np.int64(3))  # numpy integers are integers
    assert book.best_bid() == (100, 3)
    with pytest.raises(TypeError):
        BinanceBookFeed("usdm", "BTCUSDT", "0.1", "0.001").apply(None)
    with pytest.raises(ValueError, match="empty"):
        BinanceBookFeed("usdm", "", "0.1", "0.001")


def test_a_book_view_cannot_be_made_from_outside() -> None:
    import pytest

    from veloz.book import BinanceBookFeed

    with pytest.raises(TypeError):
        L2Book(_view=True)  # used to give a view of nothing, and a segfault
    feed = BinanceBookFeed("usdm", "BTCUSDT", "0.1", "0.001")
    assert feed.book.best_bid() is None and "L2Book" in repr(feed.book) and "BTCUSDT" in repr(feed)


def test_top_never_allocates_for_levels_that_do_not_exist() -> None:
    book = L2Book()
    book.set_level(BID, 100, 1)
    prices, qtys = book.top(BID, 10**12)
    assert prices.tolist() == [100] and qtys.tolist() == [1]
