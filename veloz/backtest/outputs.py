"""A run's output tables, in the account currency (USD-M: USDT, COIN-M: the coin, spot: the quote
asset), and writing them to the output directory. Every file is written to a temporary name and
renamed into place, so a file in the directory is always whole."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq

from veloz.backtest.runner import BacktestRun
from veloz.instruments import Instrument
from veloz.order_types import OrderStatus, OrderType, TimeInForce

__all__ = ["RunTables", "atomic_write", "build_tables", "write_parquet"]

E8 = 1e8
_FEE_BASE, _FEE_QUOTE = 0, 1


class RunTables:
    def __init__(self, orders: pa.Table, fills: pa.Table, positions: pa.Table, equity: pa.Table,
                 records: pa.Table) -> None:
        self.orders, self.fills, self.positions, self.equity, self.records = orders, fills, positions, equity, records


def _scale(instrument: Instrument) -> tuple[float, float]:
    """(price per tick, quantity per lot) as floats, for the float columns."""
    return float(Decimal(instrument.tick_size)), float(Decimal(instrument.lot_size))


def _prices(ticks: np.ndarray, instrument: Instrument) -> np.ndarray:
    # Dividing by a power of ten rounds correctly where multiplying by 0.1 would not.
    grid = instrument.price_grid
    return (ticks.astype(np.float64) * grid.step_units) / (10.0 ** grid.scale)


def _qtys(lots: np.ndarray, instrument: Instrument) -> np.ndarray:
    grid = instrument.lot_grid
    return (lots.astype(np.float64) * grid.step_units) / (10.0 ** grid.scale)


def _per_instrument(index: np.ndarray, instruments: list[Instrument],
                    convert: Callable[[np.ndarray, Instrument], np.ndarray], values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(values), dtype=np.float64)
    for i, inst in enumerate(instruments):
        mask = index == i
        if mask.any():
            out[mask] = convert(values[mask], inst)
    return out


def _notional(prices: np.ndarray, qtys: np.ndarray, index: np.ndarray, instruments: list[Instrument]) -> np.ndarray:
    """Traded value in the account currency: price x qty, or contracts x size / price on COIN-M."""
    out: np.ndarray = np.multiply(prices, qtys)
    for i, inst in enumerate(instruments):
        if inst.market == "coinm":
            mask = index == i
            with np.errstate(divide="ignore", invalid="ignore"):
                out[mask] = np.where(prices[mask] > 0, qtys[mask] * (inst.contract_size or 0) / prices[mask], 0.0)
    return out


def build_tables(run: BacktestRun) -> RunTables:
    instruments = run.instruments
    symbols = np.array([inst.symbol for inst in instruments], dtype=object)
    driver = run.driver

    fills = driver.fills_array()
    f_inst = fills["instrument"]
    price = _per_instrument(f_inst, instruments, _prices, fills["px"])
    qty = _per_instrument(f_inst, instruments, _qtys, fills["qty"])
    fee_native = fills["fee_e8"] / E8
    # spot buys pay their commission in the base asset: valued at the fill price
    fee = np.where(fills["fee_asset"] == _FEE_BASE, fee_native * price, fee_native)
    fee_asset_names = [
        (inst.base_asset, inst.quote_asset, inst.margin_asset)[asset]
        for inst, asset in zip((instruments[i] for i in f_inst), fills["fee_asset"], strict=True)
    ]
    mid2 = fills["decision_mid2"]
    decision_mid = np.where(mid2 > 0, _per_instrument(f_inst, instruments, _prices, mid2) / 2.0, np.nan)
    fills_table = pa.table({
        "ts_ns": fills["ts"],
        "order_id": fills["order_id"],
        "instrument": pa.array(symbols[f_inst].tolist() if len(f_inst) else [], pa.string()),
        "side": np.where(fills["side"] == 0, 1, -1).astype(np.int8),
        "px_ticks": fills["px"],
        "qty_lots": fills["qty"],
        "price": price,
        "qty": qty,
        "notional": _notional(price, qty, f_inst, instruments),
        "fee": fee,
        "fee_native": fee_native,
        "fee_asset": pa.array(fee_asset_names, pa.string()),
        "is_maker": fills["is_maker"].astype(bool),
        "trade_id": fills["trade_id"],
        "decision_mid": decision_mid,
        "realized_pnl": fills["realized_e8"] / E8,
        "position_after": _per_instrument(f_inst, instruments, _qtys, fills["position_after"]),
    })

    orders = driver.orders_array()
    o_inst = orders["instrument"].astype(np.int64)
    avg = np.where(orders["filled_qty"] > 0, _avg_price_ticks(orders), np.nan)
    factors = [json.dumps(run.env.order_factors[int(i)], sort_keys=True) if int(i) in run.env.order_factors else None
               for i in orders["order_id"]]
    orders_table = pa.table({
        "order_id": orders["order_id"].astype(np.int64),
        "client_order_id": pa.array([_client_id(row) for row in orders], pa.string()),
        "instrument": pa.array(symbols[o_inst].tolist() if len(o_inst) else [], pa.string()),
        "side": np.where(orders["side"] == 0, 1, -1).astype(np.int8),
        "order_type": pa.array([OrderType(int(t)).name for t in orders["order_type"]], pa.string()),
        "time_in_force": pa.array([TimeInForce(int(t)).name for t in orders["time_in_force"]], pa.string()),
        "status": pa.array([OrderStatus(int(s)).name for s in orders["status"]], pa.string()),
        "reduce_only": orders["reduce_only"].astype(bool),
        "px_ticks": orders["price"],
        "price": _per_instrument(o_inst, instruments, _prices, orders["price"]),
        "stop_px_ticks": orders["stop_price"],
        "qty_lots": orders["qty"],
        "qty": _per_instrument(o_inst, instruments, _qtys, orders["qty"]),
        "filled_lots": orders["filled_qty"],
        "filled_qty": _per_instrument(o_inst, instruments, _qtys, orders["filled_qty"]),
        "avg_price": np.where(orders["filled_qty"] > 0, _per_instrument(o_inst, instruments, _prices_float, avg), np.nan),
        "created_ns": orders["created_ns"],
        "last_update_ns": orders["last_update_ns"],
        "reject_code": orders["last_reject_code"].astype(np.int32),
        "tag": pa.array([run.env.tag(int(i)) for i in orders["order_id"]], pa.string()),
        "factors": pa.array(factors, pa.string()),
    })

    positions = driver.positions_array()
    p_inst = positions["instrument"]
    positions_table = pa.table({
        "ts_ns": positions["ts"],
        "instrument": pa.array(symbols[p_inst].tolist() if len(p_inst) else [], pa.string()),
        "position_side": positions["position_side"].astype(np.int8),
        "qty_lots": positions["qty"],
        "qty": _per_instrument(p_inst, instruments, _qtys, positions["qty"]),
        "entry_price": _per_instrument(p_inst, instruments, _prices, positions["entry_px"]),
        "mark_price": _per_instrument(p_inst, instruments, _prices, positions["mark_px"]),
        "unrealized_pnl": positions["unrealized_e8"] / E8,
        "realized_pnl": positions["realized_e8"] / E8,
    })

    equity = driver.equity_array()
    equity_table = pa.table({
        "ts_ns": equity["ts"],
        "equity": equity["equity_e8"] / E8,
        "wallet": equity["wallet_e8"] / E8,
        "unrealized_pnl": equity["unrealized_e8"] / E8,
        "realized_pnl": equity["realized_e8"] / E8,
        "fees": equity["fees_e8"] / E8,
        "funding": equity["funding_e8"] / E8,
        "gross_exposure": equity["gross_exposure_e8"] / E8,
    })

    records = run.env.records
    records_table = pa.table({
        "ts_ns": pa.array([r[0] for r in records], pa.int64()),
        "name": pa.array([r[1] for r in records], pa.string()),
        "value": pa.array([r[2] for r in records], pa.float64()),
    })
    return RunTables(orders_table, fills_table, positions_table, equity_table, records_table)


def _avg_price_ticks(orders: np.ndarray) -> np.ndarray:
    notional = orders["fill_notional_hi"].astype(np.float64) * 18446744073709551616.0 + \
        orders["fill_notional_lo"].astype(np.float64)
    filled = orders["filled_qty"].astype(np.float64)
    return np.divide(notional, filled, out=np.zeros_like(notional), where=filled > 0)


def _prices_float(ticks: np.ndarray, instrument: Instrument) -> np.ndarray:
    grid = instrument.price_grid
    return (ticks * grid.step_units) / (10.0 ** grid.scale)


def _client_id(row: Any) -> str:
    raw = bytes(row["client_order_id"])
    return raw.split(b"\0", 1)[0].decode("ascii")


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Calls write(temp) for a temporary file beside `path`, then renames it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        write(temp)
        with open(temp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes it private; outputs are ordinary files
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_parquet(path: Path, table: pa.Table) -> None:
    atomic_write(path, lambda temp: pq.write_table(table, temp, compression="zstd"))


def write_outputs(run: BacktestRun, out_dir: Path, run_info: dict[str, Any]) -> dict[str, Any]:
    """Writes orders, fills, positions, equity and records (Parquet), metrics.json and report.html
    into `out_dir`; returns the metrics. Each file appears whole or not at all."""
    from veloz.analytics import compute_metrics, write_metrics_json

    from veloz.analytics.report import render_report_html

    # Everything is computed first, so a failure here writes nothing at all.
    tables = build_tables(run)
    start = run.first_ts_ns if run.first_ts_ns is not None else run.last_ts_ns
    end = max(run.last_ts_ns, start + 1)
    info = dict(run_info)
    info.update({
        "start_ns": start, "end_ns": end,
        "account_currency": _account_currency(run.instruments),
        "instruments": [inst.symbol for inst in run.instruments],
        "events": run.counters.get("data_events", 0),
        "refused_reports": run.counters.get("account_refusals", 0) + run.counters.get("oms_refusals", 0),
        "stopped_by_strategy_error": None if run.failure is None else str(run.failure),
    })
    metrics = compute_metrics(tables.equity, tables.fills, tables.orders, start_ns=start, end_ns=end)
    prices = tables.positions.select(["ts_ns", "instrument", "mark_price"]).rename_columns(
        ["ts_ns", "instrument", "price"])
    prices = prices.filter(pa.compute.greater(prices.column("price"), 0.0))
    page = render_report_html(equity=tables.equity, fills=tables.fills, orders=tables.orders,
                              positions=tables.positions, metrics=metrics, run_info=info, price_series=prices)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_parquet(out_dir / "orders.parquet", tables.orders)
    write_parquet(out_dir / "fills.parquet", tables.fills)
    write_parquet(out_dir / "positions.parquet", tables.positions)
    write_parquet(out_dir / "equity.parquet", tables.equity)
    write_parquet(out_dir / "records.parquet", tables.records)
    write_metrics_json(out_dir / "metrics.json", metrics, info)
    atomic_write(out_dir / "report.html", lambda temp: _write_text(temp, page))
    return metrics


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _account_currency(instruments: list[Instrument]) -> str:
    first = instruments[0]
    return first.quote_asset if first.market == "spot" else first.margin_asset
