"""USD-M linear perpetuals: one-way and hedge positions, margin, PnL, funding, liquidation prices.

Hand-worked examples are written out in USDT; liquidation prices are computed by hand with
Fractions; random fill sequences are checked against tests/futures_model.py at every step.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import settings

from futures_model import FuturesStateMachine, expected_liquidation_price
from veloz.accounts import (
    MAX_LEVERAGE,
    POSITION_DTYPE,
    AccountError,
    FuturesAccount,
    MarginType,
    OrderSide,
    PositionSide,
    add_futures_instrument,
    rate_to_e8,
    to_e8,
)
from veloz.instruments import load_exchange_info

BUY, SELL = OrderSide.BUY, OrderSide.SELL
BOTH, LONG, SHORT = PositionSide.BOTH, PositionSide.LONG, PositionSide.SHORT
BTC = 0  # BTCUSDT: tick 0.10, lot 0.001


def usdt(text: str) -> int:
    return to_e8(text)


def btcusdt(*, hedge: bool = False, isolated: bool = False, leverage: int = 10, deposit: str = "10000",
            maintenance_rate: str = "0.004", maintenance_amount: str = "0") -> FuturesAccount:
    account = FuturesAccount("usdm", hedge_mode=hedge)
    account.add_instrument(BTC, "0.10", "0.001", leverage=leverage, isolated=isolated,
                           maintenance_rate=rate_to_e8(maintenance_rate), maintenance_amount=usdt(maintenance_amount))
    account.deposit(usdt(deposit))
    return account


def test_one_way_open_add_partial_close_flip_close() -> None:
    account = btcusdt()
    # Open: buy 1.000 BTC at 60,000.0, taker fee 0.04 % = 24 USDT.
    assert account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000, fee=usdt("24")) == 0
    pos = account.position(BTC)
    assert (pos.qty, pos.entry_value, pos.entry_price) == (1_000, usdt("60000"), 600_000)
    assert account.summary().wallet_balance == usdt("9976")

    # Add: buy 0.500 at 63,000.0 (fee 12.6). Average entry (1 x 60,000 + 0.5 x 63,000) / 1.5 = 61,000.
    account.apply_fill(2, 2, BTC, BUY, 630_000, 500, fee=usdt("12.6"))
    pos = account.position(BTC)
    assert (pos.qty, pos.entry_value, pos.entry_price) == (1_500, usdt("91500"), 610_000)

    # Mark 62,000: value 93,000; unrealized 1,500; initial margin 93,000 / 10; maintenance 0.4 %.
    account.set_mark_price(BTC, 620_000)
    pos = account.position(BTC)
    assert (pos.value, pos.unrealized_pnl) == (usdt("93000"), usdt("1500"))
    assert (pos.initial_margin, pos.maintenance_margin) == (usdt("9300"), usdt("372"))

    # Partial close: sell 0.600 at 64,000.0 (maker fee 7.68): realized 0.6 x (64,000 - 61,000).
    assert account.apply_fill(3, 3, BTC, SELL, 640_000, 600, fee=usdt("7.68")) == usdt("1800")
    pos = account.position(BTC)
    assert (pos.qty, pos.entry_value, pos.entry_price) == (900, usdt("54900"), 610_000)
    assert account.summary().wallet_balance == usdt("11755.72")

    # Flip: sell 1.400 at 59,000.0 (fee 33.04) closes 0.9 (realized 0.9 x (59,000 - 61,000)) and
    # opens a 0.5 short at 59,000.
    assert account.apply_fill(4, 4, BTC, SELL, 590_000, 1_400, fee=usdt("33.04")) == -usdt("1800")
    pos = account.position(BTC)
    assert (pos.qty, pos.entry_value, pos.entry_price) == (-500, usdt("29500"), 590_000)
    assert pos.unrealized_pnl == -usdt("1500")  # short 0.5 from 59,000 at mark 62,000

    # Close: buy 0.500 at 58,000.0 (fee 11.6): realized 0.5 x (59,000 - 58,000).
    assert account.apply_fill(5, 5, BTC, BUY, 580_000, 500, fee=usdt("11.6")) == usdt("500")
    pos = account.position(BTC)
    assert (pos.qty, pos.entry_value, pos.unrealized_pnl, pos.initial_margin) == (0, 0, 0, 0)
    assert pos.realized_pnl == usdt("500") and pos.fees == usdt("88.92")
    summary = account.summary()
    assert (summary.realized_pnl, summary.fees) == (usdt("500"), usdt("88.92"))
    assert summary.wallet_balance == summary.margin_balance == usdt("10411.08")
    assert len(account.positions()) == 0


def test_hedge_mode_long_and_short_are_independent() -> None:
    account = btcusdt(hedge=True)
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000, position_side=LONG)
    account.apply_fill(2, 2, BTC, SELL, 610_000, 500, position_side=SHORT)
    account.set_mark_price(BTC, 620_000)
    assert account.position(BTC, LONG).unrealized_pnl == usdt("2000")
    assert account.position(BTC, SHORT).unrealized_pnl == -usdt("500")  # 0.5 x (61,000 - 62,000)
    assert account.summary().unrealized_pnl == usdt("1500")

    # Selling the LONG reduces it (never opens a short); buying the SHORT reduces that.
    assert account.apply_fill(3, 3, BTC, SELL, 630_000, 400, position_side=LONG) == usdt("1200")
    assert account.apply_fill(4, 4, BTC, BUY, 600_000, 500, position_side=SHORT) == usdt("500")
    assert account.position(BTC, LONG)[4:6] == (600, usdt("36000"))
    assert account.position(BTC, SHORT).qty == 0

    before = account.summary(), account.positions(include_flat=True).tolist()
    with pytest.raises(AccountError, match="would take the LONG position of 600 below zero"):
        account.apply_fill(5, 5, BTC, SELL, 600_000, 700, position_side=LONG)
    with pytest.raises(AccountError, match="hedge mode needs position side LONG or SHORT"):
        account.apply_fill(5, 5, BTC, BUY, 600_000, 1, position_side=BOTH)
    with pytest.raises(AccountError, match="cannot change the position mode"):
        account.set_hedge_mode(False)
    assert (account.summary(), account.positions(include_flat=True).tolist()) == before
    assert account.summary().wallet_balance == usdt("11700")

    table = account.positions(include_flat=True)
    assert table.dtype == POSITION_DTYPE
    assert table["position_side"].tolist() == [LONG, SHORT]


def test_position_mode_changes_only_when_flat() -> None:
    account = btcusdt()
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1)
    with pytest.raises(AccountError, match="one-way mode takes position side BOTH, not LONG"):
        account.apply_fill(2, 2, BTC, BUY, 600_000, 1, position_side=LONG)
    account.apply_fill(3, 3, BTC, SELL, 600_000, 1)
    account.set_hedge_mode(True)
    assert account.hedge_mode


def lp(numerator: Fraction, denominator: Fraction, tick: Fraction = Fraction(1, 10)) -> int:
    return round(numerator / denominator / tick)


def test_isolated_liquidation_prices_long_and_short() -> None:
    """LP = (WB + cum - side*Q*EP) / (Q*mmr - side*Q); WB is the isolated wallet (60,000 / 10)."""
    mmr, cum = Fraction(5, 1000), Fraction(50)
    long_account = btcusdt(isolated=True, maintenance_rate="0.005", maintenance_amount="50")
    long_account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000)
    assert long_account.position(BTC).isolated_margin == usdt("6000")
    exact_long = (6000 + cum - 60000) / (mmr - 1)  # 54,221.1055...
    assert long_account.liquidation_price(BTC) == lp(6000 + cum - 60000, mmr - 1) == 542_211
    # At that price the position's margin is exactly its maintenance margin.
    assert 6000 + (exact_long - 60000) == exact_long * mmr - cum

    short_account = btcusdt(isolated=True, maintenance_rate="0.005", maintenance_amount="50")
    short_account.apply_fill(1, 1, BTC, SELL, 600_000, 1_000)
    exact_short = (6000 + cum + 60000) / (mmr + 1)  # 65,721.3930...
    assert short_account.liquidation_price(BTC) == lp(6000 + cum + 60000, mmr + 1) == 657_214
    assert 6000 - (exact_short - 60000) == exact_short * mmr - cum
    assert short_account.position(BTC).liquidation_price == 657_214


def test_cross_liquidation_price_single_position_uses_the_wallet() -> None:
    mmr, cum = Fraction(5, 1000), Fraction(50)
    account = btcusdt(maintenance_rate="0.005", maintenance_amount="50")
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000, fee=usdt("24"))  # wallet 9,976
    assert account.liquidation_price(BTC) == lp(9976 + cum - 60000, mmr - 1) == 502_251

    short = btcusdt(maintenance_rate="0.005", maintenance_amount="50")
    short.apply_fill(1, 1, BTC, SELL, 600_000, 1_000, fee=usdt("24"))
    assert short.liquidation_price(BTC) == lp(9976 + cum + 60000, mmr + 1) == 696_776

    # A long backed by more than its value has no liquidation price.
    rich = btcusdt(deposit="70000")
    rich.apply_fill(1, 1, BTC, BUY, 600_000, 1_000)
    assert rich.liquidation_price(BTC) is None and rich.position(BTC).liquidation_price == 0


def test_cross_liquidation_price_counts_other_positions() -> None:
    """Binance: WB becomes the cross wallet less the other positions' maintenance margin plus
    their unrealized PnL (TMM1, UPNL1)."""
    account = btcusdt(maintenance_rate="0.005", maintenance_amount="50")
    account.add_instrument(1, "0.01", "0.001", leverage=10, maintenance_rate=rate_to_e8("0.01"))
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000)
    account.apply_fill(2, 2, 1, BUY, 300_000, 10_000)  # 10 ETH at 3,000.00
    account.set_mark_price(1, 290_000)  # ETH at 2,900: unrealized -1,000; maintenance 29,000 x 1 %
    eth = account.position(1)
    assert (eth.unrealized_pnl, eth.maintenance_margin) == (-usdt("1000"), usdt("290"))
    wallet = Fraction(10000 - 290 - 1000)
    assert account.liquidation_price(BTC) == lp(wallet + 50 - 60000, Fraction(5, 1000) - 1) == 514_975


def test_hedge_cross_liquidation_price_combines_long_and_short() -> None:
    account = btcusdt(hedge=True, maintenance_rate="0.005", maintenance_amount="50")
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000, position_side=LONG)
    account.apply_fill(2, 2, BTC, SELL, 620_000, 400, position_side=SHORT)
    mmr = Fraction(5, 1000)
    numerator = 10000 + 50 + 50 - 1 * 60000 + Fraction(4, 10) * 62000
    denominator = 1 * mmr + Fraction(4, 10) * mmr - 1 + Fraction(4, 10)
    assert account.liquidation_price(BTC, LONG) == account.liquidation_price(BTC, SHORT) == lp(numerator, denominator)
    assert lp(numerator, denominator) == 423_272  # 42,327.150084...


def test_isolated_margin_is_allocated_released_and_adjusted() -> None:
    account = btcusdt(isolated=True)
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000, fee=usdt("24"))
    summary = account.summary()
    assert (summary.isolated_margin, summary.cross_wallet) == (usdt("6000"), usdt("3976"))
    assert summary.available_balance == usdt("3976")  # isolated positions do not use the cross wallet
    account.apply_fill(2, 2, BTC, SELL, 600_000, 400)  # closing 40 % releases 40 % of the margin
    assert account.position(BTC).isolated_margin == usdt("3600")
    account.adjust_isolated_margin(BTC, BOTH, usdt("1000"))
    assert account.position(BTC).isolated_margin == usdt("4600")
    account.adjust_isolated_margin(BTC, BOTH, -usdt("1000"))
    before = account.summary(), account.position(BTC)
    with pytest.raises(AccountError, match="under the initial margin"):
        account.adjust_isolated_margin(BTC, BOTH, -1)  # 3,600 is the initial margin at 60,000 / 10
    with pytest.raises(AccountError, match="exceeds the available balance"):
        account.adjust_isolated_margin(BTC, BOTH, usdt("9000"))
    with pytest.raises(AccountError, match="cannot change the margin type"):
        account.set_margin_type(BTC, False)
    assert (account.summary(), account.position(BTC)) == before
    account.apply_fill(3, 3, BTC, SELL, 610_000, 600)
    assert account.position(BTC).isolated_margin == 0
    assert account.position(BTC).margin_type == MarginType.ISOLATED


def test_funding_longs_pay_shorts_when_the_rate_is_positive() -> None:
    account = btcusdt(hedge=True)
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000, position_side=LONG)
    account.apply_fill(2, 2, BTC, SELL, 600_000, 250, position_side=SHORT)
    hour = 3600 * 10**9
    # Rate 0.0001 at mark 60,000: the long pays 6 USDT, the short receives 1.5.
    assert account.apply_funding(BTC, 600_000, rate_to_e8("0.0001"), 8 * hour) == -usdt("4.5")
    assert (account.position(BTC, LONG).funding, account.position(BTC, SHORT).funding) == (-usdt("6"), usdt("1.5"))
    # A negative rate: the long receives 60,500 x 0.00003449 = 2.0866... -> 2.08664500 USDT.
    assert account.apply_funding(BTC, 605_000, rate_to_e8("-0.00003449"), 16 * hour) == usdt("2.08664500") - usdt(
        "0.52166125")
    assert account.position(BTC, LONG).mark_price == 605_000  # the funding mark becomes the mark
    before = account.summary()
    with pytest.raises(AccountError, match="already applied"):
        account.apply_funding(BTC, 605_000, 1, 16 * hour)
    with pytest.raises(AccountError, match="already applied"):
        account.apply_funding(BTC, 605_000, 1, 9 * hour)
    with pytest.raises(AccountError, match="mark price must be positive"):
        account.apply_funding(BTC, 0, 1, 24 * hour)
    assert account.summary() == before
    assert before.funding == -usdt("6") + usdt("1.5") + usdt("2.08664500") - usdt("0.52166125")
    assert before.wallet_balance == usdt("10000") + before.funding


def test_funding_on_an_isolated_position_moves_its_margin() -> None:
    account = btcusdt(isolated=True)
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000)
    account.apply_funding(BTC, 600_000, rate_to_e8("0.0001"), 1)
    assert account.position(BTC).isolated_margin == usdt("5994")
    assert account.summary().cross_wallet == usdt("4000")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a: a.apply_fill(1, 1, 9, BUY, 600_000, 1), "unknown futures instrument 9"),
        (lambda a: a.apply_fill(1, 1, BTC, BUY, 600_000, 0), "quantity must be positive"),
        (lambda a: a.apply_fill(1, 1, BTC, BUY, 600_000, -3), "quantity must be positive"),
        (lambda a: a.apply_fill(1, 1, BTC, BUY, -1, 3), "price must be positive"),
        (lambda a: a.apply_fill(1, 1, BTC, 2, 600_000, 3), "side must be 0"),
        (lambda a: a.apply_fill(1, 1, BTC, BUY, 600_000, 3, position_side=3), "position side must be"),
        (lambda a: a.set_mark_price(BTC, 0), "mark price must be positive"),
        (lambda a: a.set_mark_price(5, 1), "unknown futures instrument 5"),
        (lambda a: a.set_leverage(BTC, 0), "leverage must be 1 to 125"),
        (lambda a: a.set_leverage(BTC, -2), "leverage must be 1 to 125"),
        (lambda a: a.set_leverage(BTC, MAX_LEVERAGE + 1), "leverage must be 1 to 125"),
        (lambda a: a.set_maintenance(BTC, 10**8, 0), r"maintenance rate must be in \[0, 1\)"),
        (lambda a: a.set_maintenance(BTC, 400_000, -1), "maintenance amount must be >= 0"),
        (lambda a: a.add_instrument(BTC, "0.10", "0.001"), "already registered"),
        (lambda a: a.add_instrument(2, "0.10", "0.001", leverage=0), "leverage must be 1 to 125"),
        (lambda a: a.deposit(0), "deposit must be positive"),
        (lambda a: a.withdraw(usdt("9000")), "exceeds the available balance"),
        (lambda a: a.adjust_isolated_margin(BTC, BOTH, 5), "not isolated"),
        (lambda a: a.liquidation_price(BTC, LONG), "one-way mode takes position side BOTH"),
        (lambda a: a.position(4), "unknown futures instrument 4"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(call, message: str) -> None:
    account = btcusdt()
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000, fee=usdt("24"))
    before = account.summary(), account.positions(include_flat=True).tolist(), account.risk(BTC)
    with pytest.raises(AccountError, match=message):
        call(account)
    assert (account.summary(), account.positions(include_flat=True).tolist(), account.risk(BTC)) == before


def test_account_market_must_be_futures() -> None:
    with pytest.raises(AccountError, match="market must be one of"):
        FuturesAccount("spot")


def test_withdraw_up_to_the_available_balance() -> None:
    account = btcusdt()
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000)  # initial margin 6,000 of 10,000
    assert account.summary().available_balance == usdt("4000")
    account.withdraw(usdt("4000"))
    assert account.summary().net_deposits == usdt("6000")


def test_wrapper_uses_a_real_exchange_info_instrument(demo_exchange_info) -> None:
    instrument = load_exchange_info(demo_exchange_info)["BTCUSDT"]
    account = FuturesAccount("usdm")
    add_futures_instrument(account, 0, instrument, leverage=5)
    account.deposit(usdt("1000"))
    price, qty = instrument.price_to_ticks("61800.30"), instrument.qty_to_lots("0.010")
    account.apply_fill(1, 1, 0, BUY, price, qty)
    assert account.position(0).entry_value == usdt("618.003")
    assert account.position(0).initial_margin == usdt("123.6006")
    assert account.risk(0) == (5, False, 400_000, 0)
    with pytest.raises(AccountError, match="the account is usdm"):
        add_futures_instrument(FuturesAccount("usdm"), 1, instrument.__class__(**{
            **{f: getattr(instrument, f) for f in ("symbol", "base_asset", "quote_asset", "margin_asset",
                                                   "tick_size", "step_size", "lot_size", "min_qty", "min_notional")},
            "market": "coinm", "contract_size": 100}))


def test_positions_array_matches_position_tuples() -> None:
    account = btcusdt()
    account.add_instrument(1, "0.01", "0.001")
    account.apply_fill(1, 1, BTC, BUY, 600_000, 1_000)
    account.apply_fill(2, 2, 1, SELL, 300_000, 2_000)
    account.set_mark_price(1, 310_000)
    table = account.positions()
    assert isinstance(table, np.ndarray) and len(table) == 2
    for row in table:
        assert tuple(int(x) for x in row.tolist()) == tuple(account.position(int(row["instrument"])))


def test_hand_liquidation_helper_agrees_with_the_examples() -> None:
    """The state machine's Fraction formula gives the hand-worked isolated long above."""
    assert expected_liquidation_price("usdm", usdt("6000"), 500_000, usdt("50"), [(1_000, usdt("60000"))]) == 542_211


class UsdmStateMachine(FuturesStateMachine):
    market = "usdm"


TestUsdmStateMachine = UsdmStateMachine.TestCase
TestUsdmStateMachine.settings = settings(max_examples=120, stateful_step_count=40, deadline=None)


def test_funding_example_from_the_docs() -> None:
    """docs/accounting.md 4.3: LONG 1.234 and SHORT 0.567 BTC at mark 66,000.0, rate -0.00003449."""
    account = btcusdt(hedge=True)
    account.apply_fill(1, 1, BTC, BUY, 660_000, 1_234, position_side=LONG)
    account.apply_fill(2, 2, BTC, SELL, 660_000, 567, position_side=SHORT)
    account.apply_funding(BTC, 660_000, rate_to_e8("-0.00003449"), 1)
    assert account.position(BTC, LONG).funding == usdt("2.80900356")
    assert account.position(BTC, SHORT).funding == -usdt("1.29068478")
