"""The matching engine against a plain Python reference of the rules in docs/matching.md, under
random interleavings of depth updates, trades and market/limit orders of every time in force
(zero latency, conservative queue; stops, reduce-only and latency have their own scenarios)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from veloz.matching import MatchingEngine, OrderType, RejectReason, ReportKind, TimeInForce

BUY, SELL = 0, 1
BID, ASK = 0, 1
T0 = 10**18


@dataclass
class RefOrder:
    oid: int
    side: int
    market: bool
    tif: int
    price: int
    qty: int
    filled: int = 0
    queue: int = 0
    resting: bool = False

    @property
    def leaves(self) -> int:
        return self.qty - self.filled


class ReferenceVenue:
    def __init__(self) -> None:
        self.book: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self.consumed: tuple[dict[int, int], dict[int, int]] = ({}, {})
        self.live: list[RefOrder] = []
        self.position = 0
        self.out: list[tuple] = []

    # helpers
    def levels(self, side: int) -> list[int]:
        return sorted(self.book[side], reverse=(side == BID))

    @staticmethod
    def crosses(order_side: int, limit: int, level: int) -> bool:
        return level <= limit if order_side == BUY else level >= limit

    def available(self, side: int, price: int) -> int:
        return self.book[side].get(price, 0) - self.consumed[side].get(price, 0)

    def fill(self, order: RefOrder, price: int, qty: int, maker: bool) -> None:
        order.filled += qty
        self.position += qty if order.side == BUY else -qty
        self.out.append((order.oid, ReportKind.FILL, 0, price, qty, maker))
        if order.leaves == 0:
            self.live.remove(order)

    def finish(self, order: RefOrder, kind: ReportKind, reason: RejectReason) -> None:
        if order in self.live:
            self.live.remove(order)
        self.out.append((order.oid, kind, reason, 0, 0, False))

    # events
    def submit(self, order: RefOrder) -> None:
        opposite = ASK if order.side == BUY else BID
        if order.tif == TimeInForce.GTX and not order.market and any(
                self.crosses(order.side, order.price, p) and self.available(opposite, p) > 0 for p in self.levels(opposite)):
            self.out.append((order.oid, ReportKind.REJECTED, RejectReason.POST_ONLY_WOULD_TAKE, 0, 0, False))
            return
        self.live.append(order)
        self.out.append((order.oid, ReportKind.ACCEPTED, 0, 0, 0, False))
        if order.tif == TimeInForce.FOK and not order.market:
            can = sum(max(0, self.available(opposite, p)) for p in self.levels(opposite)
                      if self.crosses(order.side, order.price, p))
            if can < order.leaves:
                self.finish(order, ReportKind.EXPIRED, RejectReason.FOK_NOT_FILLABLE)
                return
        if order.market and not self.book[opposite]:
            self.finish(order, ReportKind.EXPIRED, RejectReason.NO_LIQUIDITY)
            return
        for price in self.levels(opposite):
            if order.leaves == 0:
                break
            if not order.market and not self.crosses(order.side, order.price, price):
                break
            take = min(self.available(opposite, price), order.leaves)
            if take > 0:
                self.consumed[opposite][price] = self.consumed[opposite].get(price, 0) + take
                self.fill(order, price, take, False)
        if order.leaves == 0:
            return
        if order.market or order.tif in (TimeInForce.IOC, TimeInForce.FOK):
            self.finish(order, ReportKind.EXPIRED, RejectReason.IOC_REMAINDER)
            return
        order.resting = True
        order.queue = self.book[BID if order.side == BUY else ASK].get(order.price, 0)

    def level(self, side: int, price: int, qty: int) -> None:
        if qty:
            self.book[side][price] = qty
        else:
            self.book[side].pop(price, None)
        self.consumed[side].pop(price, None)
        for order in self.live:
            if order.resting and (BID if order.side == BUY else ASK) == side and order.price == price:
                order.queue = max(0, min(order.queue, qty))
        for order in list(self.live):
            if order not in self.live or not order.resting:
                continue
            opposite = ASK if order.side == BUY else BID
            qty_taken = 0
            for p in self.levels(opposite):
                if not self.crosses(order.side, order.price, p) or qty_taken >= order.leaves:
                    break
                take = min(order.leaves - qty_taken, max(0, self.available(opposite, p)))
                self.consumed[opposite][p] = self.consumed[opposite].get(p, 0) + take
                qty_taken += take
            if qty_taken:
                self.fill(order, order.price, qty_taken, True)

    def trade(self, price: int, qty: int, aggressor: int) -> None:
        used = 0
        for order in list(self.live):
            if order not in self.live or not order.resting or order.side == aggressor:
                continue
            through = price < order.price if order.side == BUY else price > order.price
            if through:
                self.fill(order, order.price, order.leaves, True)
            elif price == order.price:
                reach = qty - order.queue - used
                order.queue = max(0, order.queue - qty)
                if reach > 0:
                    take = min(reach, order.leaves)
                    used += take
                    self.fill(order, order.price, take, True)


prices = st.integers(997, 1002)  # narrow: our orders often share a level
ops = st.one_of(
    st.tuples(st.just("level"), st.sampled_from([BID, ASK]), prices, st.integers(0, 6)),
    st.tuples(st.just("trade"), prices, st.integers(1, 6), st.sampled_from([BUY, SELL])),
    st.tuples(st.just("order"), st.sampled_from([BUY, SELL]), st.booleans(), st.sampled_from(list(TimeInForce)),
              prices, st.integers(1, 8)),
)


def drained(venue: MatchingEngine, ts: int) -> list[tuple]:
    out = []
    for r in venue.drain_reports(ts):
        kind = ReportKind(int(r["kind"]))
        if kind == ReportKind.FILL:
            out.append((int(r["order_id"]), kind, 0, int(r["price"]), int(r["qty"]), bool(r["is_maker"])))
        else:
            out.append((int(r["order_id"]), kind, int(r["reason"]), 0, 0, False))
    return out


@settings(max_examples=500, deadline=None)
@given(st.lists(ops, max_size=60))
def test_engine_matches_reference(steps: list[tuple]) -> None:
    venue = MatchingEngine("usdm", "0.1", "0.001")
    ref = ReferenceVenue()
    for side, base in ((BID, 999), (ASK, 1000)):
        for i in range(3):
            price = base - i if side == BID else base + i
            venue.on_level(side, price, 4, T0)
            ref.level(side, price, 4)
    oid = 0
    for i, step in enumerate(steps):
        ts = T0 + 1 + i
        if step[0] == "level":
            _, side, price, qty = step
            # Keep the input book uncrossed, as real data is.
            best_opposite = min(ref.book[ASK], default=None) if side == BID else max(ref.book[BID], default=None)
            if qty and best_opposite is not None and (price >= best_opposite if side == BID else price <= best_opposite):
                continue
            venue.on_level(side, price, qty, ts)
            ref.level(side, price, qty)
        elif step[0] == "trade":
            _, price, qty, aggressor = step
            venue.on_trade(price, qty, aggressor, ts)
            ref.trade(price, qty, aggressor)
        else:
            _, side, market, tif, price, qty = step
            oid += 1
            if market:
                tif = TimeInForce.GTC
            venue.submit(oid, side, OrderType.MARKET if market else OrderType.LIMIT, qty,
                         0 if market else price, tif=tif, ts=ts)
            venue.advance_to(ts)
            ref.submit(RefOrder(oid, side, market, tif, 0 if market else price, qty))
        assert drained(venue, ts) == ref.out, step
        ref.out.clear()
        assert venue.position == ref.position
        for order in ref.live:
            status, _, qty_now, filled, queue, working, resting, _ = venue.order(order.oid)
            assert (filled, queue, working, resting) == (order.filled, order.queue, True, order.resting)
