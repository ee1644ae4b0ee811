"""Runs at the edges: no fills, flat equity, a fill left open, no time, total loss, bad input.
Undefined metrics must be None (JSON null), never NaN or infinity."""

from __future__ import annotations

import json
import math

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_metrics_builders import Fill, Order, equity_table, fills_table, orders_table

from veloz.analytics import compute_metrics
from veloz.analytics.catalog import METRIC_KEYS

S = 1_000_000_000
NO_FILLS = fills_table([])
NO_ORDERS = orders_table([])

TRIP_METRICS = ("win_rate", "profit_factor", "expectancy", "avg_win", "avg_loss", "largest_win", "largest_loss",
                "avg_holding_time_s")


def assert_json_clean(metrics: dict[str, float | int | None]) -> None:
    assert list(metrics) == list(METRIC_KEYS)
    for key, value in metrics.items():
        assert value is None or isinstance(value, (int, float)), key
        assert value is None or math.isfinite(value), key
    json.dumps(metrics, allow_nan=False)


def test_no_fills_no_orders() -> None:
    equity = equity_table([0, 60 * S, 120 * S], [1000.0, 1000.0, 1000.0])
    metrics = compute_metrics(equity, NO_FILLS, NO_ORDERS, start_ns=0, end_ns=120 * S, returns_interval_ns=60 * S)
    assert_json_clean(metrics)
    assert metrics["num_trades"] == metrics["num_open_trades"] == metrics["num_fills"] == metrics["num_orders"] == 0
    for key in (*TRIP_METRICS, "slippage_vs_mid", "fill_ratio", "maker_share"):
        assert metrics[key] is None, key
    assert metrics["exposure"] == 0.0 and metrics["turnover"] == 0.0 and metrics["fees_total"] == 0.0


def test_tables_without_rows_may_lack_columns() -> None:
    equity = equity_table([0], [1000.0])
    metrics = compute_metrics(equity, pa.table({}), pa.table({}), start_ns=0, end_ns=S, returns_interval_ns=S)
    assert metrics["num_fills"] == 0 and metrics["fill_ratio"] is None


def test_flat_equity_has_zero_volatility_and_no_sharpe() -> None:
    equity = equity_table([i * 60 * S for i in range(6)], [500.0] * 6)
    metrics = compute_metrics(equity, NO_FILLS, NO_ORDERS, start_ns=0, end_ns=300 * S, returns_interval_ns=60 * S)
    assert_json_clean(metrics)
    assert metrics["total_return"] == 0.0 and metrics["annualized_return"] == 0.0
    assert metrics["volatility"] == 0.0 and metrics["num_return_intervals"] == 5
    assert metrics["sharpe"] is None and metrics["sortino"] is None and metrics["calmar"] is None
    assert metrics["max_drawdown"] == 0.0 and metrics["max_drawdown_duration_s"] == 0.0
    assert metrics["best_interval_return"] == metrics["worst_interval_return"] == 0.0


def test_a_single_fill_left_open_at_the_end() -> None:
    # Bought 0.01 at 60,000 (taker, fee 0.24) at 100 s of a 400 s run, never sold.
    equity = equity_table([0, 100 * S, 200 * S, 300 * S, 400 * S], [1000.0, 999.76, 1004.76, 995.76, 1000.76],
                          gross_exposure=[0.0, 600.0, 605.0, 596.0, 601.0])
    fills = fills_table([Fill(100 * S, +1, 0.01, 60_000.0, 0.01, fee=0.24, decision_mid=59_999.0)])
    orders = orders_table([Order("FILLED", 0.01, 0.01)])
    metrics = compute_metrics(equity, fills, orders, start_ns=0, end_ns=400 * S, returns_interval_ns=100 * S)
    assert_json_clean(metrics)
    assert metrics["num_trades"] == 0 and metrics["num_open_trades"] == 1 and metrics["num_fills"] == 1
    for key in TRIP_METRICS:
        assert metrics[key] is None, key
    assert metrics["exposure"] == 300 / 400
    assert metrics["fees_total"] == 0.24 and metrics["fill_ratio"] == 1.0 and metrics["maker_share"] == 0.0
    assert metrics["slippage_vs_mid"] == pytest.approx((60_000 - 59_999) / 59_999 * 1e4)
    assert metrics["total_return"] == pytest.approx(0.00076)
    # Peak 1004.76 at 200 s, never regained: under water 200 s to the end.
    assert metrics["max_drawdown"] == pytest.approx(9 / 1004.76)
    assert metrics["max_drawdown_duration_s"] == 200.0
    assert metrics["max_leverage"] == pytest.approx(605.0 / 1004.76)


def test_only_losing_trips_give_a_zero_profit_factor_and_no_average_win() -> None:
    fills = fills_table([Fill(S, +1, 1.0, 10.0, 1.0), Fill(2 * S, -1, 1.0, 9.0, 0.0, realized_pnl=-1.0)])
    metrics = compute_metrics(equity_table([0, 3 * S], [100.0, 99.0]), fills, NO_ORDERS, start_ns=0, end_ns=3 * S)
    assert metrics["profit_factor"] == 0.0 and metrics["win_rate"] == 0.0
    assert metrics["avg_win"] is None and metrics["largest_win"] is None and metrics["avg_loss"] == -1.0


