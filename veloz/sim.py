"""A simulated trading session for one instrument: the OMS, the matching engine and the account,
wired in C++ (csrc/veloz/sim_execution.*). A strategy's order is one `submit` call; one `advance`
call lets the venue act and delivers its reports to the OMS and the account.

    session = SimSession.for_instrument(instrument, fees=Fees("0.0002", "0.0004"), deposit="10000")
    session.on_level(Side.ASK, 600000, 1000, ts)                 # market data, venue time
    order_id = session.submit(OrderSide.BUY, OrderType.LIMIT, 500, 600000, ts=ts)
    session.advance(ts)                                          # accepted + filled
    session.order(order_id), session.position, session.summary()
"""

from __future__ import annotations

from veloz._native.session import SimSession as _NativeSession
from veloz.instruments import Instrument
from veloz.matching import Fees, Latency

__all__ = ["SimSession"]


class SimSession(_NativeSession):
    """See the module docstring."""

    @classmethod
    def for_instrument(
        cls,
        instrument: Instrument,
        *,
        fees: Fees = Fees(),
        deposit: str = "0",
        leverage: int = 20,
        order_latency: Latency = Latency(),
        report_latency: Latency = Latency(),
        queue_model: str = "conservative",
        hedge_mode: bool = False,
        seed: int = 1,
    ) -> SimSession:
        return cls(
            instrument.market, instrument.tick_size, instrument.lot_size,
            contract_size=instrument.contract_size or 0, maker_fee_rate=fees.maker, taker_fee_rate=fees.taker,
            deposit=deposit, leverage=leverage, order_latency=order_latency.as_tuple(),
            report_latency=report_latency.as_tuple(), queue_model=queue_model, hedge_mode=hedge_mode, seed=seed,
        )
