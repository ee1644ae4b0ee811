"""Data-quality checks over a catalog range (or any canonical table), streaming batch by batch.

    report = check_series(catalog, "binance", "usdm", "BTCUSDT", "trades")
    report.failed                       # any finding with a count
    report.findings                     # one Finding per check: count, unit, first examples

The checks, per data type (depth is described in ``checks_depth``):

* gaps (trades, agg_trades): an id more than one above the highest before it; for agg_trades
  also a first_trade_id more than one above the previous aggregate's last_trade_id.
* duplicates: a row identical to the previous one; an id equal to the highest before it.
* out_of_order: ts_ns going backwards; an id below one already seen.
* crossed (book_ticker): bid_px >= ask_px.
* outliers: a price <= 0, a quantity <= 0 (trades, book_ticker), or a price moving more than
  ``max_jump_pct`` percent from the previous one (trade price, book_ticker mid, kline close,
  mark price); a lone print away and straight back counts once.

Rows in the catalog are sorted by (ts_ns, local_ts_ns, sequence) and exact duplicates are dropped
on write, so there ts_ns never goes backwards and identical rows never meet; those checks matter
for tables checked before writing. Ids out of step with timestamps are what they find there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from veloz.data.catalog import Catalog
from veloz.data.check_findings import (CHECK_NAMES, CheckOptions, Finding, Findings, Flags, Int64s, JumpDetector,
                                       highest_before, previous)
from veloz.data.checks_depth import DEPTH_CHECKS, DepthChecks
from veloz.data.schema import schema_for

__all__ = ["CHECK_NAMES", "CheckOptions", "CheckReport", "Finding", "check_batches", "check_series", "checks_for"]

_ID_COLUMN = {"trades": "trade_id", "agg_trades": "trade_id", "book_ticker": "update_id"}
# Columns that must be > 0, and the price whose jumps are outliers (None: no jump check).
_POSITIVE = {
    "trades": ("px", "qty"), "agg_trades": ("px", "qty"),
    "book_ticker": ("bid_px", "bid_qty", "ask_px", "ask_qty"),
    "mark_price": ("mark_px",), "klines": ("open", "high", "low", "close"),
}
_JUMP_PRICE = {"trades": "px", "agg_trades": "px", "mark_price": "mark_px", "klines": "close"}


def _family(data_type: str) -> str:
    schema_for(data_type)  # raises on an unknown name
    return "klines" if data_type.startswith("klines_") else data_type


def checks_for(data_type: str) -> tuple[str, ...]:
    """The checks that apply to a data type."""
    family = _family(data_type)
    if family == "depth":
        return DEPTH_CHECKS
    names = ["duplicates", "out_of_order"]
    if family in ("trades", "agg_trades"):
        names.insert(0, "gaps")
    if family == "book_ticker":
        names.append("crossed")
    if family in _POSITIVE:
        names.append("outliers")
    return tuple(n for n in CHECK_NAMES if n in names)


class _RowChecks:
    """Every data type but depth: each row stands alone."""

    def __init__(self, data_type: str, options: CheckOptions, findings: Findings) -> None:
        self.family = _family(data_type)
        self.findings = findings
        self.id_column = _ID_COLUMN.get(self.family)
        self.contiguous_ids = self.family in ("trades", "agg_trades")
        self.jumps = JumpDetector(options.max_jump_pct)
        self.rows_done = 0
        self.last_row: dict[str, int] | None = None
        self.highest_id: int | None = None
        self.highest_last_trade_id: int | None = None

    def feed(self, cols: dict[str, Any]) -> None:
        count = len(cols["ts_ns"])
        if not count:
            return
        last, offset = self.last_row, self.rows_done
        ts = cols["ts_ns"]
        ts_before, has = previous(ts, None if last is None else last["ts_ns"])
        same = has.copy()
        for name, values in cols.items():
            same &= values == previous(values, None if last is None else last[name])[0]
        gap = repeated = backwards = np.zeros(count, dtype=bool)
        high: Int64s = np.zeros(count, dtype=np.int64)
        if self.id_column is not None:
            ids = cols[self.id_column]
            high = highest_before(ids, self.highest_id)
            repeated, backwards = ids == high, ids < high
            if self.contiguous_ids:
                gap = ids > high + 1
            self.highest_id = int(max(high[-1], ids[-1]))
        trade_gap = self._trade_id_gap(cols)

        def example(i: int, reason: str, **extra: int) -> dict[str, Any]:
            row = {"row": offset + i, "ts_ns": int(ts[i]), "reason": reason}
            if self.id_column is not None:
                row[self.id_column] = int(cols[self.id_column][i])
            return {**row, **extra}

        findings = self.findings
        if "gaps" in findings.by_check:
            ids = cols[str(self.id_column)]
            findings.flag("gaps", gap | trade_gap, lambda i: example(
                i, f"{self.id_column} skips ids" if gap[i] else "first_trade_id skips trade ids",
                highest_before=int(high[i]), missing=int(ids[i] - high[i] - 1) if gap[i] else -1))
        findings.flag("duplicates", same | repeated, lambda i: example(
            i, "identical to the previous row" if same[i] else f"{self.id_column} repeats the highest before it"))
        ts_back = has & (ts < ts_before)
        findings.flag("out_of_order", ts_back | backwards, lambda i: example(
            i, "ts_ns goes backwards" if ts_back[i] else f"{self.id_column} below one already seen",
            previous_ts_ns=int(ts_before[i]), highest_before=int(high[i])))
        if "crossed" in findings.by_check:
            crossed = cols["bid_px"] >= cols["ask_px"]
            findings.flag("crossed", crossed, lambda i: example(
                i, "bid_px >= ask_px", bid_px=int(cols["bid_px"][i]), ask_px=int(cols["ask_px"][i])))
        if "outliers" in findings.by_check:
            self._outliers(cols, example)
        self.last_row = {name: int(values[-1]) for name, values in cols.items()}
        self.rows_done += count

    def _trade_id_gap(self, cols: dict[str, Any]) -> Flags:
        if self.family != "agg_trades":
            return np.zeros(len(cols["ts_ns"]), dtype=bool)
        high_last = highest_before(cols["last_trade_id"], self.highest_last_trade_id)
        self.highest_last_trade_id = int(max(high_last[-1], cols["last_trade_id"][-1]))
        flags: Flags = cols["first_trade_id"] > high_last + 1
        return flags

    def _outliers(self, cols: dict[str, Any], example: Any) -> None:
        nonpositive = np.zeros(len(cols["ts_ns"]), dtype=bool)
        for name in _POSITIVE[self.family]:
            nonpositive |= cols[name] <= 0
        if self.family == "book_ticker":
            price = cols["bid_px"] + cols["ask_px"]  # twice the mid: the same relative moves
        else:
            price = cols[_JUMP_PRICE[self.family]]
        jumped = self.jumps.feed(price)
        prior, _ = previous(price, None if self.last_row is None else self._last_price())
        self.findings.flag("outliers", nonpositive | jumped, lambda i: example(
            i, "a price or quantity <= 0" if nonpositive[i] else "price jump", price=int(price[i]),
            previous_price=int(prior[i])))

    def _last_price(self) -> int:
        last = self.last_row
        assert last is not None
        if self.family == "book_ticker":
            return last["bid_px"] + last["ask_px"]
        return last[_JUMP_PRICE[self.family]]

    def finish(self) -> None:
        pass


@dataclass
class CheckReport:
    """The checks of one series over [start_ns, end_ns)."""

    venue: str
    market: str
    symbol: str
    data_type: str
    start_ns: int | None
    end_ns: int | None
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(not f.ok for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {"venue": self.venue, "market": self.market, "symbol": self.symbol, "data_type": self.data_type,
                "start_ns": self.start_ns, "end_ns": self.end_ns, "rows": self.rows, "failed": self.failed,
                "findings": [f.to_dict() for f in self.findings]}


def check_batches(data_type: str, market: str, batches: Iterable[pa.RecordBatch | pa.Table],
                  options: CheckOptions | None = None) -> tuple[int, list[Finding]]:
    """Runs the data type's checks over batches in order; returns (rows, findings). ``market``
    chooses the depth sequence rule (spot or futures)."""
    options = options or CheckOptions()
    names = checks_for(data_type)
    findings = Findings(names, "messages" if data_type == "depth" else "rows", options.max_examples)
    checker: DepthChecks | _RowChecks
    checker = DepthChecks(market, findings) if data_type == "depth" else _RowChecks(data_type, options, findings)
    rows = 0
    for batch in batches:
        cols = {name: column.to_numpy() for name, column in zip(batch.schema.names, _columns(batch))}
        rows += batch.num_rows
        checker.feed(cols)
    checker.finish()
    return rows, findings.result()


def _columns(batch: pa.RecordBatch | pa.Table) -> list[Any]:
    if isinstance(batch, pa.Table):
        return [column.combine_chunks() for column in batch.columns]
    return list(batch.columns)


def check_series(catalog: Catalog, venue: str, market: str, symbol: str, data_type: str,
                 start_ns: int | None = None, end_ns: int | None = None, options: CheckOptions | None = None,
                 batch_rows: int = 1_000_000) -> CheckReport:
    """Runs the checks over one stored series, streaming (memory stays at about batch_rows rows)."""
    scan = catalog.scan(venue, market, symbol, data_type, start_ns, end_ns, batch_rows=batch_rows)
    rows, findings = check_batches(data_type, market, scan, options)
    return CheckReport(venue, market, symbol, data_type, start_ns, end_ns, rows, findings)
