"""Round trips: opening, adding, partial closes, flips, several instruments, and the accounting
identity that ties them to the fills."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_metrics_builders import Fill, fills_table

from veloz.analytics.round_trips import round_trips, time_with_position_ns

S = 1_000_000_000


def test_adding_then_closing_in_two_parts_is_one_trip() -> None:
    trips = round_trips(fills_table([
        Fill(1 * S, +1, 1.0, 100.0, 1.0, fee=0.1),
        Fill(2 * S, +1, 1.0, 104.0, 2.0, fee=0.1),  # adds: entry (100 + 104) / 2
        Fill(3 * S, -1, 0.5, 110.0, 1.5, realized_pnl=4.0, fee=0.05),  # partial close
        Fill(4 * S, -1, 1.5, 99.0, 0.0, realized_pnl=-4.5, fee=0.15),
    ]))
    (trip,) = trips
    assert (trip.direction, trip.open_ns, trip.close_ns, trip.num_fills) == (1, S, 4 * S, 4)
    assert trip.entry_price == 102.0
    assert trip.exit_price == pytest.approx((0.5 * 110 + 1.5 * 99) / 2)
    assert (trip.opened_qty, trip.closed_qty, trip.max_abs_position) == (2.0, 2.0, 2.0)
    assert trip.gross_pnl == -0.5 and trip.fees == pytest.approx(0.4) and trip.net_pnl == pytest.approx(-0.9)
    assert trip.holding_time_s(end_ns=0) == 3.0


def test_a_flip_splits_its_fee_by_quantity_and_gives_its_pnl_to_the_closing_part() -> None:
    first, second = round_trips(fills_table([
        Fill(1 * S, -1, 1.0, 100.0, -1.0, fee=0.0),
        Fill(2 * S, +1, 4.0, 90.0, 3.0, realized_pnl=10.0, fee=0.8),  # closes 1 short, opens 3 long
    ]))
    assert (first.direction, first.close_ns, first.gross_pnl) == (-1, 2 * S, 10.0)
    assert (first.closed_qty, first.exit_price) == (1.0, 90.0) and first.fees == pytest.approx(0.2)
    assert (second.direction, second.open_ns, second.close_ns) == (1, 2 * S, None)
    assert (second.opened_qty, second.entry_price, second.gross_pnl) == (3.0, 90.0, 0.0)
    assert second.fees == pytest.approx(0.6)


def test_instruments_have_their_own_trips_in_opening_order() -> None:
    trips = round_trips(fills_table([
        Fill(1 * S, +1, 1.0, 100.0, 1.0, instrument="A"),
        Fill(2 * S, -1, 2.0, 50.0, -2.0, instrument="B"),
        Fill(3 * S, -1, 1.0, 101.0, 0.0, realized_pnl=1.0, instrument="A"),
        Fill(4 * S, +1, 1.0, 102.0, 1.0, instrument="A"),
        Fill(5 * S, +1, 2.0, 49.0, 0.0, realized_pnl=2.0, instrument="B"),
    ]))
    assert [(t.instrument, t.open_ns, t.close_ns) for t in trips] == [("A", S, 3 * S), ("B", 2 * S, 5 * S),
                                                                      ("A", 4 * S, None)]
    # Positioned from 1 s to the end at 10 s, with no flat gap: A then B overlap, A reopens before B closes.
    assert time_with_position_ns(trips, start_ns=0, end_ns=10 * S) == 9 * S


def test_time_with_position_merges_overlaps_and_clips_to_the_run() -> None:
    trips = round_trips(fills_table([
        Fill(1 * S, +1, 1.0, 1.0, 1.0, instrument="A"),
        Fill(2 * S, +1, 1.0, 1.0, 1.0, instrument="B"),
        Fill(3 * S, -1, 1.0, 1.0, 0.0, instrument="A"),
        Fill(4 * S, -1, 1.0, 1.0, 0.0, instrument="B"),
        Fill(6 * S, +1, 1.0, 1.0, 1.0, instrument="A"),
    ]))
    assert time_with_position_ns(trips, start_ns=0, end_ns=8 * S) == 3 * S + 2 * S
    assert time_with_position_ns(trips, start_ns=2 * S, end_ns=7 * S) == 2 * S + 1 * S


def test_a_position_that_does_not_follow_from_the_fills_is_refused() -> None:
    with pytest.raises(ValueError, match="does not follow"):
        round_trips(fills_table([Fill(S, +1, 1.0, 100.0, 2.0)]))  # one bought, two held
    with pytest.raises(ValueError, match="does not follow"):
        round_trips(fills_table([Fill(S, -1, 1.0, 100.0, 1.0)]))  # a sell that made the position long


def test_float_residue_of_a_zero_position_counts_as_flat() -> None:
    (trip,) = round_trips(fills_table([
        Fill(S, +1, 0.1, 100.0, 0.1),
        Fill(2 * S, +1, 0.2, 100.0, 0.1 + 0.2),
        Fill(3 * S, -1, 0.3, 100.0, 0.1 + 0.2 - 0.3),  # 5.55e-17, not 0.0
    ]))
    assert trip.close_ns == 3 * S


LOT = 0.001


@st.composite
def fill_sequences(draw: st.DrawFn) -> list[Fill]:
    """Random one-way trading on two instruments: whole-lot position changes (flips included),
    non-decreasing times with ties, and any fee and realized PnL per fill."""
    steps = draw(st.lists(st.tuples(st.sampled_from("AB"), st.integers(-6, 6).filter(bool), st.integers(0, 3),
                                    st.floats(1, 1e5), st.floats(-5, 5), st.floats(-1e3, 1e3)),
                          max_size=40))
    lots = {"A": 0, "B": 0}
    ts = 0
    fills = []
    for instrument, change, gap, price, fee, pnl in steps:
        ts += gap * S
        lots[instrument] += change
        fills.append(Fill(ts, 1 if change > 0 else -1, abs(change) * LOT, price, lots[instrument] * LOT, fee=fee,
                          realized_pnl=pnl, instrument=instrument))
    return fills


@settings(max_examples=300, deadline=None)
@given(fill_sequences())
def test_round_trip_pnl_plus_fees_is_the_realized_pnl_of_the_fills(fills: list[Fill]) -> None:
    trips = round_trips(fills_table(fills))
    realized = math.fsum(f.realized_pnl for f in fills)
    fees = math.fsum(f.fee for f in fills)
    scale = 1.0 + math.fsum(abs(f.realized_pnl) + abs(f.fee) for f in fills)
    trips_pnl_plus_fees = math.fsum(t.net_pnl for t in trips) + math.fsum(t.fees for t in trips)
    assert trips_pnl_plus_fees == pytest.approx(realized, abs=1e-12 * scale)
    assert math.fsum(t.fees for t in trips) == pytest.approx(fees, abs=1e-12 * scale)
    # Every closed trip gave back exactly what it took on; at most one trip per instrument is open.
    for trip in trips:
        if not trip.is_open:
            assert trip.closed_qty == pytest.approx(trip.opened_qty, rel=1e-9)
    assert len({t.instrument for t in trips if t.is_open}) == sum(t.is_open for t in trips)
    # A trip starts each time a position leaves zero, flips included.
    departures = 0
    position = {"A": 0.0, "B": 0.0}
    for fill in fills:
        before, after = position[fill.instrument], fill.position_after
        departures += (abs(before) < LOT / 2 and abs(after) >= LOT / 2) or before * after < 0
        position[fill.instrument] = after
    assert len(trips) == departures
