"""The ``veloz`` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from veloz import __version__
from veloz.cli_data import register as register_data_commands
from veloz.errors import VelozError

# 128 + SIGPIPE: the status a shell shows for `cat`, `grep`... when the reader of their output
# went away (`veloz book replay ... | head -1`), so pipelines treat veloz like any other tool.
EXIT_BROKEN_PIPE = 141
EXIT_ERROR = 2


class _ArgumentError(VelozError):
    """An option value the parser accepts but the command cannot use."""


def _book_replay(args: argparse.Namespace) -> int:
    from veloz.book_replay import replay  # deferred: keeps `veloz --help` instant

    if args.top < 0:
        raise _ArgumentError(f"--top must be >= 0, not {args.top}")
    if args.symbol is not None and not args.symbol.strip():
        raise _ArgumentError("--symbol is empty: name the symbol to rebuild (e.g. BTCUSDT), or leave the "
                             "option out for a single-symbol capture")
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
        f"  depth applied    {report.applied}  (held for a snapshot {report.buffered}, stale {report.stale})",
        f"  snapshots        {report.snapshots}" + (
            f"  ({report.unattributed_snapshots} without a symbol skipped: another symbol's frames came first "
            "in their file)" if report.unattributed_snapshots else ""),
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
    lines.append(f"  {'':4}{'bid qty':>14} {'bid':>14} | {'ask':<14} {'ask qty'}")
    for i in range(max(len(report.top_bids), len(report.top_asks))):
        bid = report.top_bids[i] if i < len(report.top_bids) else ("", "")
        ask = report.top_asks[i] if i < len(report.top_asks) else ("", "")
        lines.append(f"  {i + 1:<4}{bid[1]:>14} {bid[0]:>14} | {ask[0]:<14} {ask[1]}".rstrip())
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="veloz", description="VeloZ trading engine")
    parser.add_argument("--version", action="version", version=f"veloz {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    register_data_commands(commands)

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
    replay.add_argument("--symbol", help="symbol to rebuild (required when the capture holds several)")
    replay.add_argument("--market", choices=["spot", "usdm", "coinm"],
                        help="the market, when the capture has no depth frames to tell it (it must agree with them)")
    replay.add_argument("--exchange-info", type=Path, help="exchangeInfo JSON giving the tick and lot sizes "
                        "(default: inferred from the capture's decimals)")
    replay.add_argument("--snapshots", type=Path, help="cryptofeed REST snapshot file for a cryptofeed capture "
                        "(default: X.http.0.0 beside X.ws.1.0)")
    replay.add_argument("--strict", action="store_true", help="stop at the first rejected frame")
    replay.add_argument("--top", type=int, default=5, metavar="N",
                        help="levels of the final book to show (default 5; at most the levels it holds)")
    replay.set_defaults(handler=_book_replay)

    from veloz import cli_backtest  # registers `veloz backtest`

    cli_backtest.register(commands)
    return parser


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help, --version or a usage error, already printed
        return done.code if isinstance(done.code, int) else 0
    try:
        return int(args.handler(args))
    except (VelozError, FileNotFoundError) as exc:
        print(f"veloz: error: {exc}", file=sys.stderr)
        return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's final flush
        return status
    except BrokenPipeError:
        # The reader stopped early (`| head`): exit quietly, as Unix tools do. stdout now points at
        # /dev/null so that flushing what is still buffered at exit cannot raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    raise SystemExit(main())
