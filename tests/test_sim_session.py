"""The simulated order path through one object: OMS -> venue -> reports -> OMS + account."""

from __future__ import annotations

import pytest

from veloz.errors import OrderRejectedError
from veloz.instruments import load_exchange_info
from veloz.matching import Fees, Latency
from veloz.order_types import OrderSide, OrderStatus, OrderType, TimeInForce
from veloz.sim import SimSession

BUY, SELL = OrderSide.BUY, OrderSide.SELL
T0 = 1_000_000_000


def session(**kwargs) -> SimSession:
    venue = SimSession("usdm", "0.1", "0.001", taker_fee_rate="0.0004", maker_fee_rate="0.0002",
                       deposit="10000", **kwargs)
    venue.on_level(0, 599_999, 1_000, T0)
    venue.on_level(1, 600_000, 1_000, T0)
    return venue


def test_a_marketable_limit_fills_and_reaches_oms_and_account() -> None:
    venue = session()
    order_id = venue.submit(BUY, OrderType.LIMIT, 500, 600_000, ts=T0 + 1)
    assert venue.order(order_id) == (OrderStatus.NEW, 600_000, 500, 0)
    assert venue.advance(T0 + 1) == 2  # accepted, fill
    assert venue.order(order_id) == (OrderStatus.FILLED, 600_000, 500, 500)
    assert venue.position == 500
    summary = venue.summary()
    assert summary["fees"] == 1_200_000_000  # 30000 USDT x 0.0004 = 12 USDT
    assert summary["wallet_balance"] == 1_000_000_000_000 - 1_200_000_000
    assert venue.counters() == {"reports": 2, "fills": 1, "oms_refusals": 0, "account_refusals": 0, "local_rejects": 0}


def test_latency_keeps_the_oms_behind_the_venue_until_reports_arrive() -> None:
    venue = session(order_latency=Latency.constant(1_000).as_tuple(), report_latency=Latency.constant(2_000).as_tuple())
    order_id = venue.submit(BUY, OrderType.LIMIT, 100, 599_000, ts=T0 + 1)
    assert venue.advance(T0 + 1_001) == 0  # arrived, but the ack is still on its way
    assert venue.order(order_id)[0] == OrderStatus.NEW
    assert venue.advance(T0 + 3_001) == 1
    assert venue.order(order_id)[0] == OrderStatus.ACCEPTED
    venue.cancel(order_id, ts=T0 + 4_000)
    assert venue.order(order_id)[0] == OrderStatus.PENDING_CANCEL
    venue.advance(T0 + 7_000)
    assert venue.order(order_id)[0] == OrderStatus.CANCELED


def test_resting_order_fills_as_maker_from_trades() -> None:
    venue = session()
    order_id = venue.submit(SELL, OrderType.LIMIT, 300, 600_001, tif=TimeInForce.GTX, ts=T0 + 1)
    venue.advance(T0 + 1)
    venue.on_trade(600_001, 300, BUY, T0 + 5)
    venue.advance(T0 + 5)
    assert venue.order(order_id)[3] == 300 and venue.position == -300
    assert venue.summary()["fees"] == 360_000_600  # 0.300 x 60000.1 = 18000.03 USDT x 0.0002 = 3.600006


def test_refused_requests_raise_and_change_nothing() -> None:
    venue = session()
    order_id = venue.submit(BUY, OrderType.MARKET, 100, ts=T0 + 1)
    venue.advance(T0 + 1)
    with pytest.raises(OrderRejectedError, match="FILLED"):
        venue.cancel(order_id, ts=T0 + 2)
    with pytest.raises(OrderRejectedError):
        venue.submit(BUY, OrderType.LIMIT, 0, 600_000, ts=T0 + 3)
    with pytest.raises(TypeError):
        venue.submit(BUY, OrderType.LIMIT, 1.5, 600_000, ts=T0 + 3)
    assert venue.counters()["oms_refusals"] == 0 and venue.position == 100


