"""report.html in a real browser: headless Chromium, no network, runs the page's script and we read
back the DOM it built. Chromium must be installed (CI installs it); a missing one fails the test."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from test_metrics_builders import Fill, Order, equity_table, fills_table, orders_table, positions_table

from veloz.analytics import compute_metrics, round_trips, write_report_html
from veloz.analytics.catalog import METRIC_KEYS

CHROMIUM = Path("/usr/bin/chromium")
S = 1_000_000_000
START = 1_723_075_200 * S  # 2024-08-08 00:00 UTC
END = START + 600 * S


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    ancestors: list[Element]
    text: list[str] = field(default_factory=list)

    def inside(self, tag: str, element_id: str | None = None) -> bool:
        return any(a.tag == tag and (element_id is None or a.attrs.get("id") == element_id) for a in self.ancestors)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class DomCollector(HTMLParser):
    """Every element of a serialized DOM with its ancestors and its own text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.stack: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, list(self.stack))
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1].text.append(data)

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())]


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: the report's browser test needs it. Install it with "
                    "`apt-get install -y chromium` (Debian/Ubuntu package; CI installs it before the tests).")
    return CHROMIUM


def render(chromium: Path, page: Path, tmp_path: Path, fragment: str = "") -> DomCollector:
    """The DOM after the page's scripts ran, from a Chromium that cannot reach any network."""
    result = subprocess.run(
        [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
         # Any host name fails to resolve: a page that tried to fetch something would not get it.
         "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={tmp_path / 'chromium-profile'}",
         "--window-size=1280,2000", "--dump-dom", page.as_uri() + fragment],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = DomCollector()
    dom.feed(result.stdout)
    return dom


def rendered_marker(dom: DomCollector) -> str:
    (body,) = dom.find("body")
    return body.attrs.get("data-rendered", "<not set: the report script did not finish>")


def two_instrument_run() -> dict[str, Any]:
    equity = equity_table([START + i * 60 * S for i in range(11)],
                          [1000, 1004, 998, 1010, 1007, 1015, 1012, 1003, 1009, 1020, 1018])
    fills = fills_table([
        Fill(START + 30 * S, +1, 0.02, 60_000.0, 0.02, fee=0.48, decision_mid=59_999.0, is_maker=True),
        Fill(START + 150 * S, -1, 0.01, 60_300.0, 0.01, fee=0.24, realized_pnl=3.0, decision_mid=60_301.0),
        Fill(START + 200 * S, -1, 0.03, 60_200.0, -0.02, fee=0.72, realized_pnl=2.0, decision_mid=60_200.5),
        Fill(START + 320 * S, +1, 0.02, 60_100.0, 0.0, fee=0.48, realized_pnl=2.0, decision_mid=60_101.0),
        Fill(START + 100 * S, -1, 1.0, 3_000.0, -1.0, fee=1.2, instrument="ETHUSDT", decision_mid=3_000.5),
        Fill(START + 400 * S, +1, 1.0, 3_010.0, 0.0, fee=1.2, realized_pnl=-10.0, instrument="ETHUSDT"),
        Fill(START + 500 * S, +1, 0.5, 3_005.0, 0.5, fee=0.6, instrument="ETHUSDT", decision_mid=3_004.0),
    ])
    orders = orders_table([Order("FILLED", 0.02, 0.02), Order("CANCELED", 0.05, 0.04), Order("REJECTED", 1.0, 0.0)])
    btc_prices = pa.table({"ts_ns": pa.array([START + i * 10 * S for i in range(61)], pa.int64()),
                           "instrument": ["BTCUSDT"] * 61,
                           "price": [60_000.0 + 300 * ((i % 20) / 20) for i in range(61)]})
    positions = positions_table([START + i * 60 * S for i in range(11)], [0.0] * 11,
                                [3_000.0 + i for i in range(11)], instrument="ETHUSDT")
    metrics = compute_metrics(equity, fills, orders, start_ns=START, end_ns=END)
    return {"equity": equity, "fills": fills, "orders": orders, "positions": positions, "metrics": metrics,
            "price_series": btc_prices,
            "run_info": {"name": "browser test", "start_ns": START, "end_ns": END, "account_currency": "USDT",
                         "instruments": ["BTCUSDT", "ETHUSDT"], "parameters": {"quote_size": 0.01}}}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report_html(path, **two_instrument_run())
    return path


@pytest.fixture(scope="module")
def dom(chromium: Path, report: Path, tmp_path_factory: pytest.TempPathFactory) -> DomCollector:
    """The report as first opened (one browser run shared by the tests that only read it)."""
    return render(chromium, report, tmp_path_factory.mktemp("browser"))


def cells(dom: DomCollector, row: Element) -> list[str]:
    return ["".join(c.text) for c in dom.elements if c.tag == "td" and c.ancestors[-1] is row]


def test_charts_and_tables_are_drawn(dom: DomCollector) -> None:
    assert rendered_marker(dom) == "ok"
    lines = [e for e in dom.find("path") if "series-line" in e.classes]
    drawn = {(" ".join(sorted(e.classes - {"series-line"})), e.ancestors[-1].attrs["clip-path"]) for e in lines}
    # Equity, drawdown, and a price and a position chart per instrument.
    assert drawn == {("equity", "url(#clip-equity)"), ("drawdown", "url(#clip-drawdown)"),
                     ("price", "url(#clip-price-0)"), ("position", "url(#clip-position-0)"),
                     ("price", "url(#clip-price-1)"), ("position", "url(#clip-position-1)")}
    for line in lines:
        assert line.attrs["d"].startswith("M") and len(line.attrs["d"]) > 10, line.attrs
    markers = [e for e in dom.find("path") if "markers" in e.classes]
    assert len(markers) == 4  # buys and sells on each price chart
    assert all(m.attrs["d"].startswith("M") for m in markers)
    # Axes carry labels: times along the bottom, values up the side.
    labels = ["".join(e.text) for e in dom.find("text")]
    assert "00:05" in labels and "1,010.00" in labels


def test_metrics_table_has_a_row_per_metric(dom: DomCollector) -> None:
    rows = [e for e in dom.find("tr") if e.inside("table", "metrics-table")]
    assert [r.attrs["data-key"] for r in rows] == list(METRIC_KEYS)
    values = {r.attrs["data-key"]: cells(dom, r)[0] for r in rows}
    assert values["num_trades"] == "3" and values["num_rejected_orders"] == "1" and values["calmar"] == "n/a"
    assert values["total_return"] == "1.80 %" and values["fees_total"].endswith(" USDT")


def trade_rows(dom: DomCollector) -> list[list[str]]:
    return [cells(dom, e) for e in dom.find("tr") if e.inside("tbody") and e.inside("table", "trades-table")]


def test_trades_table_lists_every_round_trip_and_sorts(chromium: Path, report: Path, dom: DomCollector,
                                                       tmp_path: Path) -> None:
    trips = round_trips(two_instrument_run()["fills"])
    rows = trade_rows(dom)
    assert len(rows) == len(trips) == 4
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]  # trip order by default
    assert rows[3][4] == "still open"
    # The sort a click on "Net PnL" applies, asked for through the page's #sort= option.
    dom = render(chromium, report, tmp_path, "#sort=net_pnl:desc")
    assert rendered_marker(dom) == "ok"
    by_net = sorted(range(4), key=lambda i: -trips[i].net_pnl)
    assert [r[0] for r in trade_rows(dom)] == [str(i + 1) for i in by_net]
    (header,) = [e for e in dom.find("th", **{"data-key": "net_pnl"})]
    assert header.attrs["aria-sort"] == "descending"


