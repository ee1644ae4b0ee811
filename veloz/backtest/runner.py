"""One tick-replay backtest: build the driver, attach the strategy, stream the data in chunks,
and collect what happened. Writing the output directory is veloz.backtest.outputs' job."""

from __future__ import annotations

import time
import traceback
from decimal import Decimal, InvalidOperation
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from strategy_sdk import Strategy
from veloz._native import replay as native
from veloz.backtest.env import BacktestEnv
from veloz.backtest.feeds import STREAM_OF, Chunk, chunk_arguments
from veloz.errors import BacktestError, StrategyFailed
from veloz.instruments import Instrument
from veloz.matching import Fees, Latency

__all__ = ["BacktestConfig", "BacktestRun", "InstrumentData", "run_backtest"]

# Rows per driver call between progress updates: large enough that the pause costs nothing.
_PROGRESS_ROWS = 1 << 18
# Data types in the order their streams are added: at equal keys the earlier stream goes first.
_STREAM_ORDER = ("depth", "book_ticker", "trades", "agg_trades", "mark_price", "funding")


@dataclass
class InstrumentData:
    """One instrument and its data, by catalog data type, as iterables of column chunks already
    limited to the run's time range."""

    instrument: Instrument
    streams: Mapping[str, Iterable[Chunk]]


@dataclass(frozen=True)
class BacktestConfig:
    deposit: str = "10000"
    fees: Fees = Fees(maker="0.0002", taker="0.0005")
    order_latency: Latency = Latency.constant(1_000_000)
    report_latency: Latency = Latency.constant(1_000_000)
    queue_model: str = "conservative"
    seed: int = 1
    leverage: int = 20
    hedge_mode: bool = False
    sample_interval_ns: int = 1_000_000_000


@dataclass
class BacktestRun:
    """What a run produced, complete up to where it stopped."""

    config: BacktestConfig
    instruments: list[Instrument]
    driver: native.ReplayDriver
    env: BacktestEnv
    elapsed_s: float = 0.0
    first_ts_ns: int | None = None
    failure: StrategyFailed | None = None
    counters: dict[str, int] = field(default_factory=dict)

    @property
    def last_ts_ns(self) -> int:
        now: int = self.driver.now
        return now


def _driver_for(instruments: list[Instrument], config: BacktestConfig) -> native.ReplayDriver:
    try:
        deposit = Decimal(config.deposit)
    except InvalidOperation:
        raise BacktestError(f"deposit {config.deposit!r} is not a number") from None
    if not deposit.is_finite() or deposit <= 0:
        raise BacktestError(f"deposit must be a positive number, not {config.deposit}")
    if not 1 <= config.leverage <= 125:
        raise BacktestError(f"leverage must be between 1 and 125, not {config.leverage}")
    if not 0 <= config.seed < 2**64:
        raise BacktestError(f"seed must be between 0 and 2**64 - 1, not {config.seed}")
    markets = {inst.market for inst in instruments}
    if len(markets) != 1:
        raise BacktestError(f"every instrument of a run must be of one market, not {sorted(markets)}")
    market = markets.pop()
    if market == "spot":
        quotes = {inst.quote_asset for inst in instruments}
        if len(quotes) != 1:
            raise BacktestError(f"spot instruments of one run must share their quote asset, not {sorted(quotes)}")
        account_asset = quotes.pop()
    else:
        margins = {inst.margin_asset for inst in instruments}
        if len(margins) != 1:
            raise BacktestError(f"futures instruments of one run must share their margin asset, not {sorted(margins)}")
        account_asset = margins.pop()
    specs = [{
        "symbol": inst.symbol, "tick_size": inst.tick_size, "lot_size": inst.lot_size,
        "contract_size": inst.contract_size or 0, "maker_fee_rate": config.fees.maker,
        "taker_fee_rate": config.fees.taker, "leverage": config.leverage, "base_asset": inst.base_asset,
        "quote_asset": inst.quote_asset, "margin_asset": inst.margin_asset,
    } for inst in instruments]
    try:
        return native.ReplayDriver(
            market, specs, deposit=config.deposit, account_asset=account_asset,
            order_latency=config.order_latency.as_tuple(), report_latency=config.report_latency.as_tuple(),
            queue_model=config.queue_model, seed=config.seed, hedge_mode=config.hedge_mode,
            sample_interval_ns=config.sample_interval_ns)
    except (ValueError, OverflowError) as exc:
        raise BacktestError(f"bad backtest configuration: {exc}") from exc


