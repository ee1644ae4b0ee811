"""report.html: one self-contained page (inline CSS, data and script; nothing fetched) that charts
equity, drawdown, prices with fills and positions, and tables the metrics and round trips.

The page's script and style live in ``assets/``; this module only fills the template.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import pyarrow as pa

from veloz.analytics.atomic_write import write_bytes_atomically
from veloz.analytics.report_data import build_report_data

_PLACEHOLDER = re.compile(r"\{\{(TITLE|NOTICE|CSS|DATA|JS)\}\}")
# In a <script> element nothing but "</script" ends it, and "<!--" can confuse its parsing; JSON
# never needs a literal "<", ">" or "&" (all are legal \u escapes inside JSON strings), and U+2028 /
# U+2029 are escaped too so the text is also a valid JavaScript literal.
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _asset(name: str) -> str:
    text = resources.files("veloz.analytics").joinpath("assets", name).read_text(encoding="utf-8")
    if name != "report.html" and re.search(r"</(script|style)", text, re.IGNORECASE):
        raise ValueError(f"asset {name} would end its inline element early")
    return text


def embed_json(document: Any) -> str:
    """JSON text that is safe inside ``<script type="application/json">`` and parses back to ``document``."""
    text = json.dumps(document, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return re.sub(r"[<>&\u2028\u2029]", lambda match: _SCRIPT_UNSAFE[match.group(0)], text)


def render_report_html(*, equity: pa.Table, fills: pa.Table, orders: pa.Table, positions: pa.Table,
                       metrics: Mapping[str, Any], run_info: Mapping[str, Any],
                       price_series: pa.Table | None = None) -> str:
    """The report page as text; see ``write_report_html``."""
    data = build_report_data(equity=equity, fills=fills, orders=orders, positions=positions, metrics=metrics,
                             run_info=run_info, price_series=price_series)
    stopped = run_info.get("stopped_by_strategy_error")
    # A run the strategy's exception cut short must not pass for a whole one.
    notice = (f'<p id="stopped-notice" class="notice">The run stopped early: {html.escape(str(stopped))}. '
              "Everything below covers the run up to that event.</p>") if stopped else ""
    parts = {"TITLE": html.escape(data["title"]), "NOTICE": notice, "CSS": _asset("report.css"),
             "DATA": embed_json(data), "JS": _asset("report.js")}
    # One pass, so text substituted in (a run name, say) is never itself searched for placeholders.
    return _PLACEHOLDER.sub(lambda match: parts[match.group(1)], _asset("report.html"))


def write_report_html(path: str | os.PathLike[str], *, equity: pa.Table, fills: pa.Table, orders: pa.Table,
                      positions: pa.Table, metrics: Mapping[str, Any], run_info: Mapping[str, Any],
                      price_series: pa.Table | None = None) -> None:
    """Write the report atomically.

    ``run_info`` must hold ``start_ns`` and ``end_ns``; ``name`` (the title) and
    ``account_currency`` are shown when present, and every entry is listed in the page's Run table.
    ``price_series`` (columns ts_ns, instrument, price) draws the price charts; without it they use
    the positions' mark prices, or else the fill prices. Chart lines keep at most
    ``downsample.MAX_POINTS_PER_SERIES`` points each (min/max per time bucket).
    """
    page = render_report_html(equity=equity, fills=fills, orders=orders, positions=positions, metrics=metrics,
                              run_info=run_info, price_series=price_series)
    write_bytes_atomically(path, page.encode("utf-8"))
