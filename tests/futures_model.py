"""A reference model of a perpetual futures account in exact Fractions, for the USD-M and COIN-M
state-machine tests. It does not share code or state with the engine: it books every fill as a
cash flow and values positions at the mark, which is what realized + unrealized PnL must add up to.

Units: money in 1e-8 of the margin asset (USD-M: USDT; COIN-M: the coin), prices in ticks,
quantities in lots (COIN-M: contracts). round() on a Fraction rounds half to even, like the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from veloz.accounts import AccountError, FuturesAccount, OrderSide, PositionSide

E8 = 100_000_000

# (tick, lot, contract size) per market: BTCUSDT and BTCUSD_PERP as Binance lists them.
GRIDS = {"usdm": ("0.10", "0.001", 0), "coinm": ("0.1", "1", 100)}
# 10,000 USDT or 1 BTC: small against the positions, so cross liquidation prices are real prices.
DEPOSITS = {"usdm": 10**12, "coinm": 10**8}


def value_e8(market: str, price: int, qty: int) -> Fraction:
    """|qty| at `price` in exact 1e-8 units of the margin asset."""
    tick, lot, contract_size = GRIDS[market]
    if market == "coinm":  # contracts x contract_size / price, in coin
        return Fraction(qty) * Fraction(lot) * contract_size / (price * Fraction(tick)) * E8
    return price * Fraction(tick) * qty * Fraction(lot) * E8  # price x qty, in quote


def direction(market: str) -> int:
    """+1: a long gains when its value rises (linear); -1: when its coin value falls (inverse)."""
    return -1 if market == "coinm" else 1


def sign(qty: int) -> int:
    return 1 if qty > 0 else -1


@dataclass
class SlotModel:
    qty: int = 0
    exact_cost: Fraction = Fraction(0)  # cost basis without any rounding
    isolated_margin: int = 0  # by the documented rules (rounded)
    fees: int = 0
    funding: int = 0


@dataclass
class InstrumentModel:
    slots: dict[int, SlotModel] = field(default_factory=lambda: {s: SlotModel() for s in PositionSide})
    mark: int = 0
    last_fill: int = 0

    def effective_mark(self) -> int:
        return self.mark or self.last_fill


class FuturesStateMachine(RuleBasedStateMachine):
    """Random fills, marks, funding events and leverage changes on two instruments; after every
    step the account is checked against the model and the accounting identities."""

    market = "usdm"
    instruments = (0, 1)

    @initialize(hedge=st.booleans(), isolated=st.booleans(), leverage=st.integers(1, 125),
                maintenance_rate=st.integers(0, 5_000_000), maintenance_amount=st.integers(0, 10**9))
    def setup(self, hedge: bool, isolated: bool, leverage: int, maintenance_rate: int, maintenance_amount: int) -> None:
        tick, lot, contract_size = GRIDS[self.market]
        self.account = FuturesAccount(self.market, hedge_mode=hedge)
        for instrument in self.instruments:
            self.account.add_instrument(instrument, tick, lot, contract_size, leverage=leverage, isolated=isolated,
                                        maintenance_rate=maintenance_rate, maintenance_amount=maintenance_amount)
        self.hedge, self.isolated, self.leverage = hedge, isolated, {i: leverage for i in self.instruments}
        self.rate, self.cum = maintenance_rate, maintenance_amount
        self.deposits = DEPOSITS[self.market]
        self.account.deposit(self.deposits)
        self.model = {i: InstrumentModel() for i in self.instruments}
        self.cash = 0  # what fills moved, each fill's value rounded once
        self.fees = 0
        self.funding = 0
        self.exact_realized = Fraction(0)
        self.roundings = 0  # operations that rounded a value, cost share or margin share
        self.funding_time = 0
        self.trade = 0

    # --- rules ---------------------------------------------------------------------------------

    @rule(instrument=st.sampled_from(instruments), buy=st.booleans(), price=st.integers(100_000, 1_500_000),
          qty=st.integers(1, 3_000), fee=st.integers(-10_000, 2_000_000), long_side=st.booleans())
    def fill(self, instrument: int, buy: bool, price: int, qty: int, fee: int, long_side: bool) -> None:
        side = (PositionSide.LONG if long_side else PositionSide.SHORT) if self.hedge else PositionSide.BOTH
        slot = self.model[instrument].slots[side]
        signed = qty if buy else -qty
        self.trade += 1
        if (side == PositionSide.LONG and slot.qty + signed < 0) or (side == PositionSide.SHORT and slot.qty + signed > 0):
            before = self.account.summary(), self.account.positions(include_flat=True).tolist()
            try:
                self.account.apply_fill(1, self.trade, instrument, OrderSide.BUY if buy else OrderSide.SELL, price, qty,
                                        fee=fee, position_side=side)
            except AccountError as exc:
                assert "would take the" in str(exc)
            else:
                raise AssertionError("a hedge-mode fill that crosses zero was accepted")
            assert (self.account.summary(), self.account.positions(include_flat=True).tolist()) == before
            return
        realized = self.account.apply_fill(1, self.trade, instrument, OrderSide.BUY if buy else OrderSide.SELL, price,
                                           qty, fee=fee, position_side=side)
        self.book(instrument, slot, signed, price, fee, realized)

    def book(self, instrument: int, slot: SlotModel, signed: int, price: int, fee: int, realized: int) -> None:
        market, dirn = self.market, direction(self.market)
        fill_value = value_e8(market, price, abs(signed))
        self.cash += -sign(signed) * dirn * round(fill_value)
        self.roundings += 1
        self.fees += fee
        slot.fees += fee
        self.model[instrument].last_fill = price
        if slot.qty == 0 or sign(slot.qty) == sign(signed):
            slot.qty += signed
            slot.exact_cost += fill_value
            if self.isolated:
                slot.isolated_margin += round(fill_value / self.leverage[instrument])
            return
        held, closed = abs(slot.qty), min(abs(signed), abs(slot.qty))
        closed_cost = slot.exact_cost * closed / held
        exact = sign(slot.qty) * dirn * (value_e8(market, price, closed) - closed_cost)
        self.exact_realized += exact
        self.roundings += 2  # the closed share of the cost basis, and the closed part's value
        assert abs(realized - exact) <= Fraction(self.roundings, 2)
        if self.isolated:
            slot.isolated_margin -= slot.isolated_margin if closed == held else round(
                Fraction(slot.isolated_margin * closed, held))
        slot.exact_cost -= closed_cost
        slot.qty += sign(signed) * closed
        opened = abs(signed) - closed
        if opened:
            slot.qty = sign(signed) * opened
            slot.exact_cost = value_e8(market, price, opened)
            if self.isolated:
                slot.isolated_margin = round(slot.exact_cost / self.leverage[instrument])

    @rule(instrument=st.sampled_from(instruments), price=st.integers(100_000, 1_500_000))
    def mark(self, instrument: int, price: int) -> None:
        self.account.set_mark_price(instrument, price)
        self.model[instrument].mark = price

    @rule(instrument=st.sampled_from(instruments), price=st.integers(100_000, 1_500_000),
          rate=st.integers(-300_000, 300_000), gap=st.integers(1, 8 * 3600 * 10**9))
    def funding_event(self, instrument: int, price: int, rate: int, gap: int) -> None:
        self.funding_time += gap
        total = self.account.apply_funding(instrument, price, rate, self.funding_time)
        expected = 0
        for slot in self.model[instrument].slots.values():
            if slot.qty:
                payment = -sign(slot.qty) * round(value_e8(self.market, price, abs(slot.qty)) * rate / E8)
                slot.funding += payment
                if self.isolated:
                    slot.isolated_margin += payment
                expected += payment
        assert total == expected
        self.funding += expected
        self.model[instrument].mark = price
        try:
            self.account.apply_funding(instrument, price, rate, self.funding_time)  # the same event again
        except AccountError as exc:
            assert "already applied" in str(exc)
        else:
            raise AssertionError("a repeated funding time was applied twice")

    @rule(instrument=st.sampled_from(instruments), leverage=st.integers(1, 125))
    def leverage_change(self, instrument: int, leverage: int) -> None:
        self.account.set_leverage(instrument, leverage)
        self.leverage[instrument] = leverage

    @rule(instrument=st.sampled_from(instruments), qty=st.integers(-5, 0))
    def refused_fill_changes_nothing(self, instrument: int, qty: int) -> None:
        before = self.account.summary(), self.account.positions(include_flat=True).tolist()
        side = PositionSide.LONG if self.hedge else PositionSide.BOTH
        try:
            self.account.apply_fill(1, 0, instrument, OrderSide.BUY, 600_000, qty, fee=5, position_side=side)
        except AccountError as exc:
            assert "quantity must be positive" in str(exc)
        else:
            raise AssertionError("a non-positive fill quantity was accepted")
        assert (self.account.summary(), self.account.positions(include_flat=True).tolist()) == before

    # --- invariants ----------------------------------------------------------------------------

    def position_terms(self) -> int:
        """Every open position valued at its mark, signed as a cash flow would close it."""
        total = 0
        for inst in self.model.values():
            for slot in inst.slots.values():
                if slot.qty:
                    total += sign(slot.qty) * direction(self.market) * round(
                        value_e8(self.market, inst.effective_mark(), abs(slot.qty)))
        return total

    @invariant()
    def identities_hold_exactly(self) -> None:
        if not hasattr(self, "account"):
            return
        summary = self.account.summary()
        table = self.account.positions(include_flat=True)
        realized, unrealized = int(table["realized_pnl"].sum()), int(table["unrealized_pnl"].sum())
        mark_to_market = self.cash + self.position_terms()
        # realized + unrealized = the mark-to-market change of every fill (exact, net of nothing)
        assert realized + unrealized == mark_to_market
        assert (summary.realized_pnl, summary.unrealized_pnl) == (realized, unrealized)
        # equity = balances + position value
        assert summary.margin_balance == self.deposits + mark_to_market - self.fees + self.funding
        assert summary.wallet_balance == self.deposits + realized - self.fees + self.funding
        assert summary.margin_balance == summary.wallet_balance + summary.unrealized_pnl
        # fees and funding add up, per position and in total
        assert summary.fees == self.fees == int(table["fees"].sum())
        assert summary.funding == self.funding == int(table["funding"].sum())
        # realized PnL stays within half a unit per rounding of the exact-rational result
        assert abs(realized - self.exact_realized) <= Fraction(self.roundings, 2)

    @invariant()
    def positions_and_margins_match(self) -> None:
        if not hasattr(self, "account"):
            return
        summary = self.account.summary()
        isolated_total = 0
        for instrument, inst in self.model.items():
            mark = inst.effective_mark()
            for side, slot in inst.slots.items():
                if self.hedge == (side == PositionSide.BOTH):
                    continue
                pos = self.account.position(instrument, side)
                assert (pos.qty, pos.fees, pos.funding) == (slot.qty, slot.fees, slot.funding)
                assert pos.isolated_margin == (slot.isolated_margin if self.isolated else 0)
                isolated_total += pos.isolated_margin
                if slot.qty == 0:
                    assert pos.entry_value == pos.unrealized_pnl == pos.initial_margin == 0
                    continue
                assert abs(pos.entry_value - slot.exact_cost) <= Fraction(self.roundings, 2)
                exact_value = value_e8(self.market, mark, abs(slot.qty))
                assert pos.value == round(exact_value)
                assert pos.initial_margin == round(exact_value / self.leverage[instrument])
                assert pos.maintenance_margin == max(0, round(exact_value * self.rate / E8) - self.cum)
        assert summary.isolated_margin == isolated_total
        assert summary.cross_wallet == summary.wallet_balance - isolated_total

    @invariant()
    def liquidation_prices_follow_the_formula(self) -> None:
        if not hasattr(self, "account"):
            return
        for instrument in self.instruments:
            sides = (PositionSide.LONG, PositionSide.SHORT) if self.hedge else (PositionSide.BOTH,)
            for side in sides:
                pos = self.account.position(instrument, side)
                if pos.qty == 0:
                    assert self.account.liquidation_price(instrument, side) is None
                    continue
                if self.isolated:
                    legs, wallet = [pos], pos.isolated_margin
                else:
                    legs = [self.account.position(instrument, s) for s in sides]
                    wallet = self.account.summary().cross_wallet + sum(
                        int(other["unrealized_pnl"]) - int(other["maintenance_margin"])
                        for other in self.account.positions() if other["instrument"] != instrument)
                assert self.account.liquidation_price(instrument, side) == expected_liquidation_price(
                    self.market, wallet, self.rate, self.cum, [(leg.qty, leg.entry_value) for leg in legs])
                assert pos.liquidation_price == (self.account.liquidation_price(instrument, side) or 0)


def expected_liquidation_price(market: str, wallet: int, rate: int, cum: int,
                               legs: list[tuple[int, int]]) -> int | None:
    """Binance's formulas in Fractions, in ticks rounded half to even (None: no positive price).
    linear:  LP = (WB + sum(cum - side*cost)) / sum(Q*mmr - side*Q)
    inverse: LP = sum(Size*mmr + side*Size) / (WB + sum(cum + side*cost))"""
    tick, lot, contract_size = GRIDS[market]
    mmr = Fraction(rate, E8)
    legs = [(q, c) for q, c in legs if q]
    if market == "coinm":
        sizes = [(sign(q), abs(q) * Fraction(lot) * contract_size, Fraction(c, E8)) for q, c in legs]
        numerator = sum(size * mmr + s * size for s, size, _ in sizes)
        denominator = Fraction(wallet, E8) + sum(Fraction(cum, E8) + s * cost for s, _, cost in sizes)
    else:
        base = [(sign(q), abs(q) * Fraction(lot), Fraction(c, E8)) for q, c in legs]
        numerator = Fraction(wallet, E8) + sum(Fraction(cum, E8) - s * cost for s, _, cost in base)
        denominator = sum(qty * mmr - s * qty for s, qty, _ in base)
    if denominator == 0:
        return None
    ticks = round(numerator / denominator / Fraction(tick))
    return ticks if ticks > 0 else None  # under half a tick is no price either