def test_spot_order_the_balance_cannot_cover_is_rejected_locally() -> None:
    venue = SimSession("spot", "0.01", "0.00001", deposit="1000")
    venue.on_level(1, 6_000_000, 100_000, T0)
    first = venue.submit(BUY, OrderType.LIMIT, 1_000, 5_900_000, ts=T0 + 1)  # 590 USDT locked
    second = venue.submit(BUY, OrderType.LIMIT, 1_000, 5_900_000, ts=T0 + 2)  # 590 more: no
    venue.advance(T0 + 3)
    assert venue.order(first)[0] == OrderStatus.ACCEPTED
    assert venue.order(second)[0] == OrderStatus.REJECTED and venue.counters()["local_rejects"] == 1


def test_for_instrument_uses_the_instrument_grids(demo_exchange_info) -> None:
    instrument = load_exchange_info(demo_exchange_info)["BTCUSDT"]
    venue = SimSession.for_instrument(instrument, fees=Fees("0", "0.0004"), deposit="1000")
    venue.on_level(1, instrument.price_to_ticks("61800.30"), instrument.qty_to_lots("1.000"), T0)
    order_id = venue.submit(BUY, OrderType.MARKET, instrument.qty_to_lots("0.010"), ts=T0 + 1)
    venue.advance(T0 + 1)
    assert venue.order(order_id)[3] == 10 and venue.position == 10


def test_reduce_only_larger_than_the_position_stays_consistent_in_the_oms() -> None:
    venue = session()
    venue.submit(BUY, OrderType.MARKET, 10, ts=T0 + 1)
    venue.advance(T0 + 1)
    reduce = venue.submit(SELL, OrderType.LIMIT, 8, 601_000, reduce_only=True, ts=T0 + 2)
    venue.advance(T0 + 2)
    venue.submit(SELL, OrderType.MARKET, 5, ts=T0 + 3)  # the position shrinks under it: 5 left
    venue.advance(T0 + 3)
    venue.on_trade(601_000, 20, BUY, T0 + 4)  # fills 5 of 8, the position is flat, the rest expires
    venue.advance(T0 + 4)
    assert venue.order(reduce) == (OrderStatus.EXPIRED, 601_000, 8, 5)
    assert venue.position == 0 and venue.counters()["oms_refusals"] == 0


def test_a_fill_the_account_cannot_settle_is_counted_and_later_reports_still_arrive() -> None:
    venue = SimSession("spot", "0.01", "0.00001", deposit="1000")
    venue.on_level(0, 5_900_000, 100_000, T0)
    venue.on_level(1, 6_000_000, 100_000, T0)
    sell = venue.submit(SELL, OrderType.MARKET, 1_000, ts=T0 + 1)  # no BTC: market orders lock nothing
    buy = venue.submit(BUY, OrderType.LIMIT, 1_000, 5_800_000, ts=T0 + 1)
    venue.advance(T0 + 1)
    assert venue.counters()["account_refusals"] == 1
    assert venue.order(sell)[0] == OrderStatus.FILLED  # the venue's fact
    assert venue.order(buy)[0] == OrderStatus.ACCEPTED  # the rest of the batch was delivered


def test_spot_amend_is_refused_and_market_orders_are_not_locked_at_a_price() -> None:
    venue = SimSession("spot", "0.01", "0.00001", deposit="1000")
    venue.on_level(1, 6_000_000, 100_000, T0)
    order = venue.submit(BUY, OrderType.LIMIT, 1_000, 5_900_000, ts=T0 + 1)
    venue.advance(T0 + 1)
    with pytest.raises(OrderRejectedError):
        venue.amend(order, 6_000_000, 1_500, ts=T0 + 2)
    market = venue.submit(BUY, OrderType.MARKET, 100, 5_900_000, ts=T0 + 3)  # a price on a market order
    venue.advance(T0 + 3)
    assert venue.order(market)[3] == 100 and venue.counters()["account_refusals"] == 0


def test_cancel_timed_before_the_last_command_is_refused_and_changes_nothing() -> None:
    venue = session()
    first = venue.submit(BUY, OrderType.LIMIT, 1, 590_000, ts=T0 + 200)
    venue.advance(T0 + 200)
    with pytest.raises(OrderRejectedError):
        venue.cancel(first, ts=T0 + 150)
    assert venue.order(first)[0] == OrderStatus.ACCEPTED
