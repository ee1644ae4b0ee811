"""Every metric of compute_metrics against a value worked out by hand on one small run.

The run (times in days, D = 86,400 s; one instrument; 1-day returns grid, so 365 periods a year):

equity samples   t:  0      1      1.5    2      3      4
                 E:  1000   1020   1050   1010   1060   1030   (1.5 is off the grid: a fill's sample)
funding (cum.)       0      0      0      -0.5   -0.5   -0.5
gross exposure       0      210    0      100    0      48

fills  t     side qty  price  fee    maker mid     realized  position after
f1     0.25  buy  2    100    0.2    yes   99.9    0         2      opens trip A (long)
f2     0.5   sell 1    110    0.11   no    110.2   +10       1      partial close of A
f3     1.0   sell 3    105    0.3    no    105.1   +5        -2     flip: closes A (1), opens B (short 2)
f4     1.25  buy  2    100    0.2    yes   NaN     +10       0      closes B
f5     2.0   buy  1    100    0.1    yes   100.05  0         1      opens C
f6     2.5   sell 1    90     0.09   no    90.1    -10       0      closes C (a loss)
f7     3.5   buy  0.5  96     0.048  yes   96.0    0         0.5    opens D, still open at the end (t = 4)
"""

from __future__ import annotations

import math

import pytest
from test_metrics_builders import NS_PER_DAY, Fill, Order, equity_table, fills_table, orders_table

from veloz.analytics import compute_metrics, round_trips
from veloz.analytics.catalog import METRIC_KEYS

D = NS_PER_DAY
DAY_S = 86_400.0
BPS = 1e4

