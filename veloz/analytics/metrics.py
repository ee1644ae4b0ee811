"""Backtest metrics from the equity, fills and orders tables (definitions: docs/metrics.md).

Every value is a float, an int or None. None means undefined (no trades, no returns, zero
volatility...): never NaN or infinity, so metrics.json holds only finite numbers and nulls.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from strategy_sdk.enums import OrderStatus
from veloz.analytics.catalog import METRIC_KEYS
from veloz.analytics.columns import (EQUITY_COLUMNS, FILLS_COLUMNS, ORDERS_COLUMNS, FloatArray, IntArray,
                                     bool_column, float_column, int_column, require_columns, str_column,
                                     time_order)
from veloz.analytics.drawdown import max_drawdown, max_drawdown_duration_s
from veloz.analytics.returns import (NS_PER_SECOND, annualized_return, choose_returns_interval_ns, equity_on_grid,
                                     interval_returns, return_stats)
from veloz.analytics.returns import periods_per_year as periods_in_a_year
from veloz.analytics.round_trips import RoundTrip, round_trips, time_with_position_ns

MetricValue = float | int | None
BPS = 10_000.0

# Orders in these states will not change again. Rejected orders never reached the book, so the fill
# ratio leaves them out (it measures execution, not risk checks); num_rejected_orders counts them.
FINAL_STATUSES = frozenset(s.name for s in OrderStatus if not s.is_open)
REJECTED_STATUS = OrderStatus.REJECTED.name


def compute_metrics(equity: pa.Table, fills: pa.Table, orders: pa.Table, *, start_ns: int, end_ns: int,
                    returns_interval_ns: int | None = None,
                    periods_per_year: float | None = None) -> dict[str, MetricValue]:
    """All metrics of one run, keyed as in ``catalog.METRICS`` (and in that order).

    ``returns_interval_ns`` is the grid step of the interval returns; None picks one from the run's
    length (``returns.choose_returns_interval_ns``). ``periods_per_year`` defaults to the number of
    such intervals in a 365-day year.
    """
    if end_ns < start_ns:
        raise ValueError(f"end_ns {end_ns} is before start_ns {start_ns}")
    require_columns(equity, EQUITY_COLUMNS, "equity")
    require_columns(orders, ORDERS_COLUMNS, "orders")
    require_columns(fills, FILLS_COLUMNS, "fills")
    if returns_interval_ns is not None and returns_interval_ns <= 0:
        raise ValueError(f"returns_interval_ns must be > 0, not {returns_interval_ns}")
    interval_ns = (returns_interval_ns if returns_interval_ns is not None
                   else choose_returns_interval_ns(end_ns - start_ns))
    periods = periods_per_year if periods_per_year is not None else periods_in_a_year(interval_ns)

    trips = round_trips(fills)
    found: dict[str, MetricValue] = {"duration_s": (end_ns - start_ns) / NS_PER_SECOND}
    found.update(_equity_metrics(equity, start_ns=start_ns, end_ns=end_ns, interval_ns=interval_ns,
                                 periods=periods))
    found.update(_trip_metrics(trips))
    found.update(_fill_metrics(fills, trips, start_ns=start_ns, end_ns=end_ns))
    found.update(_order_metrics(orders))
    fees, funding, net = found["fees_total"], found["funding_total"], found["net_pnl"]
    found["gross_pnl"] = (None if funding is None or net is None or fees is None
                          else float(net) + float(fees) - float(funding))
    avg_equity = found["avg_equity"]
    traded = _exact_sum(np.abs(float_column(fills, "notional")))
    found["turnover"] = traded / float(avg_equity) if avg_equity is not None and avg_equity > 0 else None
    return {key: _finite_or_none(found[key]) for key in METRIC_KEYS}


def _finite_or_none(value: MetricValue) -> MetricValue:
    if value is None or isinstance(value, int):
        return value
    value = float(value)
    return value if math.isfinite(value) else None


_EQUITY_KEYS = ("initial_equity", "final_equity", "net_pnl", "total_return", "annualized_return", "volatility",
                "sharpe", "sortino", "calmar", "max_drawdown", "max_drawdown_duration_s", "best_interval_return",
                "worst_interval_return", "avg_equity", "max_leverage", "funding_total")


def _equity_metrics(equity: pa.Table, *, start_ns: int, end_ns: int, interval_ns: int,
                    periods: float) -> dict[str, MetricValue]:
    order = time_order(int_column(equity, "ts_ns"))
    ts_ns = int_column(equity, "ts_ns")[order]
    values = float_column(equity, "equity")[order]
    result: dict[str, MetricValue] = {"returns_interval_s": interval_ns / NS_PER_SECOND}
    if values.size == 0:  # nothing to measure: every equity-based metric is undefined
        return result | dict.fromkeys(_EQUITY_KEYS, None) | {"num_return_intervals": 0}
    initial, final = float(values[0]), float(values[-1])
    growth = final / initial if initial > 0 else None
    cagr = annualized_return(growth, end_ns - start_ns) if growth is not None else None
    drawdown = max_drawdown(values) if initial > 0 else None
    stats = return_stats(interval_returns(equity_on_grid(ts_ns, values, start_ns=start_ns, end_ns=end_ns,
                                                         interval_ns=interval_ns)[1]), periods)
    funding = float_column(equity, "funding")[order]
    return result | {
        "initial_equity": initial,
        "final_equity": final,
        "net_pnl": final - initial,
        "total_return": growth - 1.0 if growth is not None else None,
        "annualized_return": cagr,
        "volatility": stats.volatility,
        "sharpe": stats.sharpe,
        "sortino": stats.sortino,
        "calmar": cagr / drawdown if cagr is not None and drawdown else None,
        "max_drawdown": drawdown,
        "max_drawdown_duration_s": max_drawdown_duration_s(ts_ns, values, end_ns),
        "best_interval_return": stats.best,
        "worst_interval_return": stats.worst,
        "num_return_intervals": stats.count,
        "avg_equity": _time_weighted_mean(ts_ns, values, start_ns=start_ns, end_ns=end_ns),
        "max_leverage": _max_leverage(values, float_column(equity, "gross_exposure")[order]),
        "funding_total": float(funding[-1] - funding[0]),
    }


def _time_weighted_mean(ts_ns: IntArray, values: FloatArray, *, start_ns: int, end_ns: int) -> float:
    """Mean over [start_ns, end_ns] of the step function 'last sample at or before t' (before the
    first sample: the first sample). A zero-length run gives the value at its start."""
    inside = (ts_ns > start_ns) & (ts_ns < end_ns)
    at_start = values[max(int(np.searchsorted(ts_ns, start_ns, side="right")) - 1, 0)]
    if end_ns <= start_ns:
        return float(at_start)
    step_values = np.concatenate(([at_start], values[inside]))
    step_starts = np.concatenate(([start_ns], ts_ns[inside]))
    durations = np.diff(np.concatenate((step_starts, [end_ns])))
    return float(np.dot(step_values, durations.astype(np.float64)) / (end_ns - start_ns))


def _max_leverage(equity: FloatArray, gross_exposure: FloatArray) -> float | None:
    solvent = equity > 0
    if not solvent.any():
        return None
    return float((gross_exposure[solvent] / equity[solvent]).max())


def _trip_metrics(trips: list[RoundTrip]) -> dict[str, MetricValue]:
    closed = [t for t in trips if not t.is_open]
    net = np.array([t.net_pnl for t in closed], dtype=np.float64)
    wins, losses = net[net > 0], net[net < 0]
    holding = np.array([(t.close_ns - t.open_ns) / NS_PER_SECOND for t in closed if t.close_ns is not None])
    return {
        "num_trades": len(closed),
        "num_open_trades": len(trips) - len(closed),
        "win_rate": wins.size / net.size if net.size else None,
        "profit_factor": _exact_sum(wins) / -_exact_sum(losses) if losses.size else None,
        "expectancy": _exact_sum(net) / net.size if net.size else None,
        "avg_win": _exact_sum(wins) / wins.size if wins.size else None,
        "avg_loss": _exact_sum(losses) / losses.size if losses.size else None,
        "largest_win": float(wins.max()) if wins.size else None,
        "largest_loss": float(losses.min()) if losses.size else None,
        "avg_holding_time_s": _exact_sum(holding) / holding.size if holding.size else None,
    }


def _exact_sum(values: FloatArray) -> float:
    """The correctly rounded sum: the same whatever the row order, so metrics.json is too."""
    return math.fsum(values.tolist())


def _fill_metrics(fills: pa.Table, trips: list[RoundTrip], *, start_ns: int,
                  end_ns: int) -> dict[str, MetricValue]:
    qty = float_column(fills, "qty")
    value = np.abs(float_column(fills, "notional"))
    maker = bool_column(fills, "is_maker")
    mid = float_column(fills, "decision_mid")
    # Fills without a usable mid (empty book when the order was placed) cannot say what slippage was.
    with_mid = np.isfinite(mid) & (mid > 0)
    side = int_column(fills, "side")[with_mid].astype(np.float64)
    price = float_column(fills, "price")[with_mid]
    cost = side * (price - mid[with_mid]) / mid[with_mid]  # > 0: paid more / received less than the mid
    span_ns = end_ns - start_ns
    return {
        "num_fills": int(fills.num_rows),
        "fees_total": _exact_sum(float_column(fills, "fee")),
        # Quantities of different instruments are in different units (BTC, ETH, contracts), so the
        # quantity-weighted figures suit one instrument; the by-value ones compare across instruments.
        "maker_share": _share(qty[maker], qty),
        "maker_share_by_value": _share(value[maker], value),
        "slippage_vs_mid": _weighted_mean(cost, qty[with_mid], scale=BPS),
        "slippage_vs_mid_by_value": _weighted_mean(cost, value[with_mid], scale=BPS),
        "exposure": time_with_position_ns(trips, start_ns=start_ns, end_ns=end_ns) / span_ns if span_ns > 0 else None,
    }


def _share(part: FloatArray, whole: FloatArray) -> float | None:
    total = _exact_sum(whole)
    return _exact_sum(part) / total if total > 0 else None


def _weighted_mean(values: FloatArray, weights: FloatArray, *, scale: float) -> float | None:
    total = _exact_sum(weights)
    return _exact_sum(values * weights) / total * scale if total > 0 else None


def _order_metrics(orders: pa.Table) -> dict[str, MetricValue]:
    status = str_column(orders, "status")
    qty = float_column(orders, "qty")
    filled = float_column(orders, "filled_qty")
    counted = np.array([s in FINAL_STATUSES and s != REJECTED_STATUS for s in status], dtype=np.bool_)
    ordered = _exact_sum(qty[counted]) if counted.size else 0.0
    return {
        "num_orders": int(orders.num_rows),
        "num_rejected_orders": sum(s == REJECTED_STATUS for s in status),
        "fill_ratio": _exact_sum(filled[counted]) / ordered if ordered > 0 else None,
    }
