/* VeloZ backtest report: draws the embedded data as inline SVG. No libraries, no network.
 *
 * Location hash options, e.g. report.html#range=1723100000000,1723103600000&sort=net_pnl:desc
 *   range=<from_ms>,<to_ms>   open zoomed to that time range (UTC milliseconds)
 *   sort=<column>:<asc|desc>  open with the round trips sorted by that column
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var fullRange = [data.start_ms, Math.max(data.end_ms, data.start_ms + 1)];
  var range = fullRange.slice();
  var charts = [];

  // ---- formatting -------------------------------------------------------------------------

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  function formatTime(ms) {
    if (ms === null || ms === undefined) return "n/a";
    var d = new Date(ms);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1, 2) + "-" + pad(d.getUTCDate(), 2) + " " +
      pad(d.getUTCHours(), 2) + ":" + pad(d.getUTCMinutes(), 2) + ":" + pad(d.getUTCSeconds(), 2) + "." +
      pad(d.getUTCMilliseconds(), 3);
  }

  function groupThousands(text) {
    var parts = text.split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return parts.join(".");
  }

  // Up to 6 significant digits, thousands grouped; no locale, so every browser shows the same text.
  function formatNumber(v) {
    if (v === null || v === undefined) return "n/a";
    var a = Math.abs(v);
    if (a >= 1e15) return v.toExponential(4);
    if (a >= 1000) return groupThousands(v.toFixed(2));
    if (a === 0) return "0";
    if (a < 1e-4) return v.toExponential(3);
    return String(Number(v.toPrecision(6)));
  }

  function formatDuration(seconds) {
    if (seconds === null || seconds === undefined) return "n/a";
    if (Math.abs(seconds) < 60) return String(Number(seconds.toFixed(3))) + " s";
    var s = Math.round(seconds);
    var days = Math.floor(s / 86400);
    var rest = s - days * 86400;
    var hms = pad(Math.floor(rest / 3600), 2) + ":" + pad(Math.floor((rest % 3600) / 60), 2) + ":" + pad(rest % 60, 2);
    return (days ? days + "d " : "") + hms;
  }

  function formatMetric(value, unit) {
    if (value === null || value === undefined) return "n/a";
    switch (unit) {
      case "fraction": return (value * 100).toFixed(2) + " %";
      case "ratio": return value.toFixed(3);
      case "multiple": return value.toFixed(2) + "x";
      case "currency": return formatNumber(value) + (data.currency ? " " + data.currency : "");
      case "seconds": return formatDuration(value);
      case "count": return groupThousands(String(value));
      case "bps": return value.toFixed(2) + " bps";
      default: return typeof value === "number" ? formatNumber(value) : String(value);
    }
  }

  // ---- scales and ticks -------------------------------------------------------------------

  function niceStep(span, count) {
    var raw = span / Math.max(count, 1);
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * power >= raw) return steps[i] * power;
    }
    return 10 * power;
  }

  function valueTicks(lo, hi, count) {
    var step = niceStep(hi - lo, count);
    var ticks = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(v);
    return ticks;
  }

  var TIME_STEPS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 15e3, 3e4, 6e4, 12e4, 3e5, 6e5,
    9e5, 18e5, 36e5, 72e5, 108e5, 216e5, 432e5, 864e5, 1728e5, 6048e5, 2592e6, 7776e6, 31536e6];

  function timeTicks(lo, hi, count) {
    var step = TIME_STEPS_MS[TIME_STEPS_MS.length - 1];
    for (var i = 0; i < TIME_STEPS_MS.length; i++) {
      if ((hi - lo) / TIME_STEPS_MS[i] <= count) { step = TIME_STEPS_MS[i]; break; }
    }
    var ticks = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
    return { ticks: ticks, step: step };
  }

  function timeTickLabel(ms, step) {
    var text = formatTime(ms); // YYYY-MM-DD HH:MM:SS.mmm
    if (step >= 864e5) return text.slice(0, 10);
    if (step >= 6e4) return text.slice(11, 16);
    if (step >= 1e3) return text.slice(11, 19);
    return text.slice(17, 23);
  }

  // First index i with t[i] >= x (t sorted).
  function lowerBound(t, x) {
    var lo = 0, hi = t.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (t[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function nearestIndex(t, x) {
    var i = lowerBound(t, x);
    if (i >= t.length) return t.length - 1;
    if (i > 0 && x - t[i - 1] <= t[i] - x) return i - 1;
    return i;
  }

  // The value in force at x for a step line: the last sample at or before x.
  function stepIndex(t, x) {
    return Math.max(lowerBound(t, x + 1e-9) - 1, 0);
  }

  // ---- charts -----------------------------------------------------------------------------

  var MARGIN = { left: 78, right: 14, top: 8, bottom: 24 };
  var HOVER_RADIUS_PX = 8;

  function Chart(spec) {
    this.spec = spec;
    var figure = document.createElement("figure");
    figure.className = "chart";
    figure.id = "chart-" + spec.id;
    var note = spec.note ? ' <span class="muted">' + escapeHtml(spec.note) + "</span>" : "";
    figure.innerHTML = "<figcaption>" + escapeHtml(spec.title) + note + "</figcaption>" +
      '<div class="plot"><div class="svg-holder"></div><div class="tooltip" hidden></div></div>';
    document.getElementById("chart-list").appendChild(figure);
    this.plot = figure.querySelector(".plot");
    this.holder = figure.querySelector(".svg-holder");
    this.tooltip = figure.querySelector(".tooltip");
    this.dragFrom = null;
    this.listen();
  }

  Chart.prototype.layout = function () {
    var width = Math.max(this.plot.clientWidth || 0, 320);
    var height = this.spec.height || 200;
    return {
      width: width, height: height,
      x0: MARGIN.left, x1: width - MARGIN.right, y0: MARGIN.top, y1: height - MARGIN.bottom
    };
  };

  Chart.prototype.xOf = function (t) {
    var g = this.geometry;
    return g.x0 + (t - range[0]) / (range[1] - range[0]) * (g.x1 - g.x0);
  };

  Chart.prototype.tOf = function (x) {
    var g = this.geometry;
    return range[0] + (x - g.x0) / (g.x1 - g.x0) * (range[1] - range[0]);
  };

  Chart.prototype.yOf = function (v) {
    var g = this.geometry;
    return g.y1 - (v - this.yRange[0]) / (this.yRange[1] - this.yRange[0]) * (g.y1 - g.y0);
  };

  // Indices of a line's samples drawn in the current range, one beyond each edge so it meets the frame.
  function visibleSpan(t) {
    var first = Math.max(lowerBound(t, range[0]) - 1, 0);
    var last = Math.min(lowerBound(t, range[1] + 1e-9), t.length - 1);
    return [first, last];
  }

  Chart.prototype.valueRange = function () {
    var lo = Infinity, hi = -Infinity;
    this.spec.lines.forEach(function (line) {
      if (!line.t.length) return;
      var span = visibleSpan(line.t);
      for (var i = span[0]; i <= span[1]; i++) {
        var v = line.v[i];
        if (v === null) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    });
    var markers = this.spec.markers;
    if (markers) {
      for (var i = lowerBound(markers.t, range[0]); i < markers.t.length && markers.t[i] <= range[1]; i++) {
        if (markers.price[i] < lo) lo = markers.price[i];
        if (markers.price[i] > hi) hi = markers.price[i];
      }
    }
    if (this.spec.zeroLine) { lo = Math.min(lo, 0); hi = Math.max(hi, 0); }
    if (lo === Infinity) return [0, 1];
    if (lo === hi) {
      var half = Math.abs(lo) * 0.01 || 1;
      return [lo - half, hi + half];
    }
    var margin = (hi - lo) * 0.06;
    return [lo - margin, hi + margin];
  };

  Chart.prototype.linePath = function (line) {
    if (!line.t.length) return "";
    var span = visibleSpan(line.t);
    var parts = [];
    var drawing = false;
    for (var i = span[0]; i <= span[1]; i++) {
      if (line.v[i] === null) { drawing = false; continue; }
      var x = this.xOf(line.t[i]).toFixed(1), y = this.yOf(line.v[i]).toFixed(1);
      if (!drawing) parts.push("M" + x + " " + y);
      else if (line.step) parts.push("H" + x + "V" + y);
      else parts.push("L" + x + " " + y);
      drawing = true;
    }
    if (line.step && drawing) parts.push("H" + this.xOf(Math.min(range[1], fullRange[1])).toFixed(1));
    return parts.join("");
  };

  Chart.prototype.markerPaths = function () {
    var markers = this.spec.markers;
    var buys = [], sells = [];
    for (var i = lowerBound(markers.t, range[0]); i < markers.t.length && markers.t[i] <= range[1]; i++) {
      var x = this.xOf(markers.t[i]).toFixed(1), y = this.yOf(markers.price[i]).toFixed(1);
      // Buys point up from below the price, sells down from above it; the tip is the fill price.
      if (markers.side[i] > 0) buys.push("M" + x + " " + y + "l-4 8h8z");
      else sells.push("M" + x + " " + y + "l-4 -8h8z");
    }
    return { buy: buys.join(""), sell: sells.join("") };
  };

  Chart.prototype.render = function () {
    var g = this.geometry = this.layout();
    this.yRange = this.valueRange();
    var self = this, spec = this.spec;
    var clipId = "clip-" + spec.id;
    var svg = ['<svg width="' + g.width + '" height="' + g.height + '" viewBox="0 0 ' + g.width + " " + g.height + '">',
      '<defs><clipPath id="' + clipId + '"><rect x="' + g.x0 + '" y="' + g.y0 + '" width="' + (g.x1 - g.x0) +
      '" height="' + (g.y1 - g.y0) + '"></rect></clipPath></defs>', '<g class="grid axis">'];
    valueTicks(this.yRange[0], this.yRange[1], Math.max(3, Math.floor((g.y1 - g.y0) / 36))).forEach(function (v) {
      var y = self.yOf(v).toFixed(1);
      svg.push('<line x1="' + g.x0 + '" x2="' + g.x1 + '" y1="' + y + '" y2="' + y + '"></line>');
      svg.push('<text x="' + (g.x0 - 6) + '" y="' + y + '" dy="0.32em" text-anchor="end">' +
        escapeHtml(spec.tickFormat(v)) + "</text>");
    });
    var time = timeTicks(range[0], range[1], Math.max(2, Math.floor((g.x1 - g.x0) / 110)));
    time.ticks.forEach(function (t) {
      var x = self.xOf(t).toFixed(1);
      svg.push('<line x1="' + x + '" x2="' + x + '" y1="' + g.y0 + '" y2="' + g.y1 + '"></line>');
      svg.push('<text x="' + x + '" y="' + (g.y1 + 15) + '" text-anchor="middle">' +
        escapeHtml(timeTickLabel(t, time.step)) + "</text>");
    });
    svg.push("</g>");
    if (spec.zeroLine) {
      var zero = this.yOf(0).toFixed(1);
      svg.push('<line class="zero-line" x1="' + g.x0 + '" x2="' + g.x1 + '" y1="' + zero + '" y2="' + zero +
        '"></line>');
    }
    svg.push('<g clip-path="url(#' + clipId + ')">');
    spec.lines.forEach(function (line) {
      svg.push('<path class="series-line ' + line.cls + '" d="' + self.linePath(line) + '"></path>');
    });
    if (spec.markers) {
      var paths = this.markerPaths();
      svg.push('<path class="markers buy" d="' + paths.buy + '"></path>');
      svg.push('<path class="markers sell" d="' + paths.sell + '"></path>');
    }
    svg.push("</g>");
    svg.push('<rect class="frame" x="' + g.x0 + '" y="' + g.y0 + '" width="' + (g.x1 - g.x0) + '" height="' +
      (g.y1 - g.y0) + '"></rect>');
    svg.push('<line class="crosshair" visibility="hidden" y1="' + g.y0 + '" y2="' + g.y1 + '"></line>');
    svg.push('<circle class="hover-dot" r="3.5" visibility="hidden"></circle>');
    svg.push('<rect class="brush" visibility="hidden" y="' + g.y0 + '" height="' + (g.y1 - g.y0) + '"></rect>');
    svg.push("</svg>");
    this.holder.innerHTML = svg.join("");
    this.svg = this.holder.firstChild;
  };

  Chart.prototype.pointerX = function (event) {
    return event.clientX - this.svg.getBoundingClientRect().left;
  };

  Chart.prototype.nearestMarker = function (x, y) {
    var markers = this.spec.markers;
    if (!markers) return -1;
    var best = -1, bestDistance = HOVER_RADIUS_PX;
    var from = lowerBound(markers.t, this.tOf(x - HOVER_RADIUS_PX));
    for (var i = from; i < markers.t.length && markers.t[i] <= this.tOf(x + HOVER_RADIUS_PX); i++) {
      var distance = Math.hypot(this.xOf(markers.t[i]) - x, this.yOf(markers.price[i]) - y);
      if (distance <= bestDistance) { best = i; bestDistance = distance; }
    }
    return best;
  };

  Chart.prototype.hover = function (event) {
    var x = this.pointerX(event);
    var y = event.clientY - this.svg.getBoundingClientRect().top;
    var g = this.geometry;
    if (x < g.x0 || x > g.x1) { this.hideHover(); return; }
    var t = this.tOf(x);
    var spec = this.spec;
    var lines = [];
    var dot = null;
    spec.lines.forEach(function (line) {
      if (!line.t.length) return;
      var i = line.step ? stepIndex(line.t, t) : nearestIndex(line.t, t);
      if (line.v[i] === null) return;
      lines.push(line.name + ": " + spec.valueFormat(line.v[i]));
      // A sampled line shows its nearest sample and that sample's time; a step line the value in force.
      if (dot === null) dot = [line.step ? t : line.t[i], line.v[i]];
    });
    lines.unshift(formatTime(Math.round(dot ? dot[0] : t)) + " UTC");
    var marker = this.nearestMarker(x, y);
    if (marker >= 0) {
      var m = spec.markers;
      lines.push((m.side[marker] > 0 ? "BUY " : "SELL ") + formatNumber(m.qty[marker]) + " @ " +
        formatNumber(m.price[marker]) + " at " + formatTime(m.t[marker]));
    }
    var crosshair = this.svg.querySelector(".crosshair");
    var dotElement = this.svg.querySelector(".hover-dot");
    crosshair.setAttribute("x1", x); crosshair.setAttribute("x2", x);
    crosshair.setAttribute("visibility", "visible");
    if (dot) {
      dotElement.setAttribute("cx", this.xOf(dot[0]).toFixed(1));
      dotElement.setAttribute("cy", this.yOf(dot[1]).toFixed(1));
      dotElement.setAttribute("visibility", "visible");
    }
    this.tooltip.innerHTML = lines.map(escapeHtml).join("<br>");
    this.tooltip.hidden = false;
    var left = x + 14;
    if (left + this.tooltip.offsetWidth > g.width) left = x - 14 - this.tooltip.offsetWidth;
    this.tooltip.style.left = Math.max(0, left) + "px";
    this.tooltip.style.top = Math.max(0, y - 10) + "px";
  };

  Chart.prototype.hideHover = function () {
    this.tooltip.hidden = true;
    if (!this.svg) return;
    this.svg.querySelector(".crosshair").setAttribute("visibility", "hidden");
    this.svg.querySelector(".hover-dot").setAttribute("visibility", "hidden");
  };

  Chart.prototype.showBrush = function (x) {
    var g = this.geometry;
    var a = Math.max(g.x0, Math.min(this.dragFrom, x)), b = Math.min(g.x1, Math.max(this.dragFrom, x));
    var brush = this.svg.querySelector(".brush");
    brush.setAttribute("x", a); brush.setAttribute("width", Math.max(0, b - a));
    brush.setAttribute("visibility", "visible");
  };

  Chart.prototype.listen = function () {
    var self = this;
    this.plot.addEventListener("mousedown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault(); // no text selection while dragging
      self.dragFrom = self.pointerX(event);
    });
    this.plot.addEventListener("mousemove", function (event) {
      if (self.dragFrom !== null) { self.hideHover(); self.showBrush(self.pointerX(event)); }
      else self.hover(event);
    });
    this.plot.addEventListener("mouseleave", function () {
      self.hideHover();
      if (self.dragFrom !== null) { self.dragFrom = null; self.render(); }
    });
    this.plot.addEventListener("mouseup", function (event) {
      if (self.dragFrom === null) return;
      var x = self.pointerX(event), from = self.dragFrom;
      self.dragFrom = null;
      if (Math.abs(x - from) < 4) { self.render(); return; } // a click, not a drag
      var g = self.geometry;
      setRange(self.tOf(Math.max(g.x0, Math.min(from, x))), self.tOf(Math.min(g.x1, Math.max(from, x))));
    });
    this.plot.addEventListener("dblclick", function () { setRange(fullRange[0], fullRange[1]); });
  };

  function renderCharts() {
    charts.forEach(function (chart) { chart.render(); });
    var label = document.getElementById("range-label");
    var zoomed = range[0] > fullRange[0] || range[1] < fullRange[1];
    label.textContent = zoomed ? "Showing " + formatTime(range[0]) + " to " + formatTime(range[1]) + " UTC." : "";
  }

  function setRange(from, to) {
    from = Math.max(fullRange[0], from);
    to = Math.min(fullRange[1], to);
    if (!(to - from >= 1)) return; // under a millisecond: nothing left to show
    range = [from, to];
    renderCharts();
  }

  function percentTick(v) { return (v * 100).toFixed(Math.abs(v) < 0.01 && v !== 0 ? 2 : 1) + " %"; }
  function percentValue(v) { return (v * 100).toFixed(3) + " %"; }

  function buildCharts() {
    var equity = data.equity;
    charts.push(new Chart({
      id: "equity", title: "Equity" + (data.currency ? " (" + data.currency + ")" : ""), height: 240,
      lines: [{ name: "equity", cls: "equity", t: equity.t, v: equity.v }],
      tickFormat: formatNumber, valueFormat: formatNumber,
      note: equity.points > equity.t.length ? "(" + groupThousands(String(equity.t.length)) + " of " +
        groupThousands(String(equity.points)) + " samples: lowest and highest per time bucket)" : ""
    }));
    charts.push(new Chart({
      id: "drawdown", title: "Drawdown from the running peak", height: 160, zeroLine: true,
      lines: [{ name: "drawdown", cls: "drawdown", t: data.drawdown.t, v: data.drawdown.v }],
      tickFormat: percentTick, valueFormat: percentValue
    }));
    data.instruments.forEach(function (instrument, n) {
      var fills = instrument.fills;
      var notes = ["line: " + instrument.price_source];
      if (fills.shown < fills.total) {
        notes.push(groupThousands(String(fills.shown)) + " of " + groupThousands(String(fills.total)) +
          " fills marked, evenly spaced");
      }
      charts.push(new Chart({
        id: "price-" + n, title: instrument.name + " price, fills (\u25B2 buy, \u25BC sell)", height: 240,
        note: "(" + notes.join("; ") + ")",
        lines: [{ name: "price", cls: "price", t: instrument.price.t, v: instrument.price.v }],
        markers: { t: fills.t, price: fills.price, side: fills.side, qty: fills.qty },
        tickFormat: formatNumber, valueFormat: formatNumber
      }));
      charts.push(new Chart({
        id: "position-" + n, title: instrument.name + " position", height: 140, zeroLine: true,
        lines: [{ name: "position", cls: "position", t: instrument.position.t, v: instrument.position.v, step: true }],
        tickFormat: formatNumber, valueFormat: formatNumber
      }));
    });
    document.getElementById("reset-zoom").addEventListener("click", function () {
      setRange(fullRange[0], fullRange[1]);
    });
    window.addEventListener("resize", renderCharts);
  }

  // ---- tables -----------------------------------------------------------------------------

  function buildMetricsTable() {
    var rows = data.metrics.map(function (m) {
      return '<tr data-key="' + escapeHtml(m.key) + '"><th scope="row">' + escapeHtml(m.label) + "</th>" +
        '<td class="num">' + escapeHtml(formatMetric(m.value, m.unit)) + "</td>" +
        '<td class="meaning">' + escapeHtml(m.meaning) + "</td></tr>";
    });
    document.querySelector("#metrics-table tbody").innerHTML = rows.join("");
  }

  function buildRunTable() {
    var run = data.run, rows = [];
    Object.keys(run).sort().forEach(function (key) {
      var value = run[key];
      var text = typeof value === "object" && value !== null ? JSON.stringify(value, null, 1) : String(value);
      rows.push('<tr><th scope="row">' + escapeHtml(key) + "</th><td>" + escapeHtml(text) + "</td></tr>");
    });
    document.querySelector("#run-table tbody").innerHTML = rows.join("");
    var summary = formatTime(data.start_ms) + " to " + formatTime(data.end_ms) + " UTC (" +
      formatDuration((data.end_ms - data.start_ms) / 1000) + ")";
    if (data.currency) summary += ", account currency " + data.currency;
    if (data.instruments.length) summary += ", " + data.instruments.map(function (i) { return i.name; }).join(", ");
    document.getElementById("run-summary").textContent = summary;
  }

  function buildOrdersTable() {
    var rows = [];
    [["status", "By status"], ["order_type", "By type"]].forEach(function (group) {
      var counts = data.orders[group[0]];
      var text = Object.keys(counts).map(function (name) { return name + ": " + counts[name]; }).join(", ");
      rows.push('<tr><th scope="row">' + group[1] + "</th><td>" + escapeHtml(text || "none") + "</td></tr>");
    });
    document.querySelector("#orders-table tbody").innerHTML = rows.join("");
  }

  var TRADE_COLUMNS = [
    { key: "id", label: "#", num: true, format: String },
    { key: "instrument", label: "Instrument", format: String },
    { key: "direction", label: "Side", format: String },
    { key: "open_ms", label: "Opened (UTC)", format: formatTime },
    { key: "close_ms", label: "Closed (UTC)", format: formatTime, whenNull: "still open" },
    { key: "holding_s", label: "Held", num: true, format: formatDuration },
    { key: "max_position", label: "Max position", num: true, format: formatNumber },
    { key: "entry_price", label: "Entry", num: true, format: formatNumber },
    { key: "exit_price", label: "Exit", num: true, format: formatNumber },
    { key: "gross_pnl", label: "Gross PnL", num: true, format: formatNumber },
    { key: "fees", label: "Fees", num: true, format: formatNumber },
    { key: "net_pnl", label: "Net PnL", num: true, pnl: true, format: formatNumber }
  ];
  var tradeSort = { key: "id", descending: false };

  function compareCells(a, b) {
    if (a === b) return 0;
    if (a === null) return 1; // empty cells last, whichever the direction
    if (b === null) return -1;
    return a < b ? -1 : 1;
  }

  function renderTrades() {
    var trades = data.trades;
    var index = trades.columns.indexOf(tradeSort.key);
    var idIndex = trades.columns.indexOf("id");
    var netIndex = trades.columns.indexOf("net_pnl");
    var sign = tradeSort.descending ? -1 : 1;
    var rows = trades.rows.slice().sort(function (a, b) {
      if (a[index] === null || b[index] === null) return compareCells(a[index], b[index]) || a[idIndex] - b[idIndex];
      return sign * compareCells(a[index], b[index]) || a[idIndex] - b[idIndex];
    });
    var html = rows.map(function (row) {
      var net = row[netIndex];
      var cls = net > 0 ? "win" : net < 0 ? "loss" : "";
      return '<tr class="' + cls + '">' + TRADE_COLUMNS.map(function (column) {
        var value = row[trades.columns.indexOf(column.key)];
        var classes = (column.num ? "num" : "") + (column.pnl ? " pnl" : "");
        var text = value === null ? column.whenNull || "" : column.format(value);
        return '<td class="' + classes + '">' + escapeHtml(text) + "</td>";
      }).join("") + "</tr>";
    });
    document.querySelector("#trades-table tbody").innerHTML = html.join("");
    Array.prototype.forEach.call(document.querySelectorAll("#trades-table thead th"), function (th) {
      if (th.dataset.key !== tradeSort.key) th.removeAttribute("aria-sort");
      else th.setAttribute("aria-sort", tradeSort.descending ? "descending" : "ascending");
    });
  }

  function sortTrades(key, descending) {
    if (data.trades.columns.indexOf(key) < 0) return;
    tradeSort = { key: key, descending: descending };
    renderTrades();
  }

  function buildTradesTable() {
    var head = "<tr>" + TRADE_COLUMNS.map(function (column) {
      return '<th scope="col" data-key="' + column.key + '" class="' + (column.num ? "num" : "") + '" title="Sort">' +
        escapeHtml(column.label) + "</th>";
    }).join("") + "</tr>";
    var thead = document.querySelector("#trades-table thead");
    thead.innerHTML = head;
    thead.addEventListener("click", function (event) {
      var th = event.target.closest("th");
      if (!th) return;
      var key = th.dataset.key;
      sortTrades(key, key === tradeSort.key ? !tradeSort.descending : false);
    });
    var trades = data.trades;
    var caption = trades.total === 1 ? "1 round trip" : trades.total + " round trips";
    if (trades.rows.length < trades.total) {
      caption += ": showing the " + trades.rows.length + " with the largest |net PnL|";
    }
    document.getElementById("trades-caption").textContent = caption +
      ". PnL is realized, before funding; click a column to sort.";
    renderTrades();
  }

  // ---- location hash ----------------------------------------------------------------------

  function applyHash() {
    var options = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) options[decodeURIComponent(pair.slice(0, at))] = decodeURIComponent(pair.slice(at + 1));
    });
    if (options.range) {
      var ends = options.range.split(",").map(Number);
      if (ends.length === 2 && isFinite(ends[0]) && isFinite(ends[1])) setRange(ends[0], ends[1]);
    }
    if (options.sort) {
      var parts = options.sort.split(":");
      sortTrades(parts[0], parts[1] === "desc");
    }
  }

  buildRunTable();
  buildMetricsTable();
  buildTradesTable();
  buildOrdersTable();
  buildCharts();
  renderCharts();
  applyHash();
  window.addEventListener("hashchange", applyHash);
  document.body.dataset.rendered = "ok";
})();