EQUITY = equity_table(
    [0, D, 3 * D // 2, 2 * D, 3 * D, 4 * D],
    [1000.0, 1020.0, 1050.0, 1010.0, 1060.0, 1030.0],
    funding=[0.0, 0.0, 0.0, -0.5, -0.5, -0.5],
    gross_exposure=[0.0, 210.0, 0.0, 100.0, 0.0, 48.0],
)
FILLS = fills_table([
    Fill(D // 4, +1, 2.0, 100.0, 2.0, fee=0.2, is_maker=True, decision_mid=99.9, order_id=1),
    Fill(D // 2, -1, 1.0, 110.0, 1.0, fee=0.11, realized_pnl=10.0, decision_mid=110.2, order_id=2),
    Fill(D, -1, 3.0, 105.0, -2.0, fee=0.3, realized_pnl=5.0, decision_mid=105.1, order_id=3),
    Fill(5 * D // 4, +1, 2.0, 100.0, 0.0, fee=0.2, realized_pnl=10.0, is_maker=True, order_id=4),
    Fill(2 * D, +1, 1.0, 100.0, 1.0, fee=0.1, is_maker=True, decision_mid=100.05, order_id=5),
    Fill(5 * D // 2, -1, 1.0, 90.0, 0.0, fee=0.09, realized_pnl=-10.0, decision_mid=90.1, order_id=6),
    Fill(7 * D // 2, +1, 0.5, 96.0, 0.5, fee=0.048, is_maker=True, decision_mid=96.0, order_id=7),
])
ORDERS = orders_table([
    Order("FILLED", 2.0, 2.0, order_id=1),
    Order("FILLED", 1.0, 1.0, order_id=2),
    Order("FILLED", 3.0, 3.0, order_id=3),
    Order("FILLED", 2.0, 2.0, order_id=4),
    Order("FILLED", 1.0, 1.0, order_id=5),
    Order("CANCELED", 2.0, 1.0, order_id=6),  # filled 1 of 2, then canceled
    Order("PARTIALLY_FILLED", 1.0, 0.5, order_id=7),  # still working at the end: not final
    Order("REJECTED", 5.0, 0.0, order_id=8),
    Order("EXPIRED", 1.0, 0.0, order_id=9),
])

# Returns on the grid t = 0, 1, 2, 3, 4 (the 1.5 spike is between grid points).
R = [1020 / 1000 - 1, 1010 / 1020 - 1, 1060 / 1010 - 1, 1030 / 1060 - 1]
MEAN = sum(R) / 4
STDEV = math.sqrt(sum((r - MEAN) ** 2 for r in R) / 3)
DOWNSIDE = math.sqrt((R[1] ** 2 + R[3] ** 2) / 4)  # negative returns squared, over all 4 intervals
CAGR = 1.03 ** (365 / 4) - 1
MAX_DD = 40 / 1050  # peak 1050 at t=1.5, trough 1010 at t=2
# Round trips' net PnL (gross - fees; the flip's fee 0.3 splits 1/3 to A, 2/3 to B):
NET_A = 15 - (0.2 + 0.11 + 0.1)  # 14.59
NET_B = 10 - (0.2 + 0.2)  # 9.6
NET_C = -10 - (0.1 + 0.09)  # -10.19

EXPECTED = {
    "total_return": 0.03,
    "annualized_return": CAGR,
    "volatility": STDEV * math.sqrt(365),
    "sharpe": MEAN / STDEV * math.sqrt(365),
    "sortino": MEAN / DOWNSIDE * math.sqrt(365),
    "calmar": CAGR / MAX_DD,
    "max_drawdown": MAX_DD,
    # Under water from the peak at t=1.5 until 1060 at t=3 (1.5 days), then from t=3 to the end (1 day).
    "max_drawdown_duration_s": 1.5 * DAY_S,
    "best_interval_return": R[2],
    "worst_interval_return": R[3],
    "returns_interval_s": DAY_S,
    "num_return_intervals": 4,
    "initial_equity": 1000.0,
    "final_equity": 1030.0,
    "net_pnl": 30.0,
    "gross_pnl": 30 + 1.048 - (-0.5),  # net + fees - funding
    "fees_total": 0.2 + 0.11 + 0.3 + 0.2 + 0.1 + 0.09 + 0.048,
    "funding_total": -0.5,
    "num_trades": 3,
    "num_open_trades": 1,
    "win_rate": 2 / 3,
    "profit_factor": (NET_A + NET_B) / -NET_C,
    "expectancy": (NET_A + NET_B + NET_C) / 3,
    "avg_win": (NET_A + NET_B) / 2,
    "avg_loss": NET_C,
    "largest_win": NET_A,
    "largest_loss": NET_C,
    "avg_holding_time_s": (0.75 + 0.25 + 0.5) / 3 * DAY_S,
    # Positioned during [0.25, 1.25] (A then B), [2, 2.5] (C), [3.5, 4] (D): 2 of 4 days.
    "exposure": 2 / 4,
    # Traded value 200 + 110 + 315 + 200 + 100 + 90 + 48 over the time-weighted mean equity
    # (1000 x 1 + 1020 x 0.5 + 1050 x 0.5 + 1010 x 1 + 1060 x 1) / 4 days = 1026.25.
    "turnover": 1063 / 1026.25,
    "avg_equity": 1026.25,
    "max_leverage": 210 / 1020,
    # qty-weighted side x (price - mid) / mid over the fills with a mid (f4 has none): qty 8.5.
    "slippage_vs_mid": (2 * (100 - 99.9) / 99.9 - 1 * (110 - 110.2) / 110.2 - 3 * (105 - 105.1) / 105.1
                        + 1 * (100 - 100.05) / 100.05 - 1 * (90 - 90.1) / 90.1 + 0.5 * 0.0) / 8.5 * BPS,
    # The same weighted by traded value (price x qty) instead of qty: weights 200, 110, 315, 100, 90, 48.
    "slippage_vs_mid_by_value": (200 * (100 - 99.9) / 99.9 - 110 * (110 - 110.2) / 110.2
                                 - 315 * (105 - 105.1) / 105.1 + 100 * (100 - 100.05) / 100.05
                                 - 90 * (90 - 90.1) / 90.1 + 48 * 0.0) / 863 * BPS,
    # Final, non-rejected orders: 1-6 and 9 (7 is still working, 8 was rejected).
    "fill_ratio": (2 + 1 + 3 + 2 + 1 + 1 + 0) / (2 + 1 + 3 + 2 + 1 + 2 + 1),
    "maker_share": (2 + 2 + 1 + 0.5) / (2 + 1 + 3 + 2 + 1 + 1 + 0.5),
    "maker_share_by_value": (200 + 200 + 100 + 48) / 1063,
    "num_fills": 7,
    "num_orders": 9,
    "num_rejected_orders": 1,
    "duration_s": 4 * DAY_S,
}


@pytest.fixture(scope="module")
def metrics() -> dict[str, float | int | None]:
    return compute_metrics(EQUITY, FILLS, ORDERS, start_ns=0, end_ns=4 * D, returns_interval_ns=D)


def test_every_metric_is_checked_here(metrics: dict[str, float | int | None]) -> None:
    assert list(metrics) == list(METRIC_KEYS)
    assert set(EXPECTED) == set(METRIC_KEYS)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_metric_matches_the_hand_computation(metrics: dict[str, float | int | None], key: str) -> None:
    expected = EXPECTED[key]
    if isinstance(expected, int):
        assert metrics[key] == expected and isinstance(metrics[key], int)
    else:
        assert metrics[key] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_round_trips_of_the_example() -> None:
    a, b, c, d = round_trips(FILLS)
    assert (a.direction, a.open_ns, a.close_ns) == (1, D // 4, D)
    assert (a.opened_qty, a.closed_qty, a.max_abs_position, a.num_fills) == (2.0, 2.0, 2.0, 3)
    assert a.entry_price == 100.0 and a.exit_price == pytest.approx((110 + 105) / 2)
    assert a.gross_pnl == 15.0 and a.fees == pytest.approx(0.41) and a.net_pnl == pytest.approx(NET_A)
    assert (b.direction, b.open_ns, b.close_ns, b.entry_price, b.exit_price) == (-1, D, 5 * D // 4, 105.0, 100.0)
    assert (b.opened_qty, b.num_fills) == (2.0, 2)
    assert b.fees == pytest.approx(0.2 + 0.2) and b.gross_pnl == 10.0
    assert c.direction == 1 and c.net_pnl == pytest.approx(NET_C)
    assert d.is_open and d.close_ns is None and d.exit_price is None and d.fees == 0.048
    assert d.holding_time_s(4 * D) == 0.5 * DAY_S


def test_the_automatic_interval_for_four_days_is_thirty_minutes_or_shorter() -> None:
    # 4 days: 4 h gives 24 returns, 1 h gives 96, 15 min gives 384 >= 200, so 15 min.
    metrics = compute_metrics(EQUITY, FILLS, ORDERS, start_ns=0, end_ns=4 * D)
    assert metrics["returns_interval_s"] == 900.0
    assert metrics["num_return_intervals"] == 4 * 96


def test_periods_per_year_can_be_given() -> None:
    # 252 "trading days" instead of 365 scales the annualized figures by sqrt(252 / 365).
    metrics = compute_metrics(EQUITY, FILLS, ORDERS, start_ns=0, end_ns=4 * D, returns_interval_ns=D,
                              periods_per_year=252)
    assert metrics["sharpe"] == pytest.approx(MEAN / STDEV * math.sqrt(252))
    assert metrics["volatility"] == pytest.approx(STDEV * math.sqrt(252))


def test_row_order_of_the_tables_does_not_matter() -> None:
    shuffled = [5, 0, 3, 1, 4, 2]
    metrics = compute_metrics(EQUITY.take(shuffled), FILLS.take([6, 2, 0, 4, 1, 5, 3]), ORDERS,
                              start_ns=0, end_ns=4 * D, returns_interval_ns=D)
    assert metrics == compute_metrics(EQUITY, FILLS, ORDERS, start_ns=0, end_ns=4 * D, returns_interval_ns=D)
