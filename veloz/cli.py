"""The ``veloz`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from veloz.data.captures import CaptureFormatError
from veloz.errors import VelozError


def _book_replay(args: argparse.Namespace) -> int:
    from veloz.book_replay import replay  # deferred: keeps `veloz --help` instant

    report = replay(
        args.files[0],
        extra_files=args.files[1:],
        symbol=args.symbol,
        market=args.market,
        exchange_info=args.exchange_info,
        snapshots=args.snapshots,
        strict=args.strict,
        top_n=args.top,
    )
    if args.json:
        print(json.dumps(report.to_dict()))
    else:
        print(format_report(report, [str(f) for f in args.files]))
    return 0 if report.ok else 1


def format_report(report, files: list[str]) -> str:  # noqa: ANN001 - ReplayReport, imported lazily
    rate = report.messages / report.elapsed_s if report.elapsed_s else 0.0
    lines = [
        f"VeloZ book replay: {report.market} {report.symbol} (tick {report.tick_size}, lot {report.lot_size}; "
        f"grid {report.grid_source})",
        f"  files            {', '.join(files)}",
        f"  messages         {report.messages}  (depth {report.depth_updates}, bookTicker {report.book_tickers}, "
        f"trade {report.trades}, snapshot {report.snapshots}, other {report.other})",
        f"  depth applied    {report.applied}  (buffered before a snapshot {report.buffered}, stale {report.stale})",
        f"  snapshots        {report.snapshots}",
        f"  gaps             {report.gaps}",
        f"  BBO checks       {report.bbo_checks}  mismatches {report.bbo_mismatches}",
        f"  crossed states   {report.crossed}",
        f"  rejected frames  {report.rejected}",
        f"  other symbols    {report.skipped_other_symbols} frames skipped",
        f"  final state      {report.state}",
        f"  elapsed          {report.elapsed_s:.3f} s ({rate:,.0f} messages/s)",
    ]
    if report.state == "needs_snapshot":
        lines.append("  warning          the book is not synchronised at the end (no snapshot, or a gap since the last)")
    if report.first_mismatch:
        lines.append(f"  first mismatch   {report.first_mismatch}")
    for error in report.errors:
        lines.append(f"  error            {error}")
    lines.append("")
    lines.append(f"  {'':4}{'bid qty':>14} {'bid':>14} | {'ask':<14} {'ask qty':<14}")
    for i in range(max(len(report.top_bids), len(report.top_asks))):
        bid = report.top_bids[i] if i < len(report.top_bids) else ("", "")
        ask = report.top_asks[i] if i < len(report.top_asks) else ("", "")
        lines.append(f"  {i + 1:<4}{bid[1]:>14} {bid[0]:>14} | {ask[0]:<14} {ask[1]:<14}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="veloz", description="VeloZ trading engine")
    commands = parser.add_subparsers(dest="command", required=True)

    book = commands.add_parser("book", help="order-book tools").add_subparsers(dest="book_command", required=True)
    replay = book.add_parser(
        "replay",
        help="rebuild the L2 book from a raw Binance capture and check it",
        description="Rebuild the L2 book from raw Binance captures (hftbacktest `<ns> <json>` gzip lines or "
        "cryptofeed recordings) under Binance's sync rules, checking it against every bookTicker "
        "whose update id matches the book's. More FILEs continue the same book (e.g. the next day).",
    )
    replay.add_argument("files", nargs="+", type=Path, metavar="FILE")
    replay.add_argument("--json", action="store_true", help="print one JSON object")
    replay.add_argument("--symbol", help="symbol to rebuild when the capture holds several")
    replay.add_argument("--market", choices=["spot", "usdm", "coinm"], help="override market detection")
    replay.add_argument("--exchange-info", type=Path, help="exchangeInfo JSON giving the tick and lot sizes "
                        "(default: inferred from the capture's decimals)")
    replay.add_argument("--snapshots", type=Path, help="cryptofeed REST snapshot file (default: X.http.0.0 "
                        "beside X.ws.1.0)")
    replay.add_argument("--strict", action="store_true", help="stop at the first rejected frame")
    replay.add_argument("--top", type=int, default=5, help="levels of the final book to show (default 5)")
    replay.set_defaults(handler=_book_replay)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except (VelozError, CaptureFormatError, FileNotFoundError) as exc:
        print(f"veloz: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