def test_a_time_range_zooms_every_chart(chromium: Path, report: Path, dom: DomCollector, tmp_path: Path) -> None:
    from_ms, to_ms = (START + 120 * S) // 1_000_000, (START + 240 * S) // 1_000_000
    zoomed = render(chromium, report, tmp_path, f"#range={from_ms},{to_ms}")
    assert rendered_marker(zoomed) == "ok"
    (label,) = zoomed.find("span", id="range-label")
    assert "".join(label.text) == "Showing 2024-08-08 00:02:00.000 to 2024-08-08 00:04:00.000 UTC."

    def equity_path(dom: DomCollector) -> str:
        return next(e.attrs["d"] for e in dom.find("path") if "equity" in e.classes)

    # Zoomed to 2 of 10 minutes, the equity line draws only the samples near that window.
    assert equity_path(zoomed).count("L") < equity_path(dom).count("L")


def test_a_script_error_is_reported_on_the_page(chromium: Path, report: Path, tmp_path: Path) -> None:
    # Proves the "ok" the other tests see can fail: a broken data block stops the script.
    broken = tmp_path / "broken.html"
    page = report.read_text()
    start = page.index('id="report-data">') + len('id="report-data">')
    broken.write_text(page[:start] + "{not json" + page[start:])
    marker = rendered_marker(render(chromium, broken, tmp_path))
    assert marker.startswith("error: ") and "JSON" in marker


