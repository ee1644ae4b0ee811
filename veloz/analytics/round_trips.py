"""Round trips: a position's life from leaving zero to returning to zero, per instrument.

A trip opens with the fill that takes an instrument's position away from zero and closes with the
fill that brings it back to zero; fills in between add to it or reduce it (partial closes). A fill
that crosses zero (long to short or back) closes one trip and opens the next: it is split in
proportion to quantity, the closing part being ``|position before|`` and the opening part
``|position after|``. The closing part carries the fill's whole realized PnL (the opening part
realizes nothing) and its share of the fee. Positions are one-way (one signed position per
instrument); funding is not attributed to trips.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from veloz.analytics.columns import (FILLS_COLUMNS, float_column, int_column, require_columns, str_column,
                                     time_order)
from veloz.analytics.returns import NS_PER_SECOND

# A position within this fraction of the fill's quantity of zero is flat: positions are whole lots,
# so anything this small is float rounding of a zero, not a real holding.
FLAT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class RoundTrip:
    instrument: str
    direction: int  # +1 long, -1 short
    open_ns: int
    close_ns: int | None  # None: still open at the end of the run
    opened_qty: float  # quantity that opened or added to the position
    closed_qty: float  # quantity that reduced it
    max_abs_position: float
    entry_price: float  # quantity-weighted mean price of the opening quantity
    exit_price: float | None  # quantity-weighted mean price of the reducing quantity; None if none
    gross_pnl: float  # realized PnL of its fills, before fees
    fees: float  # its fills' fees (negative = rebate)
    num_fills: int  # fills that touched it; a flipping fill counts in both trips

    @property
    def net_pnl(self) -> float:
        return self.gross_pnl - self.fees

    @property
    def is_open(self) -> bool:
        return self.close_ns is None

    def holding_time_s(self, end_ns: int) -> float:
        """Open to close, or to ``end_ns`` while still open."""
        close_ns = end_ns if self.close_ns is None else self.close_ns
        return (close_ns - self.open_ns) / NS_PER_SECOND


class _TripBuilder:
    """A trip being accumulated fill by fill."""

    def __init__(self, instrument: str, direction: int, open_ns: int) -> None:
        self.instrument = instrument
        self.direction = direction
        self.open_ns = open_ns
        self.opened_qty = 0.0
        self.opened_value = 0.0  # sum of price x qty, for the mean entry price
        self.closed_qty = 0.0
        self.closed_value = 0.0
        self.max_abs_position = 0.0
        self.gross_pnl = 0.0
        self.fees = 0.0
        self.num_fills = 0

    def add(self, *, price: float, qty: float, opening: bool, realized_pnl: float, fee: float,
            abs_position_after: float) -> None:
        if opening:
            self.opened_qty += qty
            self.opened_value += price * qty
        else:
            self.closed_qty += qty
            self.closed_value += price * qty
        self.max_abs_position = max(self.max_abs_position, abs_position_after)
        self.gross_pnl += realized_pnl
        self.fees += fee
        self.num_fills += 1

    def build(self, close_ns: int | None) -> RoundTrip:
        return RoundTrip(
            instrument=self.instrument, direction=self.direction, open_ns=self.open_ns, close_ns=close_ns,
            opened_qty=self.opened_qty, closed_qty=self.closed_qty, max_abs_position=self.max_abs_position,
            entry_price=self.opened_value / self.opened_qty,
            exit_price=self.closed_value / self.closed_qty if self.closed_qty > 0 else None,
            gross_pnl=self.gross_pnl, fees=self.fees, num_fills=self.num_fills,
        )


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def round_trips(fills: pa.Table) -> list[RoundTrip]:
    """Every round trip in the fills, in the order they opened; one still open at the end has
    ``close_ns=None``. Raises ValueError when a fill's ``position_after`` does not follow from
    the previous position, its side and its quantity (the table then cannot be split into trips).
    """
    require_columns(fills, FILLS_COLUMNS, "fills")
    ts_ns = int_column(fills, "ts_ns")
    instruments = str_column(fills, "instrument")
    sides = int_column(fills, "side")
    prices = float_column(fills, "price")
    qtys = float_column(fills, "qty")
    fees = float_column(fills, "fee")
    realized = float_column(fills, "realized_pnl")
    positions_after = float_column(fills, "position_after")

    position: dict[str, float] = {}
    open_trips: dict[str, _TripBuilder] = {}
    # (open order, trip); closed trips are appended when they close, so sort by open order at the end.
    finished: list[tuple[int, RoundTrip]] = []
    open_order: dict[str, int] = {}
    opened_count = 0

    for row in time_order(ts_ns):
        instrument = instruments[row]
        ts, qty, price = int(ts_ns[row]), float(qtys[row]), float(prices[row])
        fee, pnl, after = float(fees[row]), float(realized[row]), float(positions_after[row])
        before = position.get(instrument, 0.0)
        tolerance = FLAT_TOLERANCE * max(qty, abs(before), abs(after))
        if qty <= 0 or abs((after - before) - int(sides[row]) * qty) > tolerance:
            raise ValueError(
                f"fill at ts_ns={ts} on {instrument}: position {before!r} -> {after!r} does not follow from "
                f"side {int(sides[row])} and qty {qty!r} (positions must start flat and be one-way)")
        before_sign = 0 if abs(before) <= tolerance else _sign(before)
        after_sign = 0 if abs(after) <= tolerance else _sign(after)

        if before_sign == 0 and after_sign == 0:  # qty within float noise of zero; unreachable for qty > 0
            raise ValueError(f"fill at ts_ns={ts} on {instrument} leaves a flat position flat")
        if before_sign != 0 and after_sign == -before_sign:
            # Crossing zero: the first |before| closes the trip, the remaining |after| opens the next.
            closing_fee = fee * abs(before) / (abs(before) + abs(after))
            trip = open_trips.pop(instrument)
            trip.add(price=price, qty=abs(before), opening=False, realized_pnl=pnl, fee=closing_fee,
                     abs_position_after=0.0)
            finished.append((open_order.pop(instrument), trip.build(ts)))
            fee, pnl, qty = fee - closing_fee, 0.0, abs(after)
            before_sign = 0
        if before_sign == 0:
            open_trips[instrument] = _TripBuilder(instrument, after_sign, ts)
            open_order[instrument] = opened_count
            opened_count += 1
        trip = open_trips[instrument]
        trip.add(price=price, qty=qty, opening=abs(after) > abs(before) or before_sign == 0,
                 realized_pnl=pnl, fee=fee, abs_position_after=abs(after))
        if after_sign == 0:
            finished.append((open_order.pop(instrument), open_trips.pop(instrument).build(ts)))
            after = 0.0
        position[instrument] = after

    for instrument, trip in open_trips.items():
        finished.append((open_order[instrument], trip.build(None)))
    return [trip for _, trip in sorted(finished, key=lambda pair: pair[0])]


def time_with_position_ns(trips: list[RoundTrip], *, start_ns: int, end_ns: int) -> int:
    """Nanoseconds of [start_ns, end_ns] during which at least one instrument had a position."""
    spans = sorted((max(t.open_ns, start_ns), min(end_ns if t.close_ns is None else t.close_ns, end_ns))
                   for t in trips)
    covered = 0
    current_start, current_end = None, None
    for span_start, span_end in spans:
        if span_end <= span_start:
            continue
        if current_end is None or span_start > current_end:
            if current_end is not None and current_start is not None:
                covered += current_end - current_start
            current_start, current_end = span_start, span_end
        else:
            current_end = max(current_end, span_end)
    if current_end is not None and current_start is not None:
        covered += current_end - current_start
    return covered
