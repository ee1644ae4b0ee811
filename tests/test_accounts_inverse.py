"""COIN-M inverse perpetuals: quantities in contracts, money in the coin.

Worked examples are computed by hand in the test with Fractions from the textbook formulas:
  PnL (long)   = N x contract_size x (1/entry - 1/exit)      (negated for a short)
  entry        = (N1 + N2) / (N1/E1 + N2/E2)                 (harmonic)
  margin       = N x contract_size / (price x leverage)
  funding      = N x contract_size / mark x rate
  liquidation  = (Size*mmr + side*Size) / (WB + cum + side*Size/EP),  Size = N x contract_size
Where the engine rounds (each fill's coin value, each cost share), the test states the bound.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import settings

from futures_model import FuturesStateMachine
from veloz.accounts import AccountError, FuturesAccount, OrderSide, PositionSide, rate_to_e8, to_e8

BUY, SELL = OrderSide.BUY, OrderSide.SELL
PERP = 0  # BTCUSD_PERP: tick 0.1, 1 contract = 100 USD
SIZE = 100
E8 = 100_000_000
TICK = Fraction(1, 10)


def btc(amount: Fraction | str) -> Fraction:
    """A coin amount in exact 1e-8 units."""
    return Fraction(amount) * E8


def btcusd_perp(*, deposit: str = "1", isolated: bool = False, leverage: int = 20, maintenance_rate: str = "0.004",
                maintenance_amount: str = "0") -> FuturesAccount:
    account = FuturesAccount("coinm")
    account.add_instrument(PERP, "0.1", "1", SIZE, leverage=leverage, isolated=isolated,
                           maintenance_rate=rate_to_e8(maintenance_rate), maintenance_amount=to_e8(maintenance_amount))
    account.deposit(to_e8(deposit))
    return account


def pnl_long(contracts: int, entry: Fraction, exit_: Fraction) -> Fraction:
    return btc(contracts * SIZE * (1 / entry - 1 / exit_))


def test_long_two_entries_harmonic_average_mark_funding_and_close() -> None:
    account = btcusd_perp()
    # 10 contracts at 50,000: 1,000 USD / 50,000 = 0.02 BTC of entry value; fee 0.00001 BTC.
    account.apply_fill(1, 1, PERP, BUY, 500_000, 10, fee=1_000)
    # 10 more at 60,000: 1,000 / 60,000 = 0.0166666...; rounded once, 1,666,666.67 -> 1,666,667 units.
    account.apply_fill(2, 2, PERP, BUY, 600_000, 10)
    pos = account.position(PERP)
    assert (pos.qty, pos.entry_value) == (20, 2_000_000 + 1_666_667)

    harmonic = Fraction(20) / (Fraction(10, 50_000) + Fraction(10, 60_000))  # 54,545.4545...
    assert abs(pos.entry_value - btc(20 * SIZE / harmonic)) <= Fraction(1, 2)  # one rounding per opening fill
    assert pos.entry_price == 545_454  # 2,000 USD / 0.03666667 BTC, in ticks
    assert abs(pos.entry_price - harmonic / TICK) <= 1

    # Mark 55,000: position value 2,000 / 55,000 = 0.036363636... BTC.
    account.set_mark_price(PERP, 550_000)
    pos = account.position(PERP)
    assert pos.value == round(btc(Fraction(2_000, 55_000))) == 3_636_364
    assert pos.unrealized_pnl == 3_666_667 - 3_636_364
    assert abs(pos.unrealized_pnl - pnl_long(20, harmonic, Fraction(55_000))) <= 1
    assert pos.initial_margin == round(btc(Fraction(20 * SIZE, 55_000 * 20))) == 181_818  # N x size / (P x lev)
    assert pos.maintenance_margin == round(btc(Fraction(2_000, 55_000)) * Fraction(4, 1000)) == 14_545

    # Funding 0.0001 at mark 55,000: 2,000 / 55,000 x 0.0001 = 0.00000363636 BTC, paid by the long.
    assert account.apply_funding(PERP, 550_000, rate_to_e8("0.0001"), 1) == -round(
        btc(Fraction(2_000, 55_000) * Fraction(1, 10_000))) == -364

    # Close all 20 at 70,000: PnL = sum over entries of N x 100 x (1/E - 1/70,000).
    realized = account.apply_fill(3, 3, PERP, SELL, 700_000, 20)
    exact = pnl_long(10, Fraction(50_000), Fraction(70_000)) + pnl_long(10, Fraction(60_000), Fraction(70_000))
    assert realized == 3_666_667 - 2_857_143 == 809_524  # exit value 2,000 / 70,000 rounded once
    assert abs(realized - exact) <= Fraction(3, 2)  # entry value, exit value and (for a partial) the share
    summary = account.summary()
    assert summary.wallet_balance == E8 - 1_000 - 364 + 809_524
    assert summary.margin_balance == summary.wallet_balance  # flat: equity is the wallet


def test_short_loses_coin_when_the_price_rises() -> None:
    account = btcusd_perp()
    account.apply_fill(1, 1, PERP, SELL, 400_000, 5)  # 500 USD / 40,000 = 0.0125 BTC
    assert account.position(PERP).entry_value == 1_250_000
    realized = account.apply_fill(2, 2, PERP, BUY, 500_000, 5)
    assert realized == -pnl_long(5, Fraction(40_000), Fraction(50_000)) == -250_000  # exact: no rounding


def test_partial_close_realizes_the_share_of_the_harmonic_entry() -> None:
    account = btcusd_perp()
    account.apply_fill(1, 1, PERP, BUY, 500_000, 10)
    account.apply_fill(2, 2, PERP, BUY, 600_000, 10)
    realized = account.apply_fill(3, 3, PERP, SELL, 700_000, 5)
    # closed cost: 3,666,667 x 5/20 = 916,666.75 -> 916,667; exit: 500 / 70,000 -> 714,286 units
    assert realized == 916_667 - 714_286
    harmonic = Fraction(20) / (Fraction(10, 50_000) + Fraction(10, 60_000))
    assert abs(realized - pnl_long(5, harmonic, Fraction(70_000))) <= 2  # entry values, share and exit
    pos = account.position(PERP)
    assert (pos.qty, pos.entry_value) == (15, 3_666_667 - 916_667)


def test_flip_opens_the_rest_at_the_fill_price() -> None:
    account = btcusd_perp()
    account.apply_fill(1, 1, PERP, BUY, 500_000, 10)
    realized = account.apply_fill(2, 2, PERP, SELL, 400_000, 30)
    assert realized == round(pnl_long(10, Fraction(50_000), Fraction(40_000))) == -500_000
    pos = account.position(PERP)
    # 30 x 100 / 40,000 = 0.075 BTC for the fill; 0.025 closed the long, 0.05 opens the short.
    assert (pos.qty, pos.entry_value, pos.entry_price) == (-20, 5_000_000, 400_000)


def test_flip_parts_add_up_to_the_fill_value_at_every_price() -> None:
    """A flip books the closing part at its own rounded value and gives the opening part what is
    left of the fill's rounded value, so realized + unrealized is exactly the fill's cash flow.
    (Rounding the opening part on its own would be off by a unit at some of these prices.)"""
    def coin(price: int, contracts: int) -> int:
        return round(btc(Fraction(contracts * SIZE) / (price * TICK)))

    for price in range(300_001, 300_101):
        account = btcusd_perp()
        account.apply_fill(1, 1, PERP, BUY, 500_000, 10)
        realized = account.apply_fill(2, 2, PERP, SELL, price, 37)
        pos = account.position(PERP)  # mark = the fill price until a mark is set
        cash = coin(500_000, 10) - coin(price, 37)  # inverse: a buy books +value, a sell -value
        assert realized + pos.unrealized_pnl == cash + coin(price, 27)
        assert pos.entry_value == coin(price, 37) - coin(price, 10)


def test_isolated_liquidation_prices_long_and_short() -> None:
    mmr, cum = Fraction(5, 1000), Fraction(5, 100_000)  # cum 0.00005 BTC
    size = Fraction(10 * SIZE)
    long_account = btcusd_perp(isolated=True, maintenance_rate="0.005", maintenance_amount="0.00005")
    long_account.apply_fill(1, 1, PERP, BUY, 500_000, 10)
    wallet = Fraction(long_account.position(PERP).isolated_margin, E8)
    assert wallet == size / (50_000 * 20)  # 0.001 BTC: N x size / (P x leverage)
    exact = (size * mmr + size) / (wallet + cum + size / 50_000)  # 47,743.4679...
    assert long_account.liquidation_price(PERP) == round(exact / TICK) == 477_435
    # At that mark the isolated margin left equals the maintenance margin, both in coin.
    assert wallet + size * (Fraction(1, 50_000) - 1 / exact) == size * mmr / exact - cum

    short_account = btcusd_perp(isolated=True, maintenance_rate="0.005", maintenance_amount="0.00005")
    short_account.apply_fill(1, 1, PERP, SELL, 500_000, 10)
    exact = (size * mmr - size) / (wallet + cum - size / 50_000)  # 52,506.5963...
    assert short_account.liquidation_price(PERP) == round(exact / TICK) == 525_066
    assert wallet - size * (Fraction(1, 50_000) - 1 / exact) == size * mmr / exact - cum


def test_cross_liquidation_price_single_position() -> None:
    account = btcusd_perp(deposit="0.1", maintenance_rate="0.005", maintenance_amount="0.00005")
    account.apply_fill(1, 1, PERP, BUY, 500_000, 10)
    size, mmr = Fraction(1000), Fraction(5, 1000)
    exact = (size * mmr + size) / (Fraction(1, 10) + Fraction(5, 100_000) + size / 50_000)
    assert account.liquidation_price(PERP) == round(exact / TICK) == 83_715

    # A 1x short (margin = its coin value) cannot be liquidated: a rising price costs it at most
    # that value. The formula's denominator is then just cum > 0 and the price negative.
    one_x = btcusd_perp(deposit="0.02", leverage=1, maintenance_rate="0.005", maintenance_amount="0.00005")
    one_x.apply_fill(1, 1, PERP, SELL, 500_000, 10)
    assert one_x.liquidation_price(PERP) is None


def test_hedge_mode_inverse_funding_on_both_sides() -> None:
    account = FuturesAccount("coinm", hedge_mode=True)
    account.add_instrument(PERP, "0.1", "1", SIZE)
    account.deposit(E8)
    account.apply_fill(1, 1, PERP, BUY, 500_000, 30, position_side=PositionSide.LONG)
    account.apply_fill(2, 2, PERP, SELL, 500_000, 10, position_side=PositionSide.SHORT)
    # rate -0.0003 at 50,000: the long receives 3,000 / 50,000 x 0.0003 = 0.000018 BTC, the short pays a third.
    assert account.apply_funding(PERP, 500_000, rate_to_e8("-0.0003"), 1) == 1_800 - 600
    assert account.position(PERP, PositionSide.LONG).funding == 1_800
    assert account.position(PERP, PositionSide.SHORT).funding == -600


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda a: a.add_instrument(1, "0.1", "1", 0), "positive contract size"),
        (lambda a: a.add_instrument(1, "0.1", "1", -100), "positive contract size"),
        (lambda a: a.apply_fill(1, 1, PERP, BUY, 0, 1), "price must be positive"),
        (lambda a: a.apply_fill(1, 1, PERP, SELL, 500_000, 0), "quantity must be positive"),
        (lambda a: a.apply_fill(1, 1, 3, SELL, 500_000, 1), "unknown futures instrument 3"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(build, message: str) -> None:
    account = btcusd_perp()
    account.apply_fill(1, 1, PERP, BUY, 500_000, 10)
    before = account.summary(), account.positions(include_flat=True).tolist()
    with pytest.raises(AccountError, match=message):
        build(account)
    assert (account.summary(), account.positions(include_flat=True).tolist()) == before


class CoinmStateMachine(FuturesStateMachine):
    market = "coinm"


TestCoinmStateMachine = CoinmStateMachine.TestCase
TestCoinmStateMachine.settings = settings(max_examples=120, stateful_step_count=40, deadline=None)
