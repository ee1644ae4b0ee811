"""Small builders of the backtest's output tables for the analytics tests (imported by them), and a
check that they carry every column the analytics read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyarrow as pa

from veloz.analytics.columns import EQUITY_COLUMNS, FILLS_COLUMNS, ORDERS_COLUMNS, POSITIONS_COLUMNS

NS_PER_SECOND = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_SECOND
INSTRUMENT = "BTCUSDT"


@dataclass(frozen=True)
class Fill:
    ts_ns: int
    side: int
    qty: float
    price: float
    position_after: float
    fee: float = 0.0
    realized_pnl: float = 0.0
    is_maker: bool = False
    decision_mid: float = math.nan
    instrument: str = INSTRUMENT
    order_id: int = 0


@dataclass(frozen=True)
class Order:
    status: str
    qty: float
    filled_qty: float
    order_id: int = 0
    instrument: str = INSTRUMENT
    side: int = 1
    order_type: str = "LIMIT"


def equity_table(ts_ns: list[int], equity: list[float], *, funding: list[float] | None = None,
                 gross_exposure: list[float] | None = None) -> pa.Table:
    zeros = [0.0] * len(ts_ns)
    return pa.table({
        "ts_ns": pa.array(ts_ns, pa.int64()),
        "equity": pa.array(equity, pa.float64()),
        "wallet": pa.array(equity, pa.float64()),
        "unrealized_pnl": pa.array(zeros, pa.float64()),
        "realized_pnl": pa.array(zeros, pa.float64()),
        "fees": pa.array(zeros, pa.float64()),
        "funding": pa.array(funding if funding is not None else zeros, pa.float64()),
        "gross_exposure": pa.array(gross_exposure if gross_exposure is not None else zeros, pa.float64()),
    })


def fills_table(fills: list[Fill]) -> pa.Table:
    return pa.table({
        "ts_ns": pa.array([f.ts_ns for f in fills], pa.int64()),
        "order_id": pa.array([f.order_id for f in fills], pa.int64()),
        "instrument": pa.array([f.instrument for f in fills], pa.string()),
        "side": pa.array([f.side for f in fills], pa.int8()),
        "px_ticks": pa.array([round(f.price * 10) for f in fills], pa.int64()),
        "qty_lots": pa.array([round(f.qty * 1000) for f in fills], pa.int64()),
        "price": pa.array([f.price for f in fills], pa.float64()),
        "qty": pa.array([f.qty for f in fills], pa.float64()),
        "notional": pa.array([f.price * f.qty for f in fills], pa.float64()),
        "fee": pa.array([f.fee for f in fills], pa.float64()),
        "is_maker": pa.array([f.is_maker for f in fills], pa.bool_()),
        "trade_id": pa.array(range(len(fills)), pa.int64()),
        "decision_mid": pa.array([f.decision_mid for f in fills], pa.float64()),
        "realized_pnl": pa.array([f.realized_pnl for f in fills], pa.float64()),
        "position_after": pa.array([f.position_after for f in fills], pa.float64()),
    })


def orders_table(orders: list[Order]) -> pa.Table:
    return pa.table({
        "order_id": pa.array([o.order_id for o in orders], pa.int64()),
        "instrument": pa.array([o.instrument for o in orders], pa.string()),
        "side": pa.array([o.side for o in orders], pa.int8()),
        "order_type": pa.array([o.order_type for o in orders], pa.string()),
        "status": pa.array([o.status for o in orders], pa.string()),
        "qty": pa.array([o.qty for o in orders], pa.float64()),
        "filled_qty": pa.array([o.filled_qty for o in orders], pa.float64()),
        "created_ns": pa.array([0] * len(orders), pa.int64()),
        "last_update_ns": pa.array([0] * len(orders), pa.int64()),
        "tag": pa.array([None] * len(orders), pa.string()),
    })


def positions_table(ts_ns: list[int], qty: list[float], mark_price: list[float],
                    instrument: str = INSTRUMENT) -> pa.Table:
    zeros = [0.0] * len(ts_ns)
    return pa.table({
        "ts_ns": pa.array(ts_ns, pa.int64()),
        "instrument": pa.array([instrument] * len(ts_ns), pa.string()),
        "qty": pa.array(qty, pa.float64()),
        "entry_price": pa.array(zeros, pa.float64()),
        "mark_price": pa.array(mark_price, pa.float64()),
        "unrealized_pnl": pa.array(zeros, pa.float64()),
        "realized_pnl": pa.array(zeros, pa.float64()),
    })


def test_builders_carry_every_column_the_analytics_read() -> None:
    assert set(EQUITY_COLUMNS) <= set(equity_table([0], [1.0]).column_names)
    assert set(FILLS_COLUMNS) <= set(fills_table([Fill(0, 1, 1.0, 1.0, 1.0)]).column_names)
    assert set(ORDERS_COLUMNS) <= set(orders_table([Order("FILLED", 1.0, 1.0)]).column_names)
    assert set(POSITIONS_COLUMNS) <= set(positions_table([0], [0.0], [1.0]).column_names)
