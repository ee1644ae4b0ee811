"""Backtest analytics: metrics.json and report.html from the engine's output tables."""

from veloz.analytics.metrics import compute_metrics
from veloz.analytics.metrics_json import write_metrics_json
from veloz.analytics.report import write_report_html
from veloz.analytics.round_trips import RoundTrip, round_trips

__all__ = ["RoundTrip", "compute_metrics", "round_trips", "write_metrics_json", "write_report_html"]
