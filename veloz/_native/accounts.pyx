# cython: boundscheck=False, wraparound=False, initializedcheck=False
"""Spot balances and futures positions (csrc/veloz/spot_account.hpp, futures_account.hpp).

Money is int in units of 1e-8 of an asset; prices ticks; quantities lots (COIN-M: contracts).
Reads are one call each: a NamedTuple for one balance or position, a numpy structured array for
all of them. Every refused operation raises AccountError and changes nothing.
"""
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.string cimport memcpy
from libcpp.memory cimport unique_ptr
from libcpp.vector cimport vector

from accounts_decl cimport (AssetId, FeeAsset, Fill, FuturesAccount as CFuturesAccount, FuturesRisk,
                            FuturesSummary as CFuturesSummary, InstrumentSpec, MarginType, OrderSide,
                            PositionMode, PositionSide, PositionSnapshot, SpotAccount as CSpotAccount,
                            SpotBalance as CSpotBalance, SpotOrderLock as CSpotOrderLock, kMaxLeverage, kNoAsset,
                            set_account_error_type)
from core_decl cimport BookMarket, string_view

import numpy as np

from veloz._native.fixed import DecimalGrid
from veloz._types import FuturesSummary, Position, SpotBalance, SpotOrderLock
from veloz.errors import AccountError

set_account_error_type(AccountError)

MAX_LEVERAGE = kMaxLeverage
POSITION_DTYPE = np.dtype([(name, np.int64) for name in Position._fields])
assert POSITION_DTYPE.itemsize == sizeof(PositionSnapshot)
BALANCE_DTYPE = np.dtype([("asset", "U16"), ("free", np.int64), ("locked", np.int64), ("fees", np.int64)])

_FUTURES_MARKETS = {"usdm": BookMarket.usdm, "coinm": BookMarket.coinm}


cdef OrderSide to_order_side(int side) except *:
    if side == 0:
        return OrderSide.buy
    if side == 1:
        return OrderSide.sell
    raise AccountError(f"side must be 0 (buy) or 1 (sell), not {side}")


cdef PositionSide to_position_side(int side) except *:
    if 0 <= side <= 2:
        return <PositionSide>side
    raise AccountError(f"position side must be 0 (BOTH), 1 (LONG) or 2 (SHORT), not {side}")


cdef Fill make_fill(uint64_t order_id, int64_t trade_id, uint32_t instrument, int side, int64_t price, int64_t qty,
                    int64_t fee, bint is_maker, int64_t ts_ns) except *:
    cdef Fill fill
    fill.order_id = order_id
    fill.trade_id = trade_id
    fill.instrument = instrument
    fill.side = to_order_side(side)
    fill.price = price
    fill.qty = qty
    fill.is_maker = is_maker
    fill.fee = fee
    fill.ts_ns = ts_ns
    return fill


cdef InstrumentSpec make_spec(BookMarket market, str tick_size, str lot_size, int64_t contract_size) except *:
    """The instrument's grids; a bad step raises DecimalFormatError, as everywhere else."""
    cdef InstrumentSpec spec
    price = DecimalGrid(tick_size, "tick size")
    qty = DecimalGrid(lot_size, "lot size")
    spec.market = market
    spec.price_grid.scale = price.scale
    spec.price_grid.step_units = price.step_units
    spec.qty_grid.scale = qty.scale
    spec.qty_grid.step_units = qty.step_units
    spec.contract_size = contract_size
    return spec


