"""Depth checks, counted per message (the rows sharing ts_ns, local_ts_ns, update_id and kind).

* gaps: a diff that does not continue the previous one (spot ``U == prev u + 1``; futures
  ``pu == prev u``, since futures ids are shared across symbols and only the pu chain is
  continuous), or the first diff after a snapshot that does not cover it.
* duplicates: a diff whose ``u`` repeats the previous one's; a message with two identical rows.
* out_of_order: a diff whose ``u`` is below one already seen; ts_ns going backwards.
* crossed: best bid >= best ask after applying a message to a book rebuilt from the snapshots
  under Binance's sync rules (messages while no snapshot has synced the book are not judged).
* outliers: a level with a price <= 0 or a quantity < 0 (0 deletes a level, so it is fine).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from veloz._native.book import L2Book
from veloz.data.check_findings import Findings, Flags, Int64s, highest_before, previous
from veloz.data.schema import DEPTH_SNAPSHOT, DEPTH_UPDATE

DEPTH_CHECKS = ("gaps", "duplicates", "out_of_order", "crossed", "outliers")
_MESSAGE_KEY = ("ts_ns", "local_ts_ns", "update_id", "kind")
Columns = dict[str, Any]  # column name -> numpy array


class DepthChecks:
    def __init__(self, market: str, findings: Findings) -> None:
        self.futures = market != "spot"
        self.findings = findings
        self.pending: Columns | None = None  # rows of the last message, which the next batch may continue
        self.rows_done = 0
        self.last_row: dict[str, int] | None = None
        self.highest_u: int | None = None  # highest diff update_id so far
        self.book = L2Book()
        self.synced = False
        self.awaiting_first_diff = False
        self.book_u = 0
        # The latest diff (U, u, pu, levels): the one that straddles a snapshot may sort before it.
        self.last_diff: tuple[int, int, int, tuple[Any, Any, Any]] | None = None

    def feed(self, cols: Columns) -> None:
        if self.pending is not None:
            cols = {name: np.concatenate([self.pending[name], values]) for name, values in cols.items()}
        starts = _message_starts(cols)
        if not len(starts):
            return
        last = int(starts[-1])
        if last:
            self._messages({name: values[:last] for name, values in cols.items()})
        self.pending = {name: values[last:] for name, values in cols.items()}

    def finish(self) -> None:
        if self.pending is not None and len(self.pending["ts_ns"]):
            self._messages(self.pending)
        self.pending = None

    def _messages(self, cols: Columns) -> None:
        """Checks whole messages."""
        starts = _message_starts(cols)
        first_rows = self.rows_done + starts

        # Row-level problems, reduced to "the message has at least one such row".
        last = self.last_row
        same = np.ones(len(cols["ts_ns"]), dtype=bool)
        for name, values in cols.items():
            before, has = previous(values, None if last is None else last[name])
            same &= has & (values == before)
        twice = np.logical_or.reduceat(same, starts)
        bad_level = np.logical_or.reduceat((cols["px"] <= 0) | (cols["qty"] < 0), starts)

        ts, kind = cols["ts_ns"][starts], cols["kind"][starts]
        first_id, update_id, prev_id = (cols[c][starts] for c in ("first_update_id", "update_id", "prev_update_id"))
        ts_before, ts_has = previous(ts, None if last is None else last["ts_ns"])
        ts_back = ts_has & (ts < ts_before)

        diffs = np.flatnonzero(kind == DEPTH_UPDATE)
        high = highest_before(update_id[diffs], self.highest_u)
        has_previous_diff = np.ones(len(diffs), dtype=bool)
        if len(diffs) and self.highest_u is None:
            has_previous_diff[0] = False
        ahead = update_id[diffs] > high
        if self.futures:
            broken = ahead & has_previous_diff & (prev_id[diffs] != high)
        else:
            broken = ahead & has_previous_diff & (first_id[diffs] != high + 1)
        chain_gap, repeated, backwards = (np.zeros(len(starts), dtype=bool) for _ in range(3))
        chain_gap[diffs] = broken
        repeated[diffs] = update_id[diffs] == high
        backwards[diffs] = update_id[diffs] < high
        prior_u = np.full(len(starts), -1, dtype=np.int64)
        prior_u[diffs] = high

        crossed, crossed_at, judged, snapshot_gap, snapshot_of = self._replay(cols, starts, kind, first_id,
                                                                              update_id, prev_id, chain_gap)

        def example(i: int, reason: str, **extra: int) -> dict[str, Any]:
            return {"row": int(first_rows[i]), "ts_ns": int(ts[i]), "reason": reason,
                    "first_update_id": int(first_id[i]), "update_id": int(update_id[i]),
                    "prev_update_id": int(prev_id[i]), **extra}

        rule = "pu != previous u" if self.futures else "U != previous u + 1"
        self.findings.flag("gaps", chain_gap | snapshot_gap, lambda i: example(
            i, rule if chain_gap[i] else "first diff after the snapshot does not cover it",
            previous_update_id=int(prior_u[i]) if chain_gap[i] else snapshot_of[i]))
        self.findings.flag("duplicates", repeated | twice, lambda i: example(
            i, "update_id repeats the previous diff's" if repeated[i] else "two identical rows"))
        self.findings.flag("out_of_order", backwards | ts_back, lambda i: example(
            i, "update_id below one already seen" if backwards[i] else "ts_ns goes backwards",
            highest_update_id=int(prior_u[i])))
        self.findings.flag("crossed", crossed, lambda i: example(i, "best bid >= best ask", **crossed_at[i]),
                           checked=judged)
        self.findings.flag("outliers", bad_level, lambda i: example(i, "a level with price <= 0 or quantity < 0"))

        if len(diffs):
            self.highest_u = int(max(high[-1], update_id[diffs][-1]))
        self.last_row = {name: int(values[-1]) for name, values in cols.items()}
        self.rows_done += len(cols["ts_ns"])

    def _replay(self, cols: Columns, starts: Int64s, kind: Int64s, first_id: Int64s, update_id: Int64s,
                prev_id: Int64s, chain_gap: Flags) -> tuple[Flags, dict[int, dict[str, int]], int, Flags, dict[int, int]]:
        """Applies the messages to the book under the sync rules. Returns the messages after which
        it is crossed (with the best bid and ask), how many messages the book judged, and the first
        diffs that do not connect to their snapshot (with the snapshot's id)."""
        count = len(starts)
        crossed, snapshot_gap = np.zeros(count, dtype=bool), np.zeros(count, dtype=bool)
        crossed_at: dict[int, dict[str, int]] = {}
        snapshot_of: dict[int, int] = {}
        judged = 0
        ends = np.append(starts[1:], len(cols["ts_ns"]))
        sides = (cols["side"] < 0).astype(np.uint8)  # the book's 0 bid / 1 ask
        prices, qtys = cols["px"], cols["qty"]
        for m in range(count):
            u = int(update_id[m])
            rows = slice(int(starts[m]), int(ends[m]))
            levels = (sides[rows], prices[rows], qtys[rows])
            if kind[m] == DEPTH_SNAPSHOT:
                self.book.clear()
                self._apply(levels)
                self.synced, self.awaiting_first_diff, self.book_u = True, True, u
                # Sorted by exchange time, the diff that straddles the snapshot can come just before
                # it (its E is earlier than the REST response's): it is applied first, as live.
                held = self.last_diff
                if held is not None and self._continues_snapshot(held[0], held[1], held[2], u):
                    self._apply(held[3])
                    self.book_u, self.awaiting_first_diff = held[1], False
            elif kind[m] != DEPTH_UPDATE:
                continue
            else:
                self.last_diff = (int(first_id[m]), u, int(prev_id[m]), levels)
                if not self.synced:
                    continue
                if self.awaiting_first_diff:
                    snapshot = self.book_u
                    if u < snapshot or (u == snapshot and not self.futures):
                        continue  # older than the snapshot
                    if not self._continues_snapshot(int(first_id[m]), u, int(prev_id[m]), snapshot):
                        snapshot_gap[m], self.synced = True, False
                        snapshot_of[m] = snapshot
                        continue
                    self.awaiting_first_diff = False
                elif u <= self.book_u:
                    continue  # stale: already in the book
                elif chain_gap[m]:
                    self.synced = False  # the book misses updates until the next snapshot
                    continue
                self._apply(levels)
                self.book_u = u
            judged += 1
            if self.book.crossed:
                crossed[m] = True
                bid, ask = self.book.best_bid_price, self.book.best_ask_price
                crossed_at[m] = {"best_bid": -1 if bid is None else bid, "best_ask": -1 if ask is None else ask}
        return crossed, crossed_at, judged, snapshot_gap, snapshot_of

    def _continues_snapshot(self, first: int, last: int, prev: int, snapshot: int) -> bool:
        """Whether a diff is the first to apply after a snapshot: spot needs U <= L+1 <= u;
        futures U <= L <= u, or pu == L (the symbol's previous event ended exactly at L)."""
        if self.futures:
            return first <= snapshot <= last or prev == snapshot
        return first <= snapshot + 1 <= last

    def _apply(self, levels: tuple[Any, Any, Any]) -> None:
        sides, prices, qtys = levels
        applicable = qtys >= 0  # a negative quantity is reported as an outlier, never applied
        if not applicable.all():
            sides, prices, qtys = sides[applicable], prices[applicable], qtys[applicable]
        self.book.apply_levels(np.ascontiguousarray(sides), np.ascontiguousarray(prices), np.ascontiguousarray(qtys))


def _message_starts(cols: Columns) -> Int64s:
    """Indices of the first row of each message."""
    count = len(cols["ts_ns"])
    if not count:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(count, dtype=bool)
    change[0] = True
    for name in _MESSAGE_KEY:
        values = cols[name]
        change[1:] |= values[1:] != values[:-1]
    return np.flatnonzero(change)
