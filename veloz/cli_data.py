"""``veloz data``: import market data into a catalog, list it, check it (docs/cli.md).

Heavy modules (pyarrow, the importers) are imported inside the handlers so that ``veloz --help``
stays instant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from veloz.errors import VelozError
from veloz.instruments import MARKETS

if TYPE_CHECKING:
    import pyarrow as pa

    from veloz.data.catalog import Catalog
    from veloz.data.import_captures import CaptureImport
    from veloz.instruments import Instrument

CAPTURE_FORMATS = ("hftbacktest", "cryptofeed")
# Importers another module provides: format -> (module, function). Each is called as
# function(path, instrument, market, symbol) and returns {data_type: table}.
ARCHIVE_IMPORTERS = {
    "binance-archive": ("veloz.data.import_archives", "import_binance_archive"),
    "tardis": ("veloz.data.import_tardis", "import_tardis"),
}
FORMATS = ("auto", *CAPTURE_FORMATS, *ARCHIVE_IMPORTERS)


class DataCommandError(VelozError):
    """An option value or a catalog directory the data command cannot use."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``data import|ls|check`` to the ``veloz`` parser's subcommands."""
    data = commands.add_parser("data", help="market-data catalog: import, list, check",
                               description="The Parquet market-data catalog (docs/data.md).")
    subcommands = data.add_subparsers(dest="data_command", required=True)

    imports = subcommands.add_parser(
        "import", help="import captures or archives into a catalog",
        description="Convert raw captures (hftbacktest, cryptofeed) or archives (binance-archive, tardis) "
        "into the catalog's tables and merge them in. Every SOURCE is converted before anything is "
        "written; rows already in the catalog are not stored twice.")
    imports.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    imports.add_argument("--catalog", type=Path, required=True, metavar="DIR", help="catalog root (created if missing)")
    imports.add_argument("--format", choices=FORMATS, default="auto",
                         help="source format (default: auto, which recognises the two capture formats)")
    imports.add_argument("--exchange-info", type=Path, metavar="FILE",
                         help="exchangeInfo JSON giving each symbol's tick and lot sizes (a cryptofeed capture "
                         "defaults to the X.0 recording beside it)")
    imports.add_argument("--market", choices=MARKETS, help="the market, when the exchangeInfo does not say")
    imports.add_argument("--symbol", help="import only this symbol (required for archive formats)")
    imports.add_argument("--venue", default="binance", help="venue directory in the catalog (default binance)")
    imports.add_argument("--json", action="store_true", help="print one JSON object")
    imports.set_defaults(handler=_import)

    listing = subcommands.add_parser("ls", help="list the series in a catalog",
                                     description="One line per stored series: dates, files, rows, bytes.")
    listing.add_argument("--catalog", type=Path, required=True, metavar="DIR")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=_ls)

    check = subcommands.add_parser(
        "check", help="run data-quality checks; exit 1 if any fails",
        description="Check stored series for gaps, duplicates, out-of-order rows, crossed books and outliers. "
        "Exit status 0 when every check is clean, 1 when one finds something, 2 on a usage error.")
    check.add_argument("--catalog", type=Path, required=True, metavar="DIR")
    check.add_argument("--venue", help="only this venue")
    check.add_argument("--market", choices=MARKETS, help="only this market")
    check.add_argument("--symbol", action="append", metavar="S", help="only this symbol (repeatable)")
    check.add_argument("--type", action="append", metavar="T", dest="data_types",
                       help="only this data type, e.g. depth (repeatable)")
    check.add_argument("--start", metavar="ISO", help="from this UTC time (inclusive), e.g. 2024-08-08T23:55")
    check.add_argument("--end", metavar="ISO", help="to this UTC time (exclusive)")
    check.add_argument("--max-jump-pct", type=float, default=5.0, metavar="PCT",
                       help="a price move above PCT percent of the previous price is an outlier (default 5)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(handler=_check)


# --- import ---------------------------------------------------------------------------------------


def _import(args: argparse.Namespace) -> int:
    from veloz.data.catalog import Catalog
    from veloz.data.archive_files import parse_archive_name
    from veloz.data.catalog_write import validate_table

    if args.catalog.exists() and not args.catalog.is_dir():
        raise DataCommandError(f"--catalog {args.catalog} is not a directory")
    if args.symbol is not None and not args.symbol.strip():
        raise DataCommandError("--symbol is empty: name a symbol (e.g. BTCUSDT) or leave the option out")
    for source in args.sources:
        if not source.exists():
            raise FileNotFoundError(f"source not found: {source}")
    if args.format == "auto" and all(parse_archive_name(source.name) for source in args.sources):
        args.format = "binance-archive"  # data.binance.vision names say what they are
    result = _archive_import(args) if args.format in ARCHIVE_IMPORTERS else _capture_import(args)
    catalog = Catalog(args.catalog)
    # Everything is checked before the first write: a bad table or a clashing instrument found
    # half way would otherwise leave the catalog with part of the import.
    for symbol, tables in result.tables.items():
        instrument = result.instruments[symbol]
        catalog.check_instrument(args.venue, instrument.market, symbol, instrument)
        for data_type, table in tables.items():
            tables[data_type] = validate_table(table, data_type)
    written = []
    for symbol, tables in sorted(result.tables.items()):
        instrument = result.instruments[symbol]
        for data_type, table in sorted(tables.items()):
            outcome = catalog.write(args.venue, instrument.market, symbol, data_type, table, instrument)
            written.append({"venue": args.venue, "market": instrument.market, "symbol": symbol,
                            "data_type": data_type, "rows": outcome.rows_in, "rows_added": outcome.rows_added,
                            "files_written": len(outcome.files_written)})
    if args.json:
        print(json.dumps({"catalog": str(args.catalog), "written": written, "frames": dict(result.frames),
                          "skipped": dict(result.skipped)}))
        return 0
    print(f"imported {len(args.sources)} source(s) into {args.catalog}")
    for entry in written:
        print(f"  {entry['venue']} {entry['market']} {entry['symbol']:<14} {entry['data_type']:<12}"
              f"{entry['rows']:>10} rows  {entry['rows_added']:>10} new  {entry['files_written']} file(s) written")
    if result.frames:
        print("  frames   " + ", ".join(f"{kind} {n}" for kind, n in sorted(result.frames.items())))
    if result.skipped:
        print("  skipped  " + ", ".join(f"{why} {n}" for why, n in sorted(result.skipped.items())))
    return 0


def _capture_import(args: argparse.Namespace) -> CaptureImport:
    from veloz.data.import_captures import CaptureImport, capture_instruments, import_capture

    combined = CaptureImport()
    for source in args.sources:
        instruments = capture_instruments(source, args.exchange_info, args.market)
        combined.extend(import_capture(source, instruments, fmt=args.format, symbol=args.symbol))
    return combined


def _archive_import(args: argparse.Namespace) -> CaptureImport:
    from veloz.data.archive_files import parse_archive_name
    from veloz.data.import_captures import CaptureImport
    from veloz.instruments import load_exchange_info

    if not args.symbol:
        # data.binance.vision file names start with the symbol
        named = {parsed.symbol for parsed in map(parse_archive_name, (s.name for s in args.sources)) if parsed}
        if len(named) == 1 and all(parse_archive_name(source.name) for source in args.sources):
            args.symbol = named.pop()
    missing = [option for option, value in (("--symbol", args.symbol), ("--market", args.market)) if not value]
    known_instrument = args.market is not None and args.symbol and _catalog_instrument(args) is not None
    if args.exchange_info is None and not known_instrument:
        missing.append("--exchange-info (or a catalog that already has the instrument)")
    if missing:
        raise DataCommandError(f"--format {args.format} needs {', '.join(missing)}: an archive names neither its "
                               "symbol's market nor its tick and lot sizes")
    symbol = args.symbol.strip().upper()
    if args.exchange_info is not None:
        instrument = load_exchange_info(args.exchange_info, args.market).get(symbol)
        if instrument is None:
            raise DataCommandError(f"{args.exchange_info} has no symbol {symbol}")
    else:
        # The catalog already knows the instrument (from an earlier import with exchangeInfo).
        instrument = _catalog_instrument(args)
        assert instrument is not None
    importer = _archive_importer(args.format)
    combined = CaptureImport(instruments={symbol: instrument})
    for source in args.sources:
        tables = importer(source, instrument, args.market, symbol)
        combined.extend(CaptureImport(tables={symbol: dict(tables)}, instruments={symbol: instrument}))
    return combined


def _catalog_instrument(args: argparse.Namespace) -> Instrument | None:
    from veloz.data.catalog import Catalog
    from veloz.errors import CatalogError

    if not args.catalog.is_dir():
        return None
    try:
        return Catalog(args.catalog).instrument(args.venue, args.market, args.symbol.strip().upper())
    except CatalogError:
        return None


def _archive_importer(fmt: str) -> Callable[[Path, Instrument, str, str], dict[str, pa.Table]]:
    module_name, function = ARCHIVE_IMPORTERS[fmt]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the importer exists but one of its own imports is missing: a real bug, shown whole
        raise DataCommandError(f"--format {fmt} is not available in this installation ({module_name} is missing)") \
            from None
    importer: Callable[[Path, Instrument, str, str], dict[str, pa.Table]] = getattr(module, function)
    return importer


# --- ls -------------------------------------------------------------------------------------------


def _open_catalog(directory: Path) -> Catalog:
    from veloz.data.catalog import Catalog

    if not directory.exists():
        raise DataCommandError(f"catalog directory {directory} does not exist")
    if not directory.is_dir():
        raise DataCommandError(f"--catalog {directory} is not a directory")
    return Catalog(directory)


def _iso(ts_ns: int | None) -> str:
    if ts_ns is None:
        return "-"
    moment = dt.datetime.fromtimestamp(ts_ns // 1_000_000_000, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{ts_ns % 1_000_000_000 // 1_000_000:03d}Z"


def _ls(args: argparse.Namespace) -> int:
    entries = _open_catalog(args.catalog).entries()
    if args.json:
        print(json.dumps([entry.to_dict() for entry in entries]))
        return 0
    if not entries:
        print(f"no data in {args.catalog}")
        return 0
    header = ("VENUE", "MARKET", "SYMBOL", "TYPE", "FIRST DAY", "LAST DAY", "FILES", "ROWS", "BYTES", "FIRST TS",
              "LAST TS")
    lines = [header] + [(e.venue, e.market, e.symbol, e.data_type, e.first_date.isoformat(), e.last_date.isoformat(),
                         str(e.files), str(e.rows), str(e.bytes), _iso(e.first_ts_ns), _iso(e.last_ts_ns))
                        for e in entries]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = {6, 7, 8}
    for line in lines:
        print("  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                        for i, (cell, w) in enumerate(zip(line, widths))).rstrip())
    return 0


# --- check ----------------------------------------------------------------------------------------


def parse_utc(text: str, option: str) -> int:
    """An ISO 8601 time (a date alone is its midnight; no offset means UTC) as ns since the epoch."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise DataCommandError(f"{option} {text!r} is not an ISO 8601 time such as 2024-08-08T23:55:00") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    since_epoch = moment - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return since_epoch // dt.timedelta(microseconds=1) * 1_000


def _check(args: argparse.Namespace) -> int:
    from veloz.data.checks import CheckOptions, check_series

    catalog = _open_catalog(args.catalog)
    start = parse_utc(args.start, "--start") if args.start else None
    end = parse_utc(args.end, "--end") if args.end else None
    if start is not None and end is not None and start >= end:
        raise DataCommandError(f"--start {args.start} is not before --end {args.end}")
    if not args.max_jump_pct > 0:
        raise DataCommandError(f"--max-jump-pct must be > 0, not {args.max_jump_pct}")
    symbols = {s.strip().upper() for s in args.symbol} if args.symbol else None
    types = set(args.data_types) if args.data_types else None
    selected = [e for e in catalog.entries()
                if (args.venue is None or e.venue == args.venue) and (args.market is None or e.market == args.market)
                and (symbols is None or e.symbol in symbols) and (types is None or e.data_type in types)]
    if not selected:
        raise DataCommandError(f"nothing to check: no series in {args.catalog} matches the options "
                               "(see `veloz data ls`)")
    options = CheckOptions(max_jump_pct=args.max_jump_pct)
    reports = [check_series(catalog, e.venue, e.market, e.symbol, e.data_type, start, end, options)
               for e in selected]
    failed = any(report.failed for report in reports)
    if args.json:
        print(json.dumps({"catalog": str(args.catalog), "failed": failed, "reports": [r.to_dict() for r in reports]}))
    else:
        print("\n".join(_format_report(report) for report in reports))
        print(f"{'FAILED' if failed else 'ok'}: {sum(r.failed for r in reports)} of {len(reports)} series "
              "with findings")
    return 1 if failed else 0


def _format_report(report: Any) -> str:  # a CheckReport, imported lazily
    status = "FAILED" if report.failed else "ok"
    lines = [f"{report.venue} {report.market} {report.symbol} {report.data_type}: {report.rows} rows, {status}"]
    for finding in report.findings:
        lines.append(f"  {finding.check:<13}{finding.count:>8} of {finding.checked} {finding.unit}")
        for example in finding.examples:
            lines.append(f"      e.g. {json.dumps(example)}")
    return "\n".join(lines)
