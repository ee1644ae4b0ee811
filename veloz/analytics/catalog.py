"""Every metric's key, label, unit and one-line meaning, in the order reports show them.

docs/metrics.md holds the full definitions; these lines are what a report's reader sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Unit(str, Enum):
    FRACTION = "fraction"  # shown as a percentage: 0.0123 -> 1.23 %
    RATIO = "ratio"  # a dimensionless ratio (Sharpe, profit factor)
    MULTIPLE = "multiple"  # times something (turnover, leverage): 3.2 -> 3.2x
    CURRENCY = "currency"  # the account currency
    SECONDS = "seconds"
    COUNT = "count"
    BPS = "bps"  # basis points, 1e-4


@dataclass(frozen=True)
class MetricInfo:
    key: str
    label: str
    unit: Unit
    meaning: str


METRICS: tuple[MetricInfo, ...] = (
    MetricInfo("total_return", "Total return", Unit.FRACTION, "final / initial equity - 1"),
    MetricInfo("annualized_return", "Annualized return (CAGR)", Unit.FRACTION,
               "total growth compounded to a 365-day year over the run's span"),
    MetricInfo("volatility", "Volatility", Unit.FRACTION, "annualized stdev of interval returns"),
    MetricInfo("sharpe", "Sharpe ratio", Unit.RATIO, "annualized mean / stdev of interval returns, risk-free 0"),
    MetricInfo("sortino", "Sortino ratio", Unit.RATIO,
               "annualized mean / downside deviation (target 0, over all intervals)"),
    MetricInfo("calmar", "Calmar ratio", Unit.RATIO, "annualized return / max drawdown"),
    MetricInfo("max_drawdown", "Max drawdown", Unit.FRACTION, "deepest fall below a running equity peak"),
    MetricInfo("max_drawdown_duration_s", "Max drawdown duration", Unit.SECONDS,
               "longest time below a previous peak (to recovery or to the end)"),
    MetricInfo("best_interval_return", "Best interval return", Unit.FRACTION, "highest single-interval return"),
    MetricInfo("worst_interval_return", "Worst interval return", Unit.FRACTION, "lowest single-interval return"),
    MetricInfo("returns_interval_s", "Returns interval", Unit.SECONDS, "grid step the returns are sampled on"),
    MetricInfo("num_return_intervals", "Return intervals", Unit.COUNT, "returns the statistics use"),
    MetricInfo("initial_equity", "Initial equity", Unit.CURRENCY, "equity at the start"),
    MetricInfo("final_equity", "Final equity", Unit.CURRENCY, "equity at the end"),
    MetricInfo("net_pnl", "Net PnL", Unit.CURRENCY, "final - initial equity"),
    MetricInfo("gross_pnl", "Gross PnL", Unit.CURRENCY, "net PnL before fees and funding"),
    MetricInfo("fees_total", "Fees", Unit.CURRENCY, "sum of fill fees (rebates negative)"),
    MetricInfo("funding_total", "Funding", Unit.CURRENCY, "funding received (+) or paid (-)"),
    MetricInfo("num_trades", "Round trips", Unit.COUNT, "closed round trips (flat to flat)"),
    MetricInfo("num_open_trades", "Open round trips", Unit.COUNT, "round trips still open at the end"),
    MetricInfo("win_rate", "Win rate", Unit.FRACTION, "share of round trips with net PnL > 0"),
    MetricInfo("profit_factor", "Profit factor", Unit.RATIO, "sum of winning / |sum of losing| net PnL"),
    MetricInfo("expectancy", "Expectancy", Unit.CURRENCY, "mean net PnL per round trip"),
    MetricInfo("avg_win", "Average win", Unit.CURRENCY, "mean net PnL of winning round trips"),
    MetricInfo("avg_loss", "Average loss", Unit.CURRENCY, "mean net PnL of losing round trips (negative)"),
    MetricInfo("largest_win", "Largest win", Unit.CURRENCY, "best round trip's net PnL"),
    MetricInfo("largest_loss", "Largest loss", Unit.CURRENCY, "worst round trip's net PnL (negative)"),
    MetricInfo("avg_holding_time_s", "Average holding time", Unit.SECONDS, "mean open-to-close time of round trips"),
    MetricInfo("exposure", "Exposure", Unit.FRACTION, "share of the run with a non-zero position"),
    MetricInfo("turnover", "Turnover", Unit.MULTIPLE, "traded notional / time-weighted mean equity"),
    MetricInfo("avg_equity", "Average equity", Unit.CURRENCY, "time-weighted mean equity"),
    MetricInfo("max_leverage", "Max gross leverage", Unit.MULTIPLE, "highest gross exposure / equity"),
    MetricInfo("slippage_vs_mid", "Slippage vs mid", Unit.BPS,
               "qty-weighted side x (price - decision mid) / mid; positive = cost"),
    MetricInfo("slippage_vs_mid_by_value", "Slippage vs mid (value-weighted)", Unit.BPS,
               "as slippage vs mid, weighted by traded value: comparable across instruments"),
    MetricInfo("fill_ratio", "Fill ratio", Unit.FRACTION, "filled / ordered qty of finished, non-rejected orders"),
    MetricInfo("maker_share", "Maker share", Unit.FRACTION, "maker fill qty / all fill qty"),
    MetricInfo("maker_share_by_value", "Maker share (value)", Unit.FRACTION, "maker traded value / all traded value"),
    MetricInfo("num_fills", "Fills", Unit.COUNT, "fills"),
    MetricInfo("num_orders", "Orders", Unit.COUNT, "orders"),
    MetricInfo("num_rejected_orders", "Rejected orders", Unit.COUNT, "orders the venue or risk checks rejected"),
    MetricInfo("duration_s", "Run duration", Unit.SECONDS, "end - start of the run"),
)

METRIC_KEYS: tuple[str, ...] = tuple(m.key for m in METRICS)
METRICS_BY_KEY: dict[str, MetricInfo] = {m.key: m for m in METRICS}