cdef class SpotAccount:
    """Per-asset free and locked balances of a spot account.

    ``place_order`` locks the quote value at the limit price (buy) or the base quantity (sell);
    ``apply_fill`` settles from the lock and charges the commission in its fee asset (by default
    Binance's: base for a buy, quote for a sell); ``release_order`` unlocks what is left.
    """

    cdef CSpotAccount account
    cdef dict asset_ids  # name -> id, so a call with an asset name costs one dict lookup

    def __cinit__(self):
        self.asset_ids = {}

    cdef AssetId known_asset(self, str name) except? 0xFFFFFFFF:
        found = self.asset_ids.get(name)
        if found is None:
            raise AccountError(f"unknown asset {name!r}")
        return found

    def add_asset(self, str name) -> int:
        """Registers an asset (e.g. ``"BTC"``) and returns its id."""
        cdef bytes raw = name.encode()
        cdef AssetId asset = self.account.add_asset(string_view(raw, len(raw)))
        self.asset_ids[name] = asset
        return asset

    cdef AssetId asset_or_new(self, str name) except? 0xFFFFFFFF:
        found = self.asset_ids.get(name)
        return self.add_asset(name) if found is None else found

    @property
    def assets(self) -> tuple:
        """Asset names in id order."""
        return tuple(self.asset_ids)

    def add_instrument(self, uint32_t instrument, str tick_size, str lot_size, str base, str quote) -> None:
        """Registers spot instrument ``instrument`` (the engine's index) trading ``base`` for ``quote``;
        the assets are added if new."""
        cdef InstrumentSpec spec = make_spec(BookMarket.spot, tick_size, lot_size, 0)
        cdef bytes base_raw = base.encode(), quote_raw = quote.encode()
        self.account.add_instrument(instrument, spec, string_view(base_raw, len(base_raw)),
                                    string_view(quote_raw, len(quote_raw)))
        for name, raw in ((base, base_raw), (quote, quote_raw)):
            self.asset_ids[name] = self.account.find_asset(string_view(raw, len(raw)))

    def deposit(self, str asset, int64_t amount) -> None:
        """Adds ``amount`` (1e-8 units) to the free balance; a new asset is registered."""
        if amount <= 0:
            raise AccountError(f"deposit of {asset} must be positive, not {amount}")
        self.account.deposit(self.asset_or_new(asset), amount)

    def withdraw(self, str asset, int64_t amount) -> None:
        """Takes ``amount`` from the free balance; refused if free cannot cover it."""
        self.account.withdraw(self.known_asset(asset), amount)

    def place_order(self, uint64_t order_id, uint32_t instrument, int side, int64_t limit_price, int64_t qty) -> int:
        """Locks what the order may need and returns that amount (1e-8 of quote for a buy, base for
        a sell). A market buy passes its protection price as ``limit_price``; a sell ignores it."""
        return self.account.place_order(order_id, instrument, to_order_side(side), limit_price, qty)

    def release_order(self, uint64_t order_id) -> int:
        """Cancel, expire or reject: unlocks what the order still holds and returns that amount."""
        return self.account.release_order(order_id)

    def apply_fill(self, uint64_t order_id, int64_t trade_id, uint32_t instrument, int side, int64_t price,
                   int64_t qty, int64_t fee=0, fee_asset=None, bint is_maker=False, int64_t ts_ns=0) -> None:
        """Settles one fill. ``fee`` is in 1e-8 of ``fee_asset`` (0 base, 1 quote; None: base for a
        buy, quote for a sell, as Binance charges)."""
        cdef Fill fill = make_fill(order_id, trade_id, instrument, side, price, qty, fee, is_maker, ts_ns)
        if fee_asset is None:
            fill.fee_asset = FeeAsset.base if side == 0 else FeeAsset.quote
        elif fee_asset == 0 or fee_asset == 1:
            fill.fee_asset = FeeAsset.base if fee_asset == 0 else FeeAsset.quote
        else:
            raise AccountError(f"a spot fee asset is 0 (base) or 1 (quote), not {fee_asset!r}")
        self.account.apply_fill(fill)

    def balance(self, str asset) -> SpotBalance:
        """(free, locked, fees) of one asset."""
        cdef const CSpotBalance* b = &self.account.balance(self.known_asset(asset))
        return SpotBalance(b.free_e8, b.locked_e8, b.fees_e8)

    def balances(self):
        """Every asset as one numpy structured array (BALANCE_DTYPE: asset, free, locked, fees)."""
        cdef size_t n = self.account.asset_count(), i
        out = np.zeros(n, dtype=BALANCE_DTYPE)
        free = np.empty(n, dtype=np.int64)
        locked = np.empty(n, dtype=np.int64)
        fees = np.empty(n, dtype=np.int64)
        cdef int64_t[::1] fv = free, lv = locked, ev = fees
        cdef const CSpotBalance* b
        for i in range(n):
            b = &self.account.balance(<AssetId>i)
            fv[i] = b.free_e8
            lv[i] = b.locked_e8
            ev[i] = b.fees_e8
        out["asset"] = list(self.asset_ids)
        out["free"] = free
        out["locked"] = locked
        out["fees"] = fees
        return out

    def order_lock(self, uint64_t order_id):
        """What an open order holds (SpotOrderLock), or None when it holds nothing."""
        cdef const CSpotOrderLock* lock = self.account.find_order(order_id)
        if lock == NULL:
            return None
        return SpotOrderLock(lock.instrument, <int>lock.side, lock.limit_price, lock.remaining_qty, lock.locked_e8)

    @property
    def open_orders(self) -> int:
        return self.account.open_orders()


