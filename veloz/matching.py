"""The simulated venue: one matching engine per instrument, the same for backtests, paper trading
and the local Binance simulator. Rules and assumptions: docs/matching.md.

    venue = MatchingEngine.for_instrument(instrument, fees=Fees("0.0002", "0.0004"),
                                          order_latency=Latency.constant(1_000_000))
    venue.on_level(Side.BID, 618000, 1000, ts)          # market data, venue time
    venue.submit(1, OrderSide.BUY, OrderType.LIMIT, qty=5, price=618000, ts=ts)
    reports = venue.drain_reports(up_to_ts)              # REPORT_DTYPE numpy array
"""

from __future__ import annotations

from dataclasses import dataclass

from veloz._native.matching import REPORT_DTYPE
from veloz._native.matching import MatchingEngine as _NativeEngine
from veloz.instruments import Instrument
from veloz.order_types import (
    FeeAsset,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    RejectReason,
    ReportKind,
    TimeInForce,
    TriggerSource,
)

__all__ = [
    "REPORT_DTYPE", "FeeAsset", "Fees", "Latency", "MatchingEngine", "OrderSide", "OrderStatus", "OrderType",
    "PositionSide", "RejectReason", "ReportKind", "TimeInForce", "TriggerSource",
]


@dataclass(frozen=True)
class Latency:
    """A one-way delay: constant, uniform in [base, base + spread), or base + lognormal(mu, sigma)."""

    kind: str = "constant"
    base_ns: int = 0
    spread_ns: int = 0
    mu: float = 0.0
    sigma: float = 0.0

    @classmethod
    def constant(cls, ns: int) -> Latency:
        return cls("constant", ns)

    @classmethod
    def uniform(cls, base_ns: int, spread_ns: int) -> Latency:
        return cls("uniform", base_ns, spread_ns)

    @classmethod
    def lognormal(cls, base_ns: int, mu: float, sigma: float) -> Latency:
        """base + exp(N(mu, sigma)) ns; e.g. mu=ln(200_000), sigma=0.5 for a ~200 us median tail."""
        return cls("lognormal", base_ns, 0, mu, sigma)

    def as_tuple(self) -> tuple[str, int, int, float, float]:
        return (self.kind, self.base_ns, self.spread_ns, self.mu, self.sigma)


@dataclass(frozen=True)
class Fees:
    """Maker and taker rates as decimal strings; a negative maker rate is a rebate."""

    maker: str = "0"
    taker: str = "0"


class MatchingEngine(_NativeEngine):
    """One instrument's simulated venue (see the module docstring)."""

    @classmethod
    def for_instrument(
        cls,
        instrument: Instrument,
        *,
        fees: Fees = Fees(),
        order_latency: Latency = Latency(),
        report_latency: Latency = Latency(),
        queue_model: str = "conservative",
        queue_exponent: float = 1.0,
        empty_book: str = "expire",
        hedge_mode: bool = False,
        seed: int = 1,
    ) -> MatchingEngine:
        return cls(
            instrument.market, instrument.tick_size, instrument.lot_size,
            contract_size=instrument.contract_size or 0, maker_fee_rate=fees.maker, taker_fee_rate=fees.taker,
            order_latency=order_latency.as_tuple(), report_latency=report_latency.as_tuple(),
            queue_model=queue_model, queue_exponent=queue_exponent, empty_book=empty_book,
            hedge_mode=hedge_mode, seed=seed,
        )
