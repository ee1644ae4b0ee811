"""BacktestEnv (the strategy_sdk Context in a replay) and the runner, on small in-memory data."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from strategy_sdk import OrderRejected, OrderStatus, OrderType, Side, Strategy
from veloz.backtest.env import parse_interval
from veloz.backtest.outputs import build_tables
from veloz.backtest.runner import BacktestConfig, InstrumentData, run_backtest
from veloz.errors import BacktestError
from veloz.instruments import Instrument
from veloz.matching import Latency

T0 = 1_723_161_600_000_000_000
USDM = Instrument(symbol="BTCUSDT", market="usdm", base_asset="BTC", quote_asset="USDT", margin_asset="USDT",
                  tick_size="0.1", step_size="0.001", lot_size="0.001", min_qty="0.001", min_notional="0")
SPOT = Instrument(symbol="BTCUSDT", market="spot", base_asset="BTC", quote_asset="USDT", margin_asset="USDT",
                  tick_size="0.01", step_size="0.00001", lot_size="0.00000001", min_qty="0.00001", min_notional="5")
NO_LATENCY = BacktestConfig(order_latency=Latency.constant(0), report_latency=Latency.constant(0))


def book_and_trades(n: int = 20, bid: int = 599_990, ask: int = 600_000) -> dict[str, Any]:
    """A fixed two-level book and n buyer trades at the ask, 1 ms apart."""
    depth = {"ts_ns": np.array([T0, T0], np.int64), "local_ts_ns": np.array([T0, T0], np.int64),
             "update_id": np.array([1, 1], np.int64), "kind": np.array([2, 2], np.int8),
             "side": np.array([1, -1], np.int8), "px": np.array([bid, ask], np.int64),
             "qty": np.array([10_000, 10_000], np.int64)}
    ts = T0 + 1_000_000 * np.arange(1, n + 1, dtype=np.int64)
    trades = {"ts_ns": ts, "local_ts_ns": ts, "trade_id": np.arange(1, n + 1, dtype=np.int64),
              "px": np.full(n, ask, np.int64), "qty": np.ones(n, np.int64), "side": np.ones(n, np.int8)}
    return {"depth": [depth], "trades": [trades]}


def run(strategy: Strategy[Any], config: BacktestConfig = NO_LATENCY, instrument: Instrument = USDM, **kw: Any):
    return run_backtest(strategy, [InstrumentData(instrument, book_and_trades(**kw))], config)


class Scripted(Strategy):
    """Calls `script(ctx, trade_number)` on each trade."""

    def __init__(self, script) -> None:  # noqa: ANN001
        super().__init__()
        self.script = script
        self.seen = 0
        self.fills: list[Any] = []
        self.orders: list[Any] = []

    def on_start(self) -> None:
        self.ctx.subscribe_trades("BTCUSDT")

    def on_trade(self, trade) -> None:  # noqa: ANN001
        self.seen += 1
        self.script(self.ctx, self.seen)

    def on_fill(self, fill) -> None:  # noqa: ANN001
        self.fills.append(fill)

    def on_order(self, order) -> None:  # noqa: ANN001
        self.orders.append((order.order_id, order.status))


def test_orders_position_and_book_queries_through_the_context() -> None:
    state: dict[str, Any] = {}

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            book = ctx.book("BTCUSDT")
            state["book"] = (book.best_bid(), book.best_ask(), book.mid(), book.spread(), book.levels(-1, 5),
                             book.depth(1, 599_990), book.slippage(Side.BUY, 5))
            state["market"] = ctx.place_order("BTCUSDT", Side.BUY, 3, tag="entry")
            state["rest"] = ctx.place_order("BTCUSDT", Side.SELL, 2, 600_100, post_only=True)
        if i == 2:
            state["position"] = ctx.position("BTCUSDT")
            state["open"] = [o.order_id for o in ctx.open_orders("BTCUSDT")]
            state["balances"] = ctx.balances()
            state["cancelled"] = ctx.cancel_all()

    strategy = Scripted(script)
    result = run(strategy)
    assert result.failure is None
    assert state["book"] == ((599_990, 10_000), (600_000, 10_000), 599_995.0, 10, [(600_000, 10_000)], 10_000,
                             (5, 600_000.0))
    position = state["position"]
    assert (position.qty_lots, position.entry_px_ticks) == (3, 600_000)
    assert state["open"] == [state["rest"]]
    assert state["cancelled"] == 1
    usdt = state["balances"]["USDT"]
    assert usdt.total_e8 < 10_000 * 10**8  # the taker fee of the fill: 180 USDT x 0.0005
    assert usdt.total_e8 == 10_000 * 10**8 - 9_000_000
    market = result.env.order(state["market"])
    assert market.status == OrderStatus.FILLED and market.tag == "entry" and market.order_type == OrderType.MARKET
    assert result.env.order(state["rest"]).status == OrderStatus.CANCELED
    assert [(f.order_id, f.px_ticks, f.qty_lots, f.is_maker) for f in strategy.fills] == [(state["market"], 600_000, 3, False)]
    assert (state["rest"], int(OrderStatus.CANCELED)) in strategy.orders


@pytest.mark.parametrize("bad", [1.5, "3", True, None])
def test_a_quantity_that_is_not_a_whole_number_of_lots_is_refused(bad: object) -> None:
    errors: list[str] = []

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            try:
                ctx.place_order("BTCUSDT", Side.BUY, bad)
            except OrderRejected as exc:
                errors.append(str(exc))

    assert run(Scripted(script)).failure is None
    assert len(errors) == 1 and "qty_lots" in errors[0]


def test_refusals_raise_order_rejected_and_change_nothing() -> None:
    errors: list[type] = []

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            for call in (lambda: ctx.place_order("BTCUSDT", Side.BUY, 0),
                         lambda: ctx.place_order("BTCUSDT", Side.BUY, 1, -5),
                         lambda: ctx.cancel(999),
                         lambda: ctx.amend(999, px_ticks=1)):
                try:
                    call()
                except OrderRejected as exc:
                    errors.append(type(exc))
            with pytest.raises(ValueError, match="unknown instrument"):
                ctx.place_order("ETHUSDT", Side.BUY, 1)

    result = run(Scripted(script))
    assert result.failure is None and len(errors) == 4
    assert len(result.driver.fills_array()) == 0


def test_a_spot_buy_the_balance_cannot_cover_is_rejected_before_sending() -> None:
    raised: list[str] = []

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            try:
                ctx.place_order("BTCUSDT", Side.BUY, 10**8, 6_000_000)  # 1 BTC at 60,000 with 10,000 USDT
            except OrderRejected as exc:
                raised.append(str(exc))

    result = run(Scripted(script), instrument=SPOT, bid=5_999_999, ask=6_000_000)
    assert raised and "rejected before it was sent" in raised[0]
    assert result.env.order(1).status == OrderStatus.REJECTED


def test_timers_and_records_reach_the_outputs() -> None:
    class Timed(Strategy):
        def on_start(self) -> None:
            self.fired: list[tuple[str, int]] = []
            self.ctx.set_timer(5_000_000, "tick", repeat=True)
            self.ctx.set_timer(2_500_000, "once")

        def on_timer(self, timer) -> None:  # noqa: ANN001
            self.fired.append((timer.name, timer.ts_ns - T0))
            self.ctx.record("spread", 10.0)
            if timer.name == "once":
                self.ctx.place_order("BTCUSDT", Side.BUY, 1)

    strategy = Timed()
    result = run(strategy, n=12)
    assert strategy.fired == [("once", 2_500_000), ("tick", 5_000_000), ("tick", 10_000_000)]
    tables = build_tables(result)
    assert tables.records.column("name").to_pylist() == ["spread"] * 3
    assert tables.orders.column("factors").to_pylist() == ['{"spread": 10.0}']


def test_parse_interval() -> None:
    assert parse_interval("250ms") == 250_000_000 and parse_interval("1m") == 60_000_000_000
    assert parse_interval("1h") == 3_600_000_000_000 and parse_interval(7) == 7
    for bad in ("", "m", "1x", "-1s", "0s", "1.5s"):
        with pytest.raises(ValueError):
            parse_interval(bad)


def test_an_exception_in_the_strategy_stops_the_run_with_its_traceback() -> None:
    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            ctx.place_order("BTCUSDT", Side.BUY, 1)
        if i == 5:
            raise KeyError("my bug")

    result = run(Scripted(script))
    assert result.failure is not None
    assert "my bug" in str(result.failure) and "in script" in result.failure.strategy_traceback
    # everything up to the exception is there: the fill, and the equity through the last event
    assert len(result.driver.fills_array()) == 1
    assert result.counters["data_events"] == 2 + 5
    assert result.driver.equity_array()["ts"][-1] == T0 + 5_000_000


def test_no_data_in_range_is_an_error_before_the_strategy_starts() -> None:
    class Never(Strategy):
        def on_start(self) -> None:
            raise AssertionError("must not start")

    empty = {"ts_ns": np.array([], np.int64), "local_ts_ns": np.array([], np.int64),
             "trade_id": np.array([], np.int64), "px": np.array([], np.int64), "qty": np.array([], np.int64),
             "side": np.array([], np.int8)}
    with pytest.raises(BacktestError, match="no data"):
        run_backtest(Never(), [InstrumentData(USDM, {"trades": [empty]})])


def test_two_runs_give_identical_fills_and_equity() -> None:
    def script(ctx, i):  # noqa: ANN001
        if i % 3 == 0:
            ctx.place_order("BTCUSDT", Side.BUY if i % 2 else Side.SELL, i % 5 + 1)

    config = BacktestConfig(order_latency=Latency.lognormal(100_000, 12.0, 0.8),
                            report_latency=Latency.uniform(50_000, 900_000), seed=7)
    a, b = run(Scripted(script), config, n=60), run(Scripted(script), config, n=60)
    assert len(a.driver.fills_array()) > 5
    assert a.driver.fills_array().tobytes() == b.driver.fills_array().tobytes()
    assert a.driver.equity_array().tobytes() == b.driver.equity_array().tobytes()


def test_futures_orders_the_available_margin_cannot_cover_are_refused_before_sending() -> None:
    outcomes: list[str] = []

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            # 20x leverage: 0.05 BTC at 60,000 needs 150 USDT of margin, 0.01 BTC needs 30
            for qty in (50, 10):
                try:
                    ctx.place_order("BTCUSDT", Side.BUY, qty)
                    outcomes.append(f"sent {qty}")
                except OrderRejected as exc:
                    outcomes.append(f"refused {qty}: {exc}")
        if i == 3:
            # closing needs no margin, whatever the balance
            ctx.place_order("BTCUSDT", Side.SELL, 10)
            outcomes.append("closed")

    result = run(Scripted(script), BacktestConfig(deposit="100", order_latency=Latency.constant(0),
                                                  report_latency=Latency.constant(0)))
    assert result.failure is None
    assert outcomes[0].startswith("refused 50") and "does not cover" in outcomes[0]
    assert outcomes[1:] == ["sent 10", "closed"]
    assert result.env.order(1).status == OrderStatus.REJECTED and result.env.order(1).reject_code == -2019
    assert result.driver.position(0)[0] == 0


@pytest.mark.parametrize("deposit", ["0", "-100", "abc"])
def test_a_deposit_that_is_not_positive_is_refused(deposit: str) -> None:
    with pytest.raises(BacktestError, match="deposit"):
        run(Scripted(lambda ctx, i: None), BacktestConfig(deposit=deposit))


# ---- found by review ----------------------------------------------------------------------

def test_a_spot_market_buy_the_free_balance_cannot_cover_is_refused_before_sending() -> None:
    outcomes: list[str] = []

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            for lots in (10_000, 5_000):  # 0.0001 BTC = 0.60 USDT > 0.5; 0.00005 BTC = 0.30 USDT
                try:
                    ctx.place_order("BTCUSDT", Side.BUY, lots)
                    outcomes.append(f"sent {lots}")
                except OrderRejected as exc:
                    outcomes.append(f"refused {lots}: {exc}")

    result = run(Scripted(script), BacktestConfig(deposit="0.5", order_latency=Latency.constant(0),
                                                  report_latency=Latency.constant(0)),
                 instrument=SPOT, bid=599_999, ask=600_000)
    assert outcomes[0].startswith("refused 10000") and outcomes[1] == "sent 5000"
    assert result.counters["account_refusals"] == 0
    assert len(result.driver.fills_array()) == 1


def test_spot_position_reports_entry_and_unrealized_pnl() -> None:
    seen = {}

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            ctx.place_order("BTCUSDT", Side.BUY, 10_000)  # 0.0001 BTC at 6,000.00
        if i == 3:
            seen["position"] = ctx.position("BTCUSDT")

    run(Scripted(script), NO_LATENCY, instrument=SPOT, bid=599_000, ask=600_000)
    position = seen["position"]
    # the 0.05% commission is paid in BTC: 5 of the 10,000 lots bought
    assert position.qty_lots == 9_995 and position.entry_px_ticks == 600_000
    assert position.unrealized_pnl == pytest.approx(-0.0005)  # 0.0001 BTC valued at the mid 5,995.00


def test_reading_the_position_does_not_change_what_the_margin_check_decides() -> None:
    def decide(peek: bool) -> list[bool]:
        sent = []

        def script(ctx, i):  # noqa: ANN001
            if i == 2:
                if peek:
                    ctx.position("BTCUSDT")
                    ctx.balances()
                for _ in range(3):
                    try:
                        ctx.place_order("BTCUSDT", Side.BUY, 10)
                        sent.append(True)
                    except OrderRejected:
                        sent.append(False)

        run(Scripted(script), BacktestConfig(deposit="75", order_latency=Latency.constant(0),
                                             report_latency=Latency.constant(0)))
        return sent

    assert decide(False) == decide(True)


def test_a_data_error_inside_the_replay_is_not_blamed_on_the_strategy() -> None:
    data = book_and_trades()
    ts = np.array([T0 + 5_000_000], np.int64)
    data["funding"] = [{"ts_ns": ts, "local_ts_ns": ts, "rate_e8": np.array([2**62], np.int64),
                        "mark_px": np.array([2**62], np.int64)}]

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            ctx.place_order("BTCUSDT", Side.BUY, 1)

    with pytest.raises(BacktestError, match="bad data"):
        run_backtest(Scripted(script), [InstrumentData(USDM, data)], NO_LATENCY)


def test_numbers_the_binding_would_truncate_or_overflow_are_refused() -> None:
    checks: dict[str, object] = {}

    def script(ctx, i):  # noqa: ANN001
        if i == 1:
            checks["order(-1)"] = ctx.order(-1)
            for name, call in (("huge qty", lambda: ctx.place_order("BTCUSDT", Side.BUY, 2**63)),
                               ("cancel(-1)", lambda: ctx.cancel(-1)),
                               ("amend(-1)", lambda: ctx.amend(-1, px_ticks=1))):
                try:
                    call()
                except OrderRejected:
                    checks[name] = "refused"
            with pytest.raises(TypeError):
                ctx.book("BTCUSDT").depth(1, 599_990.9)
            info = ctx.instrument("BTCUSDT")
            checks["ticks"] = info.ticks(np.float64(60000.1))

    assert run(Scripted(script)).failure is None
    assert checks == {"order(-1)": None, "huge qty": "refused", "cancel(-1)": "refused", "amend(-1)": "refused",
                      "ticks": 600_001}


def test_float_price_columns_are_refused_not_truncated() -> None:
    data = book_and_trades()
    data["trades"][0]["px"] = data["trades"][0]["px"].astype(np.float64) + 0.5
    with pytest.raises(ValueError, match="must hold integers"):
        run_backtest(Scripted(lambda ctx, i: None), [InstrumentData(USDM, data)], NO_LATENCY)