# Appended to a copy of the report: drives the page with the mouse events a user would cause and
# writes what the page did into <body data-interaction>, which --dump-dom then shows us.
INTERACTION_DRIVER = """
<script>
(function () {
  var seen = {};
  try {
    var plot = document.querySelector("#chart-equity .plot");
    var box = plot.querySelector("svg").getBoundingClientRect();
    var fire = function (type, x) {
      plot.dispatchEvent(new MouseEvent(type, {clientX: box.left + x, clientY: box.top + 60, bubbles: true}));
    };
    fire("mousemove", box.width / 2);
    var tooltip = document.querySelector("#chart-equity .tooltip");
    seen.tooltip = tooltip.hidden ? "" : tooltip.innerHTML;
    var before = document.querySelector("#chart-equity path.equity").getAttribute("d");
    fire("mousedown", box.width * 0.3); fire("mousemove", box.width * 0.6); fire("mouseup", box.width * 0.6);
    seen.range = document.getElementById("range-label").textContent;
    seen.zoomedDrawing = document.querySelector("#chart-equity path.equity").getAttribute("d") !== before;
    plot.dispatchEvent(new MouseEvent("dblclick", {bubbles: true}));
    seen.rangeAfterDoubleClick = document.getElementById("range-label").textContent;
    var header = document.querySelector('#trades-table th[data-key="net_pnl"]');
    header.click();
    seen.firstAscending = document.querySelector("#trades-table tbody td").textContent;
    header.click();
    seen.firstDescending = document.querySelector("#trades-table tbody td").textContent;
    seen.sort = header.getAttribute("aria-sort");
  } catch (error) {
    seen.error = String(error);
  }
  document.body.dataset.interaction = JSON.stringify(seen);
})();
</script>
</body>"""


def test_hover_drag_zoom_and_header_clicks(chromium: Path, report: Path, tmp_path: Path) -> None:
    driven = tmp_path / "driven.html"
    driven.write_text(report.read_text().replace("</body>", INTERACTION_DRIVER))
    dom = render(chromium, driven, tmp_path)
    assert rendered_marker(dom) == "ok"
    (body,) = dom.find("body")
    seen = json.loads(body.attrs["data-interaction"])
    assert "error" not in seen
    # Hovering mid-chart (5 of 10 minutes) shows the sample nearest the pointer: its time and equity.
    assert seen["tooltip"] == "2024-08-08 00:05:00.000 UTC<br>equity: 1,015.00"
    assert seen["range"].startswith("Showing 2024-08-08 00:0") and seen["zoomedDrawing"]
    assert seen["rangeAfterDoubleClick"] == ""
    trips = round_trips(two_instrument_run()["fills"])
    by_net = sorted(range(len(trips)), key=lambda i: trips[i].net_pnl)
    assert (seen["firstAscending"], seen["firstDescending"]) == (str(by_net[0] + 1), str(by_net[-1] + 1))
    assert seen["sort"] == "descending"