cdef class FuturesAccount:
    """A USD-M (``"usdm"``, linear, money in the quote asset) or COIN-M (``"coinm"``, inverse, money
    in the coin) perpetual futures account in one margin asset, one-way or hedge mode."""

    cdef unique_ptr[CFuturesAccount] account
    cdef vector[PositionSnapshot] scratch  # reused by positions(): no allocation per call
    cdef readonly str market

    def __cinit__(self, str market="usdm", bint hedge_mode=False):
        if market not in _FUTURES_MARKETS:
            raise AccountError(f"market must be one of {sorted(_FUTURES_MARKETS)}, not {market!r}")
        self.account.reset(new CFuturesAccount(<BookMarket>_FUTURES_MARKETS[market],
                                               PositionMode.hedge if hedge_mode else PositionMode.one_way))
        self.market = market

    def __init__(self, str market="usdm", bint hedge_mode=False):
        pass  # all set up in __cinit__; declared so the signature is introspectable

    @property
    def hedge_mode(self) -> bool:
        return self.account.get().position_mode() == PositionMode.hedge

    def set_hedge_mode(self, bint hedge_mode) -> None:
        """Hedge mode (LONG and SHORT positions) or one-way (BOTH); only with no open position."""
        self.account.get().set_position_mode(PositionMode.hedge if hedge_mode else PositionMode.one_way)

    def add_instrument(self, uint32_t instrument, str tick_size, str lot_size, int64_t contract_size=0, *,
                       int leverage=20, bint isolated=False, int64_t maintenance_rate=400_000,
                       int64_t maintenance_amount=0) -> None:
        """Registers instrument ``instrument`` (the engine's index). ``contract_size`` is COIN-M's USD
        value of one contract; ``maintenance_rate`` is x 1e8 (0.4 % = 400_000) and
        ``maintenance_amount`` ("cum") in 1e-8 of the margin asset."""
        cdef FuturesRisk risk
        risk.leverage = leverage
        risk.margin_type = MarginType.isolated if isolated else MarginType.cross
        risk.maintenance_rate_e8 = maintenance_rate
        risk.maintenance_amount_e8 = maintenance_amount
        cdef InstrumentSpec spec = make_spec(self.account.get().market(), tick_size, lot_size, contract_size)
        self.account.get().add_instrument(instrument, spec, risk)

    def risk(self, uint32_t instrument) -> tuple:
        """(leverage, isolated, maintenance_rate x 1e8, maintenance_amount) of an instrument."""
        cdef const FuturesRisk* r = &self.account.get().risk(instrument)
        return (r.leverage, r.margin_type == MarginType.isolated, r.maintenance_rate_e8, r.maintenance_amount_e8)

    def set_leverage(self, uint32_t instrument, int leverage) -> None:
        self.account.get().set_leverage(instrument, leverage)

    def set_margin_type(self, uint32_t instrument, bint isolated) -> None:
        """Cross or isolated; only while the instrument has no open position."""
        self.account.get().set_margin_type(instrument, MarginType.isolated if isolated else MarginType.cross)

    def set_maintenance(self, uint32_t instrument, int64_t rate, int64_t amount) -> None:
        self.account.get().set_maintenance(instrument, rate, amount)

    def deposit(self, int64_t amount) -> None:
        self.account.get().deposit(amount)

    def withdraw(self, int64_t amount) -> None:
        """Refused beyond the available balance."""
        self.account.get().withdraw(amount)

    def adjust_isolated_margin(self, uint32_t instrument, int position_side, int64_t amount) -> None:
        """Adds (+) margin to an isolated position from the available balance, or removes (-) it
        down to the position's initial margin."""
        self.account.get().adjust_isolated_margin(instrument, to_position_side(position_side), amount)

    def set_mark_price(self, uint32_t instrument, int64_t mark_price) -> None:
        self.account.get().set_mark_price(instrument, mark_price)

    def apply_fill(self, uint64_t order_id, int64_t trade_id, uint32_t instrument, int side, int64_t price,
                   int64_t qty, int64_t fee=0, int position_side=0, bint is_maker=False, int64_t ts_ns=0) -> int:
        """Applies one fill (side 0 buy / 1 sell; ``fee`` in 1e-8 of the margin asset) and returns
        its realized PnL."""
        cdef Fill fill = make_fill(order_id, trade_id, instrument, side, price, qty, fee, is_maker, ts_ns)
        fill.position_side = to_position_side(position_side)
        fill.fee_asset = FeeAsset.margin
        return self.account.get().apply_fill(fill)

    def apply_funding(self, uint32_t instrument, int64_t mark_price, int64_t rate, int64_t funding_time_ns) -> int:
        """Funding at ``funding_time_ns``: every position of the instrument gets value(mark) x rate
        (``rate`` x 1e8; longs pay when positive). Returns the total received (+) or paid (-)."""
        return self.account.get().apply_funding(instrument, mark_price, rate, funding_time_ns)

    def position(self, uint32_t instrument, int position_side=0) -> Position:
        cdef PositionSnapshot s = self.account.get().position(instrument, to_position_side(position_side))
        return Position(s.instrument, s.position_side, s.margin_type, s.leverage, s.qty, s.entry_value_e8,
                        s.entry_price, s.mark_price, s.value_e8, s.unrealized_pnl_e8, s.realized_pnl_e8, s.fees_e8,
                        s.funding_e8, s.isolated_margin_e8, s.initial_margin_e8, s.maintenance_margin_e8,
                        s.liquidation_price)

    def positions(self, bint include_flat=False):
        """Every open position (or every position slot) as one numpy structured array (POSITION_DTYPE)."""
        self.scratch.clear()
        self.account.get().positions(self.scratch, include_flat)
        cdef size_t n = self.scratch.size()
        out = np.empty(n, dtype=POSITION_DTYPE)
        cdef int64_t[::1] raw
        if n:
            raw = out.view(np.int64)
            memcpy(&raw[0], self.scratch.data(), n * sizeof(PositionSnapshot))
        return out

    def summary(self) -> FuturesSummary:
        cdef CFuturesSummary s = self.account.get().summary()
        return FuturesSummary(s.wallet_balance_e8, s.unrealized_pnl_e8, s.margin_balance_e8, s.cross_wallet_e8,
                              s.isolated_margin_e8, s.initial_margin_e8, s.maintenance_margin_e8,
                              s.available_balance_e8, s.net_deposits_e8, s.realized_pnl_e8, s.fees_e8, s.funding_e8)

    def liquidation_price(self, uint32_t instrument, int position_side=0):
        """Liquidation price in ticks, or None when there is none (flat, or no positive price)."""
        cdef int64_t price = self.account.get().liquidation_price(instrument, to_position_side(position_side))
        return None if price == 0 else price
