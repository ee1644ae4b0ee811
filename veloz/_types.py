"""Small result types shared by the compiled bindings and the Python API."""

from __future__ import annotations

from typing import NamedTuple


class MarketImpact(NamedTuple):
    """What a market order of a given size would get from the book as it stands."""

    filled_qty: int  # lots
    unfilled_qty: int  # lots the book could not fill
    avg_price: float | None  # ticks
    worst_price: int | None  # ticks: the last level touched
    levels_used: int
    slippage_ticks: float | None  # avg price vs mid; positive = worse than mid
    slippage_bps: float | None


class SpotBalance(NamedTuple):
    """One asset of a spot account, in units of 1e-8 of the asset."""

    free: int
    locked: int  # held by open orders
    fees: int  # commissions charged in this asset so far (rebates negative)


class SpotOrderLock(NamedTuple):
    """What an open spot order holds back."""

    instrument: int
    side: int  # 0 buy, 1 sell
    limit_price: int  # ticks (0 for a sell)
    remaining_qty: int  # lots
    locked: int  # 1e-8 of the quote asset (buy) or base asset (sell)


class Position(NamedTuple):
    """One futures position. Money in 1e-8 of the margin asset (USD-M: quote; COIN-M: the coin)."""

    instrument: int
    position_side: int  # 0 BOTH, 1 LONG, 2 SHORT
    margin_type: int  # 0 cross, 1 isolated
    leverage: int
    qty: int  # lots or contracts; + long, - short
    entry_value: int  # cost basis: the opening fills' value less the share closed
    entry_price: int  # ticks, rounded half to even; 0 when flat
    mark_price: int  # ticks (the last fill price until a mark is set)
    value: int  # |qty| at the mark
    unrealized_pnl: int
    realized_pnl: int  # accumulated over the position's life
    fees: int
    funding: int  # received (+) or paid (-)
    isolated_margin: int
    initial_margin: int
    maintenance_margin: int
    liquidation_price: int  # ticks; 0 when there is none


class FuturesSummary(NamedTuple):
    """A futures account's totals in 1e-8 of its margin asset."""

    wallet_balance: int  # net deposits + realized PnL - fees + funding
    unrealized_pnl: int
    margin_balance: int  # wallet + unrealized (equity)
    cross_wallet: int  # wallet - isolated margins
    isolated_margin: int
    initial_margin: int
    maintenance_margin: int
    available_balance: int  # cross wallet + cross unrealized - cross initial margin
    net_deposits: int
    realized_pnl: int
    fees: int
    funding: int
