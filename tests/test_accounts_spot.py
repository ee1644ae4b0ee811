"""Spot balances: locking on placement, settlement on fill, release on cancel, refusals.

Money is checked to the 1e-8 unit against hand computation and against a Fraction model.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from veloz.accounts import (
    BALANCE_DTYPE,
    AccountError,
    FeeAsset,
    OrderSide,
    SpotAccount,
    SpotBalance,
    add_spot_instrument,
    to_e8,
)
from veloz.instruments import Instrument

BUY, SELL = OrderSide.BUY, OrderSide.SELL


def usdt(text: str) -> int:
    return to_e8(text)


def btcusdt() -> SpotAccount:
    """BTCUSDT with a 0.01 tick and a 0.00001 lot: every price x qty is exact at 1e-8."""
    account = SpotAccount()
    account.add_instrument(0, "0.01", "0.00001", "BTC", "USDT")
    return account


def snapshot(account: SpotAccount) -> tuple[object, ...]:
    return (account.balances().tolist(), account.open_orders)


def test_hand_worked_buy_partial_fill_cancel_then_sell() -> None:
    account = btcusdt()
    account.deposit("USDT", usdt("10000"))

    # Buy 0.1 BTC at 60,000.00 locks 6,000 USDT.
    assert account.place_order(1, 0, BUY, 6_000_000, 10_000) == usdt("6000")
    assert account.balance("USDT") == SpotBalance(usdt("4000"), usdt("6000"), 0)

    # 0.04 fills at 59,990.00 (cost 2,399.60) with 0.00004 BTC commission: the lock drops to what
    # 0.06 more could cost at the limit (3,600) and the 0.40 saved returns to free.
    account.apply_fill(1, 501, 0, BUY, 5_999_000, 4_000, fee=usdt("0.00004"))
    assert account.balance("USDT") == SpotBalance(usdt("4000.40"), usdt("3600"), 0)
    assert account.balance("BTC") == SpotBalance(usdt("0.03996"), 0, usdt("0.00004"))
    assert account.order_lock(1) == (0, BUY, 6_000_000, 6_000, usdt("3600"))

    assert account.release_order(1) == usdt("3600")
    assert account.balance("USDT") == SpotBalance(usdt("7600.40"), 0, 0)
    assert account.order_lock(1) is None

    # Sell 0.03 BTC at 61,000.00 locks the BTC; the fill pays 1,830 USDT less 1.83 commission.
    assert account.place_order(2, 0, SELL, 6_100_000, 3_000) == usdt("0.03")
    assert account.balance("BTC") == SpotBalance(usdt("0.00996"), usdt("0.03"), usdt("0.00004"))
    account.apply_fill(2, 502, 0, SELL, 6_100_000, 3_000, fee=usdt("1.83"))
    assert account.balance("USDT") == SpotBalance(usdt("9428.57"), 0, usdt("1.83"))
    assert account.balance("BTC") == SpotBalance(usdt("0.00996"), 0, usdt("0.00004"))
    assert account.open_orders == 0  # a fully filled order holds nothing

    table = account.balances()
    assert table.dtype == BALANCE_DTYPE
    assert table["asset"].tolist() == ["BTC", "USDT"]
    assert table["free"].tolist() == [usdt("0.00996"), usdt("9428.57")]


def test_fee_asset_override_and_rebate() -> None:
    account = btcusdt()
    account.deposit("USDT", usdt("1000"))
    account.place_order(1, 0, BUY, 5_000_000, 1_000)  # 0.01 BTC at 50,000: 500 USDT
    # A maker rebate paid in quote (negative fee) adds to free USDT.
    account.apply_fill(1, 1, 0, BUY, 5_000_000, 1_000, fee=-usdt("0.05"), fee_asset=FeeAsset.QUOTE)
    assert account.balance("USDT") == SpotBalance(usdt("500.05"), 0, -usdt("0.05"))
    assert account.balance("BTC") == SpotBalance(usdt("0.01"), 0, 0)


def test_fill_without_a_lock_settles_from_free_or_is_refused() -> None:
    account = btcusdt()
    account.deposit("USDT", usdt("100"))
    before = snapshot(account)
    with pytest.raises(AccountError, match="insufficient free USDT"):
        account.apply_fill(9, 1, 0, BUY, 5_000_000, 1_000)  # 500 USDT, only 100 free
    assert snapshot(account) == before
    account.apply_fill(9, 2, 0, BUY, 5_000_000, 100, fee=10)  # 50 USDT
    assert account.balance("USDT").free == usdt("50")
    assert account.balance("BTC").free == usdt("0.001") - 10


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.place_order(1, 0, BUY, 6_000_000, 0), "quantity must be positive"),
        (lambda a: a.place_order(1, 0, BUY, 6_000_000, -5), "quantity must be positive"),
        (lambda a: a.place_order(1, 0, BUY, 0, 10), "positive limit price"),
        (lambda a: a.place_order(1, 7, BUY, 6_000_000, 10), "unknown spot instrument 7"),
        (lambda a: a.place_order(1, 0, 2, 6_000_000, 10), "side must be 0"),
        (lambda a: a.place_order(1, 0, BUY, 6_000_000, 10**6), "insufficient USDT"),
        (lambda a: a.place_order(1, 0, SELL, 0, 10**6), "insufficient BTC"),
        (lambda a: a.place_order(5, 0, BUY, 100, 1), "spot order 5 already holds a lock"),
        (lambda a: a.release_order(77), "spot order 77 holds no lock"),
        (lambda a: a.apply_fill(5, 1, 0, BUY, 6_000_000, 10), "overfill"),
        (lambda a: a.apply_fill(5, 1, 0, BUY, 6_000_001, 1), "above the limit"),
        (lambda a: a.apply_fill(5, 1, 0, SELL, 6_000_000, 1), "sell fill of a buy order"),
        (lambda a: a.apply_fill(5, 1, 0, BUY, 6_000_000, 0), "fill quantity must be positive"),
        (lambda a: a.apply_fill(5, 1, 0, BUY, -1, 1), "fill price must be positive"),
        (lambda a: a.apply_fill(5, 1, 3, BUY, 6_000_000, 1), "unknown spot instrument 3"),
        (lambda a: a.apply_fill(5, 1, 0, BUY, 6_000_000, 1, fee_asset=2), "fee asset"),
        (lambda a: a.balance("ETH"), "unknown asset 'ETH'"),
        (lambda a: a.withdraw("ETH", 1), "unknown asset 'ETH'"),
        (lambda a: a.withdraw("USDT", usdt("999")), "exceeds free"),
        (lambda a: a.withdraw("USDT", 0), "must be positive"),
        (lambda a: a.deposit("USDT", -1), "must be positive"),
        (lambda a: a.add_instrument(0, "0.01", "0.001", "ETH", "USDT"), "already registered"),
        (lambda a: a.add_instrument(1, "0.01", "0.000000001", "ETH", "USDT"), "finer than 1e-8"),
        (lambda a: a.add_instrument(1, "0.01", "0.001", "ETH", "ETH"), "different assets"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(call, message: str) -> None:
    account = btcusdt()
    account.deposit("USDT", usdt("100"))
    account.place_order(5, 0, BUY, 6_000_000, 5)  # 0.00005 BTC at 60,000: 3 USDT locked
    before = (snapshot(account), account.order_lock(5))
    with pytest.raises(AccountError, match=message):
        call(account)
    assert (snapshot(account), account.order_lock(5)) == before


def test_wrapper_registers_an_instrument_from_exchange_info_fields() -> None:
    spot = Instrument(symbol="ETHBTC", market="spot", base_asset="ETH", quote_asset="BTC", margin_asset="BTC",
                      tick_size="0.00001", step_size="0.0001", lot_size="0.00000001", min_qty="0.0001",
                      min_notional="0.0001")
    account = SpotAccount()
    add_spot_instrument(account, 3, spot)
    account.deposit("BTC", usdt("1"))
    # 0.5 ETH at 0.05000 BTC: 0.025 BTC locked.
    assert account.place_order(1, 3, BUY, 5_000, 50_000_000) == usdt("0.025")
    futures = Instrument(symbol="BTCUSDT", market="usdm", base_asset="BTC", quote_asset="USDT", margin_asset="USDT",
                         tick_size="0.1", step_size="0.001", lot_size="0.001", min_qty="0.001", min_notional="5")
    with pytest.raises(AccountError, match="not spot"):
        add_spot_instrument(account, 4, futures)


def test_quote_of_an_order_is_rounded_on_its_running_total() -> None:
    """A 0.01 tick with a 1e-8 lot makes price x qty finer than 1e-8 USDT. One lot at 60,000.51
    costs 60,000.51 units: rounded fill by fill, three fills would pay 3 x 60,001 = 180,003, one
    more than the 180,002 locked (the exact 180,001.53 rounded). Rounded on the order's running
    total they pay 60,001 + 60,000 + 60,001 = 180,002: the lock covers them with free at zero."""
    account = SpotAccount()
    account.add_instrument(0, "0.01", "0.00000001", "BTC", "USDT")
    account.deposit("USDT", 180_002)
    assert account.place_order(1, 0, BUY, 6_000_051, 3) == 180_002
    assert account.balance("USDT").free == 0  # nothing can cover a shortfall
    paid = []
    for trade in range(3):
        before = account.balance("USDT")
        account.apply_fill(1, trade, 0, BUY, 6_000_051, 1)
        after = account.balance("USDT")
        assert after.free == 0
        paid.append(before.locked - after.locked)
    assert paid == [60_001, 60_000, 60_001]
    assert account.balance("USDT") == SpotBalance(0, 0, 0)
    assert account.balance("BTC").free == 3


# --- random sequences against a Fraction model -------------------------------------------------

GRIDS = {"exact": ("0.01", "0.00001", 5), "finer than 1e-8": ("0.01", "0.00000001", 8)}


class SpotModel(RuleBasedStateMachine):
    """Random placements, fills (at or inside the limit), cancels and lock-free fills; after every
    step the account must match a model that keeps every amount as an exact Fraction and applies
    the documented roundings: an order's quote is round_half_even(its exact running total)."""

    @initialize(grid=st.sampled_from(sorted(GRIDS)), usdt_units=st.integers(0, 10**13),
                btc_units=st.integers(0, 10**9))
    def setup(self, grid: str, usdt_units: int, btc_units: int) -> None:
        tick, lot, lot_scale = GRIDS[grid]
        self.account = SpotAccount()
        self.account.add_instrument(0, tick, lot, "BTC", "USDT")
        self.account.add_asset("ETH")  # an asset no instrument touches stays untouched
        self.lot_e8 = 10 ** (8 - lot_scale)  # 1e-8 units per lot
        self.tick = Fraction(1, 100)
        self.deposits = {"BTC": 0, "USDT": 0}
        for asset, amount in (("BTC", btc_units), ("USDT", usdt_units)):
            if amount:
                self.account.deposit(asset, amount)
                self.deposits[asset] += amount
        self.orders: dict[int, dict[str, object]] = {}  # open orders: side, limit, remaining, exact value C
        self.quote_flow = 0  # USDT received - paid, by the rounding rule
        self.base_flow = 0
        self.fees = {"BTC": 0, "USDT": 0}
        self.next_id = 1
        self.fills: list[tuple[int, int, int]] = []  # (side, price, qty) for the mark-to-market identity

    def value_e8(self, price: int, qty: int) -> Fraction:
        """price x qty in exact 1e-8 USDT."""
        return price * self.tick * qty * self.lot_e8

    def buy_lock(self, order: dict[str, object]) -> int:
        if order["remaining"] == 0:
            return 0
        c = order["filled_value"]
        return round(c + self.value_e8(order["limit"], order["remaining"])) - round(c)

    def free(self, asset: str) -> int:
        return self.account.balance(asset).free

    @rule(side=st.sampled_from([BUY, SELL]), price=st.integers(1, 9_000_000), qty=st.integers(1, 400_000))
    def place(self, side: OrderSide, price: int, qty: int) -> None:
        order_id, self.next_id = self.next_id, self.next_id + 1
        order = {"side": side, "limit": price, "remaining": qty, "filled_value": Fraction(0)}
        needed = self.buy_lock(order) if side == BUY else qty * self.lot_e8
        asset = "USDT" if side == BUY else "BTC"
        if needed > self.free(asset):
            with pytest.raises(AccountError, match=f"insufficient {asset}"):
                self.account.place_order(order_id, 0, side, price, qty)
            return
        assert self.account.place_order(order_id, 0, side, price, qty) == needed
        self.orders[order_id] = order

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), share=st.floats(0.01, 1.0), inside=st.integers(0, 50_000), fee_permille=st.integers(-1, 2))
    def fill(self, data: st.DataObject, share: float, inside: int, fee_permille: int) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        order = self.orders[order_id]
        qty = max(1, int(order["remaining"] * share))
        side = order["side"]
        price = max(1, order["limit"] - inside) if side == BUY else order["limit"] + inside
        value = self.value_e8(price, qty)
        c_before, c_after = order["filled_value"], order["filled_value"] + value
        quote = round(c_after) - round(c_before)
        # Binance's fee assets: the asset received (base for a buy, quote for a sell).
        fee = (qty * self.lot_e8 if side == BUY else quote) * fee_permille // 1000
        self.account.apply_fill(order_id, self.next_id, 0, side, price, qty, fee=fee)
        self.next_id += 1
        order["filled_value"], order["remaining"] = c_after, order["remaining"] - qty
        self.quote_flow += -quote if side == BUY else quote
        self.base_flow += qty * self.lot_e8 if side == BUY else -qty * self.lot_e8
        self.fees["BTC" if side == BUY else "USDT"] += fee
        self.fills.append((side, price, qty))
        if order["remaining"] == 0:
            del self.orders[order_id]

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        order = self.orders.pop(order_id)
        expected = self.buy_lock(order) if order["side"] == BUY else order["remaining"] * self.lot_e8
        assert self.account.release_order(order_id) == expected

    @rule(side=st.sampled_from([BUY, SELL]), price=st.integers(1, 9_000_000), qty=st.integers(1, 400_000))
    def unlocked_fill(self, side: OrderSide, price: int, qty: int) -> None:
        """A fill of an order that holds no lock settles from free, or is refused whole."""
        quote = round(self.value_e8(price, qty))
        base = qty * self.lot_e8
        short = quote > self.free("USDT") if side == BUY else base > self.free("BTC")
        before = self.account.balances().tolist()
        if short:
            with pytest.raises(AccountError, match="insufficient free"):
                self.account.apply_fill(10**9, self.next_id, 0, side, price, qty, fee=0)
            assert self.account.balances().tolist() == before
            return
        self.account.apply_fill(10**9, self.next_id, 0, side, price, qty, fee=0)
        self.next_id += 1
        self.quote_flow += -quote if side == BUY else quote
        self.base_flow += base if side == BUY else -base
        self.fills.append((side, price, qty))

    @invariant()
    def balances_match_the_model(self) -> None:
        if not hasattr(self, "account"):
            return
        locked_quote = sum(self.buy_lock(o) for o in self.orders.values() if o["side"] == BUY)
        locked_base = sum(o["remaining"] * self.lot_e8 for o in self.orders.values() if o["side"] == SELL)
        usdt_balance, btc_balance = self.account.balance("USDT"), self.account.balance("BTC")
        assert usdt_balance.locked == locked_quote
        assert btc_balance.locked == locked_base
        assert usdt_balance.free >= 0 and btc_balance.free >= 0  # a lock always covers its fills
        # conservation: free + locked = deposits + what fills moved - commissions
        assert usdt_balance.free + usdt_balance.locked == self.deposits["USDT"] + self.quote_flow - self.fees["USDT"]
        assert btc_balance.free + btc_balance.locked == self.deposits["BTC"] + self.base_flow - self.fees["BTC"]
        # fees add up, per asset
        assert (usdt_balance.fees, btc_balance.fees) == (self.fees["USDT"], self.fees["BTC"])
        assert self.account.balance("ETH") == SpotBalance(0, 0, 0)
        for order_id, order in self.orders.items():
            lock = self.account.order_lock(order_id)
            assert lock is not None and lock.remaining_qty == order["remaining"]

    @invariant()
    def equity_changes_by_the_fills_mark_to_market_net_of_fees(self) -> None:
        """Equity at a mark M (USDT + BTC x M) minus the deposits' equity equals
        sum over fills of side x qty x (M - price) - fees at M, up to the documented roundings
        (each order's quote is within 0.5 unit of its exact value)."""
        if not hasattr(self, "account"):
            return
        mark = Fraction(6_000_000) * self.tick  # USDT per BTC
        usdt_balance, btc_balance = self.account.balance("USDT"), self.account.balance("BTC")
        equity = usdt_balance.free + usdt_balance.locked + (btc_balance.free + btc_balance.locked) * mark
        start = self.deposits["USDT"] + self.deposits["BTC"] * mark
        pnl = sum((1 if side == BUY else -1) * (qty * self.lot_e8 * mark - self.value_e8(price, qty))
                  for side, price, qty in self.fills)
        net = pnl - self.fees["USDT"] - self.fees["BTC"] * mark
        rounded_orders = self.next_id  # at most one rounding per order or lock-free fill
        assert abs(equity - start - net) <= Fraction(rounded_orders, 2)


TestSpotModel = SpotModel.TestCase
TestSpotModel.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


def test_balances_array_is_one_structured_array() -> None:
    account = btcusdt()
    account.deposit("USDT", 5)
    table = account.balances()
    assert isinstance(table, np.ndarray) and table.dtype == BALANCE_DTYPE
    assert table[table["asset"] == "USDT"]["free"].tolist() == [5]