def test_a_trip_that_breaks_even_counts_but_neither_wins_nor_loses() -> None:
    fills = fills_table([Fill(S, +1, 1.0, 10.0, 1.0), Fill(2 * S, -1, 1.0, 10.0, 0.0)])
    metrics = compute_metrics(equity_table([0, 3 * S], [100.0, 100.0]), fills, NO_ORDERS, start_ns=0, end_ns=3 * S)
    assert metrics["num_trades"] == 1 and metrics["win_rate"] == 0.0 and metrics["expectancy"] == 0.0
    assert metrics["profit_factor"] is None  # no losses: the ratio has no denominator


def test_a_run_of_no_time() -> None:
    metrics = compute_metrics(equity_table([5 * S], [1000.0]), NO_FILLS, NO_ORDERS, start_ns=5 * S, end_ns=5 * S)
    assert_json_clean(metrics)
    assert metrics["duration_s"] == 0.0 and metrics["annualized_return"] is None and metrics["exposure"] is None
    assert metrics["num_return_intervals"] == 0 and metrics["volatility"] is None
    assert metrics["avg_equity"] == 1000.0 and metrics["turnover"] == 0.0


def test_no_equity_samples_leave_equity_metrics_undefined() -> None:
    metrics = compute_metrics(equity_table([], []), NO_FILLS, NO_ORDERS, start_ns=0, end_ns=S)
    assert_json_clean(metrics)
    assert metrics["total_return"] is None and metrics["max_drawdown"] is None and metrics["funding_total"] is None
    assert metrics["gross_pnl"] is None and metrics["turnover"] is None


def test_a_short_run_whose_annualized_return_overflows() -> None:
    # +10 % in 10 s compounds to 1.1 ** 3,153,600 a year: beyond any float.
    metrics = compute_metrics(equity_table([0, 10 * S], [100.0, 110.0]), NO_FILLS, NO_ORDERS, start_ns=0, end_ns=10 * S)
    assert metrics["annualized_return"] is None and metrics["calmar"] is None
    assert metrics["total_return"] == pytest.approx(0.1)


def test_losing_everything() -> None:
    equity = equity_table([0, S, 2 * S, 3 * S], [100.0, 50.0, 0.0, 0.0])
    metrics = compute_metrics(equity, NO_FILLS, NO_ORDERS, start_ns=0, end_ns=3 * S, returns_interval_ns=S)
    assert_json_clean(metrics)
    assert metrics["total_return"] == -1.0 and metrics["annualized_return"] == -1.0 and metrics["max_drawdown"] == 1.0
    # The interval starting at equity 0 has no return: two remain, -50 % and -100 %.
    assert metrics["num_return_intervals"] == 2 and metrics["worst_interval_return"] == -1.0
    assert metrics["max_drawdown_duration_s"] == 3.0


def test_decision_mid_may_be_null_as_well_as_nan() -> None:
    fills = fills_table([Fill(S, +1, 1.0, 10.0, 1.0)]).set_column(
        12, "decision_mid", pa.array([None], pa.float64()))
    metrics = compute_metrics(equity_table([0], [100.0]), fills, NO_ORDERS, start_ns=0, end_ns=2 * S)
    assert metrics["slippage_vs_mid"] is None


def test_bad_input_is_refused_with_a_reason() -> None:
    equity = equity_table([0], [100.0])
    with pytest.raises(ValueError, match="before start_ns"):
        compute_metrics(equity, NO_FILLS, NO_ORDERS, start_ns=S, end_ns=0)
    with pytest.raises(ValueError, match="returns_interval_ns"):
        compute_metrics(equity, NO_FILLS, NO_ORDERS, start_ns=0, end_ns=S, returns_interval_ns=0)
    with pytest.raises(ValueError, match="lacks column.*gross_exposure"):
        compute_metrics(equity.drop_columns(["gross_exposure"]), NO_FILLS, NO_ORDERS, start_ns=0, end_ns=S)
    with pytest.raises(ValueError, match="null"):
        compute_metrics(equity.set_column(1, "equity", pa.array([None], pa.float64())), NO_FILLS, NO_ORDERS,
                        start_ns=0, end_ns=S)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e6) | st.just(0.0), min_size=1, max_size=30), st.integers(1, 10))
@example([5e-324, 1e6, 1e6], 1)  # a return beyond the float range
@example([1e-300, 1e6, 1e-300, 1e6], 1)  # finite returns whose squares overflow
def test_any_equity_curve_gives_only_finite_numbers_and_nulls(values: list[float], interval_s: int) -> None:
    equity = equity_table([i * S for i in range(len(values))], values)
    metrics = compute_metrics(equity, NO_FILLS, NO_ORDERS, start_ns=0, end_ns=len(values) * S,
                              returns_interval_ns=interval_s * S)
    assert_json_clean(metrics)