def run_backtest(
    strategy: Strategy[Any],
    data: list[InstrumentData],
    config: BacktestConfig = BacktestConfig(),
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestRun:
    """Replays `data` through the strategy. A strategy exception ends the run early: the result
    then carries it in `failure` (nothing is lost: the outputs cover every event up to it).
    `progress(ts_ns, data_events)` is called every ~1M rows."""
    if not data:
        raise BacktestError("a backtest needs at least one instrument")
    instruments = [item.instrument for item in data]
    driver = _driver_for(instruments, config)
    env = BacktestEnv(driver, instruments)
    run = BacktestRun(config, instruments, driver, env)

    sources: list[tuple[str, Iterator[Chunk]]] = []
    for index, item in enumerate(data):
        unknown = set(item.streams) - set(STREAM_OF)
        if unknown:
            raise BacktestError(f"{item.instrument.symbol}: cannot replay data type(s) {sorted(unknown)}")
        for data_type in _STREAM_ORDER:
            if data_type in item.streams:
                if data_type == "agg_trades" and "trades" in item.streams:
                    continue  # the same trades, aggregated: replaying both would count them twice
                driver.add_stream(index, STREAM_OF[data_type])
                sources.append((data_type, iter(item.streams[data_type])))

    # The first chunk of every stream, so that "no data" is known before the strategy starts.
    first = [_next_chunk(data_type, source) for data_type, source in sources]
    if all(chunk is None for chunk in first):
        raise BacktestError("no data in the requested range for " + ", ".join(i.symbol for i in instruments))
    for stream, chunk in enumerate(first):
        _feed(driver, stream, sources[stream][0], chunk)
    run.first_ts_ns = min(int(chunk["ts_ns"][0]) for chunk in first if chunk is not None)

    started = time.perf_counter()
    try:
        env.attach(strategy)
        _call(strategy.on_start)
        while True:
            code, stream = _run_driver(driver)
            if code == native.RUN_NEED_DATA:
                data_type, source = sources[stream]
                _feed(driver, stream, data_type, _next_chunk(data_type, source))
            elif code == native.RUN_PAUSED:
                if progress is not None:
                    progress(driver.now, driver.counters()["data_events"])
            else:
                break
        if progress is not None:
            progress(driver.now, driver.counters()["data_events"])
        _call(strategy.on_stop)
    except StrategyFailed as failure:
        run.failure = failure
    finally:
        run.elapsed_s = time.perf_counter() - started
        driver.finish()
        run.counters = driver.counters()
    return run


def _run_driver(driver: native.ReplayDriver) -> tuple[int, int]:
    """One stretch of the loop. An exception from a strategy callback is the strategy's failure;
    any other (the driver refusing the data, say) is the data's, reported as such."""
    try:
        result: tuple[int, int] = driver.run(_PROGRESS_ROWS)
        return result
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        if driver.callback_failed:
            raise StrategyFailed(f"the strategy raised {type(exc).__name__}: {exc}", traceback.format_exc()) from exc
        raise BacktestError(f"the replay stopped on bad data: {type(exc).__name__}: {exc}") from exc


def _call(function: Callable[..., Any], *args: Any) -> Any:
    """Runs strategy code (directly, or through the driver's callbacks); its exception becomes
    StrategyFailed carrying the strategy's traceback."""
    try:
        return function(*args)
    except (BacktestError, KeyboardInterrupt):
        raise
    except Exception as exc:
        raise StrategyFailed(f"the strategy raised {type(exc).__name__}: {exc}", traceback.format_exc()) from exc


def _next_chunk(data_type: str, source: Iterator[Chunk]) -> Chunk | None:
    """The next non-empty chunk, or None at the end. A read error is the data's fault, not the
    strategy's, and is reported as such."""
    while True:
        try:
            chunk = next(source)
        except StopIteration:
            return None
        except BacktestError:
            raise
        except Exception as exc:
            raise BacktestError(f"reading {data_type} data failed: {exc}") from exc
        if len(chunk["ts_ns"]):
            return chunk


def _feed(driver: native.ReplayDriver, stream: int, data_type: str, chunk: Chunk | None) -> None:
    if chunk is None:
        driver.end_stream(stream)
        return
    try:
        arguments = chunk_arguments(data_type, chunk)
    except ValueError as exc:
        raise BacktestError(str(exc)) from exc
    ts = np.asarray(arguments["ts"])
    if len(ts) > 1 and bool(np.any(ts[1:] < ts[:-1])):
        raise BacktestError(f"{data_type} data is not in time order (the catalog sorts it; was it written by hand?)")
    driver.set_chunk(stream, **arguments)
