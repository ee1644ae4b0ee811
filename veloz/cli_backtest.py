"""`veloz backtest`: replay catalog data through a strategy and write the run's outputs."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from veloz.errors import BacktestError, StrategyFailed

__all__ = ["parse_latency", "parse_time", "register"]

EXIT_STRATEGY_FAILED = 1


def parse_time(text: str, what: str) -> int:
    """ISO 8601 (UTC unless it says otherwise: 2024-08-08, 2024-08-08T23:55:00) or integer ns."""
    if text.isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BacktestError(f"{what} {text!r}: expected an ISO 8601 time (2024-08-08T23:55:00) or nanoseconds") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return int(when.timestamp()) * 1_000_000_000 + when.microsecond * 1_000


def parse_latency(text: str, what: str) -> Any:
    """"1ms" (constant), "uniform:1ms:2ms" (base, spread), "lognormal:1ms:12.2:0.5" (base, mu, sigma of
    ln ns)."""
    from veloz.matching import Latency

    try:
        parts = text.split(":")
        if len(parts) == 1:
            return Latency.constant(_ns(parts[0]))
        if parts[0] == "uniform" and len(parts) == 3:
            return Latency.uniform(_ns(parts[1]), _ns(parts[2]))
        if parts[0] == "lognormal" and len(parts) == 4:
            return Latency.lognormal(_ns(parts[1]), float(parts[2]), float(parts[3]))
    except ValueError as exc:
        raise BacktestError(f"{what} {text!r}: {exc}") from None
    raise BacktestError(f"{what} {text!r}: expected e.g. 1ms, 250us, uniform:1ms:2ms or lognormal:0:12.2:0.5")


def _ns(text: str) -> int:
    units = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
    for unit in ("ns", "us", "ms", "s"):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return int(round(float(text[: -len(unit)]) * units[unit]))
    if text == "0":
        return 0
    raise ValueError("a duration needs a unit: ns, us, ms or s")


def _fees(text: str) -> Any:
    from veloz.matching import Fees

    maker, sep, taker = text.partition(",")
    if not sep:
        raise BacktestError(f"--fees {text!r}: expected MAKER,TAKER rates, e.g. 0.0002,0.0005")
    return Fees(maker=maker.strip(), taker=taker.strip())


def _strategy_logging(level: str) -> None:
    """The strategy's ctx.log goes to stderr with its level; records carry the engine's clock."""
    import logging

    logger = logging.getLogger("veloz.strategy")
    logger.setLevel(level.upper())
    if not any(getattr(h, "_veloz", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        handler._veloz = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False


def _backtest(args: argparse.Namespace) -> int:
    from veloz.backtest.catalog_source import instrument_data
    from veloz.backtest.outputs import write_outputs
    from veloz.backtest.progress import ProgressBar
    from veloz.backtest.runner import BacktestConfig, run_backtest
    from veloz.backtest.strategy_loader import load_strategy, parse_param_args
    from veloz.data.catalog import Catalog
    from strategy_sdk.params import params_to_dict
    from veloz.matching import Fees

    if not args.data.is_dir():
        raise BacktestError(f"--data {args.data}: no such catalog directory")
    if args.out.exists() and not args.out.is_dir():
        raise BacktestError(f"--out {args.out}: exists and is not a directory")
    _strategy_logging(args.log_level)
    start = parse_time(args.start, "--start") if args.start else None
    end = parse_time(args.end, "--end") if args.end else None
    if start is not None and end is not None and end <= start:
        raise BacktestError("--end must be after --start")
    params = parse_param_args(args.param)
    try:
        strategy = load_strategy(args.strategy, params)
    except StrategyFailed as failure:
        print(failure.strategy_traceback, file=sys.stderr, end="")
        print(f"veloz: error: {failure} (nothing was run or written)", file=sys.stderr)
        return EXIT_STRATEGY_FAILED
    latency = parse_latency(args.latency, "--latency") if args.latency else None
    order_latency = parse_latency(args.order_latency, "--order-latency") if args.order_latency else latency
    report_latency = parse_latency(args.report_latency, "--report-latency") if args.report_latency else latency
    defaults = BacktestConfig()
    config = BacktestConfig(
        deposit=args.deposit,
        fees=_fees(args.fees) if args.fees else Fees(maker=defaults.fees.maker, taker=defaults.fees.taker),
        order_latency=order_latency or defaults.order_latency,
        report_latency=report_latency or defaults.report_latency,
        queue_model=args.queue_model, seed=args.seed, leverage=args.leverage,
    )
    if len({key.lower() for key in args.instrument}) != len(args.instrument):
        raise BacktestError("--instrument: each instrument once")
    catalog = Catalog(args.data)
    data = [instrument_data(catalog, key, start, end) for key in args.instrument]
    bar: ProgressBar | None = None

    def progress(ts_ns: int, events: int) -> None:
        nonlocal bar
        if bar is None:
            first, last = catalog_span(catalog, args.instrument, start, end)
            bar = ProgressBar(first, last)
        bar.update(ts_ns, events)

    show_progress = args.progress if args.progress is not None else sys.stderr.isatty()
    run = run_backtest(strategy, data, config, progress=progress if show_progress else None)
    if bar is not None:
        bar.close()
    run_info = {
        "strategy": args.strategy, "params": params_to_dict(strategy.params), "instruments": list(args.instrument),
        "data": str(args.data), "start_ns": start, "end_ns": end,
        "config": {"deposit": config.deposit, "maker_fee": config.fees.maker, "taker_fee": config.fees.taker,
                   "order_latency": list(config.order_latency.as_tuple()),
                   "report_latency": list(config.report_latency.as_tuple()),
                   "queue_model": config.queue_model, "seed": config.seed, "leverage": config.leverage},
    }
    metrics = write_outputs(run, args.out, run_info)
    counters = run.counters
    print(f"veloz backtest: {counters['data_events']:,} events in {run.elapsed_s:.2f} s "
          f"({counters['data_events'] / max(run.elapsed_s, 1e-9) / 1e6:.2f} M events/s), "
          f"{len(run.driver.orders_array())} orders, {counters['fills']} fills")
    for key in ("total_return", "sharpe", "max_drawdown", "num_trades", "fees_total"):
        if key in metrics:
            print(f"  {key:<16} {metrics[key]}")
    refused = counters.get("account_refusals", 0) + counters.get("oms_refusals", 0)
    if refused:
        print(f"  warning          {refused} venue report(s) the account or OMS refused (see docs/backtest.md); "
              "the run's accounting is incomplete", file=sys.stderr)
    if metrics.get("duration_s") is not None and metrics["duration_s"] < 86_400:
        print(f"  note             annualized figures (sharpe, sortino, calmar, CAGR) extrapolate a "
              f"{metrics['duration_s'] / 60:.1f}-minute run to a year: read them with care")
    print(f"  outputs          {args.out}/ (report.html, metrics.json, orders/fills/positions/equity.parquet)")
    if run.failure is not None:
        print(run.failure.strategy_traceback, file=sys.stderr, end="")
        print(f"veloz: error: {run.failure} (outputs cover the run up to that point)", file=sys.stderr)
        return EXIT_STRATEGY_FAILED
    return 0


def catalog_span(catalog: Any, keys: list[str], start: int | None, end: int | None) -> tuple[int, int]:
    """The replayed time range, for the progress bar."""
    from veloz.backtest.catalog_source import time_span

    span = time_span(catalog, keys) or (0, 1)
    lo = max(span[0], start) if start is not None else span[0]
    hi = min(span[1], end) if end is not None else span[1]
    return lo, hi


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "backtest", help="replay catalog data through a strategy (tick by tick)",
        description="Replay recorded market data from a VeloZ catalog through a strategy, tick by tick, with the "
        "C++ book, matching engine (latency, queue position, fees) and accounts; write orders, fills, positions, "
        "equity (Parquet), metrics.json and an offline report.html to --out.")
    parser.add_argument("--strategy", required=True, metavar="MODULE:CLASS",
                        help="the strategy class, e.g. strategy_sdk.examples.ma_cross:MovingAverageCross or "
                        "path/to/file.py:MyStrategy")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="a strategy parameter (repeatable)")
    parser.add_argument("--data", required=True, type=Path, metavar="CATALOG", help="the catalog directory")
    parser.add_argument("--instrument", required=True, action="append", metavar="VENUE:MARKET:SYMBOL",
                        help="e.g. binance:usdm:BTCUSDT (repeatable)")
    parser.add_argument("--start", help="first time replayed, ISO 8601 UTC or ns (default: the data's first)")
    parser.add_argument("--end", help="end of the range, exclusive (default: the data's last)")
    parser.add_argument("--latency", help="order and report latency, e.g. 1ms, uniform:1ms:2ms (default 1ms)")
    parser.add_argument("--order-latency", help="strategy -> venue latency (overrides --latency)")
    parser.add_argument("--report-latency", help="venue -> strategy latency (overrides --latency)")
    parser.add_argument("--fees", metavar="MAKER,TAKER", help="fee rates (default 0.0002,0.0005)")
    parser.add_argument("--deposit", default="10000", help="starting balance in the account currency (default 10000)")
    parser.add_argument("--leverage", type=int, default=20, help="futures leverage (default 20)")
    parser.add_argument("--queue-model", choices=["conservative", "probabilistic"], default="conservative")
    parser.add_argument("--seed", type=int, default=1, help="seed of the latency draws (default 1)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output directory")
    parser.add_argument("--log-level", choices=["debug", "info", "warning", "error"], default="info",
                        help="level of the strategy's ctx.log on stderr (default info)")
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None,
                          help="show a progress bar (default: when stderr is a terminal)")
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    parser.set_defaults(handler=_backtest)
