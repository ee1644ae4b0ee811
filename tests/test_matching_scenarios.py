"""Matching engine scenarios with hand-computed outcomes: every order type and time in force,
partial fills, thin and empty books, post-only, own-liquidity consumption, queue models, stops,
reduce-only, latency, fees and bad input. Tick 0.1, lot 0.001 (USD-M BTCUSDT) unless stated."""

from __future__ import annotations

import numpy as np
import pytest

from veloz.errors import OrderRejectedError
from veloz.matching import (
    Fees,
    Latency,
    MatchingEngine,
    OrderSide,
    OrderStatus,
    OrderType,
    PositionSide,
    RejectReason,
    ReportKind,
    TimeInForce,
    TriggerSource,
)

BUY, SELL = OrderSide.BUY, OrderSide.SELL
BID, ASK = 0, 1
T0 = 1_000_000_000


def engine(bids=(), asks=(), **kwargs) -> MatchingEngine:
    kwargs.setdefault("maker_fee_rate", "0.0002")
    kwargs.setdefault("taker_fee_rate", "0.0004")
    venue = MatchingEngine("usdm", "0.1", "0.001", **kwargs)
    for price, qty in bids:
        venue.on_level(BID, price, qty, T0)
    for price, qty in asks:
        venue.on_level(ASK, price, qty, T0)
    return venue


def run(venue: MatchingEngine, ts: int = T0 + 1) -> np.ndarray:
    venue.advance_to(ts)
    return venue.drain_reports(ts)


def fills(reports: np.ndarray) -> list[tuple[int, int, bool]]:
    return [(int(r["price"]), int(r["qty"]), bool(r["is_maker"])) for r in reports if r["kind"] == ReportKind.FILL]


def kinds(reports: np.ndarray) -> list[ReportKind]:
    return [ReportKind(int(k)) for k in reports["kind"]]


# ---- market orders ------------------------------------------------------------------------------

def test_market_order_walks_levels_with_slippage_and_taker_fees() -> None:
    venue = engine(asks=[(1000, 2), (1001, 3), (1002, 5)])
    venue.submit(1, BUY, OrderType.MARKET, qty=6, ts=T0)
    reports = run(venue)
    assert kinds(reports) == [ReportKind.ACCEPTED, ReportKind.FILL, ReportKind.FILL, ReportKind.FILL]
    assert fills(reports) == [(1000, 2, False), (1001, 3, False), (1002, 1, False)]
    # Fee: notional 100.0 x 0.002 = 0.2 USDT x 0.0004 = 0.00008 USDT = 8000 units of 1e-8.
    assert int(reports[1]["fee"]) == 8_000
    assert int(reports[-1]["status"]) == OrderStatus.FILLED and venue.position == 6


def test_market_order_on_thin_book_fills_what_is_there_and_expires_the_rest() -> None:
    venue = engine(asks=[(1000, 2)])
    venue.submit(1, BUY, OrderType.MARKET, qty=5, ts=T0)
    reports = run(venue)
    assert fills(reports) == [(1000, 2, False)]
    assert kinds(reports)[-1] == ReportKind.EXPIRED and int(reports[-1]["reason"]) == RejectReason.IOC_REMAINDER
    assert int(reports[-1]["cum_qty"]) == 2


@pytest.mark.parametrize("policy,kind,status", [("expire", ReportKind.EXPIRED, OrderStatus.EXPIRED),
                                                ("reject", ReportKind.REJECTED, OrderStatus.REJECTED)])
def test_market_order_on_empty_side_follows_the_configured_policy(policy, kind, status) -> None:
    venue = engine(bids=[(999, 5)], empty_book=policy)
    venue.submit(1, BUY, OrderType.MARKET, qty=1, ts=T0)
    reports = run(venue)
    assert kinds(reports)[-1] == kind and int(reports[-1]["status"]) == status
    assert int(reports[-1]["reason"]) == RejectReason.NO_LIQUIDITY and venue.position == 0


def test_our_fills_consume_displayed_liquidity_until_the_level_changes() -> None:
    venue = engine(asks=[(1000, 3), (1001, 5)])
    venue.submit(1, BUY, OrderType.MARKET, qty=2, ts=T0)
    venue.submit(2, BUY, OrderType.MARKET, qty=2, ts=T0)
    reports = run(venue)
    assert fills(reports) == [(1000, 2, False), (1000, 1, False), (1001, 1, False)]
    venue.on_level(ASK, 1000, 3, T0 + 5)  # the venue re-states the level: our consumption is superseded
    venue.submit(3, BUY, OrderType.MARKET, qty=3, ts=T0 + 6)
    assert fills(run(venue, T0 + 7)) == [(1000, 3, False)]


# ---- limit orders and time in force --------------------------------------------------------------

def test_marketable_limit_takes_then_rests_the_remainder() -> None:
    venue = engine(bids=[(999, 4)], asks=[(1000, 2), (1001, 3)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=4, price=1000, ts=T0)
    reports = run(venue)
    assert fills(reports) == [(1000, 2, False)]
    status, price, qty, filled, queue, working, resting, _ = venue.order(1)
    assert (status, price, qty, filled, working, resting) == (OrderStatus.PARTIALLY_FILLED, 1000, 4, 2, True, True)
    assert queue == 0  # nothing displayed on the bid at 1000


def test_ioc_takes_what_it_can_and_expires_the_rest() -> None:
    venue = engine(asks=[(1000, 2), (1001, 3)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=4, price=1000, tif=TimeInForce.IOC, ts=T0)
    reports = run(venue)
    assert fills(reports) == [(1000, 2, False)]
    assert kinds(reports)[-1] == ReportKind.EXPIRED and venue.order(1)[5] is False


def test_fok_fills_entirely_or_not_at_all() -> None:
    venue = engine(asks=[(1000, 2), (1001, 3)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=4, price=1000, tif=TimeInForce.FOK, ts=T0)
    reports = run(venue)
    assert fills(reports) == [] and int(reports[-1]["reason"]) == RejectReason.FOK_NOT_FILLABLE
    venue.submit(2, BUY, OrderType.LIMIT, qty=5, price=1001, tif=TimeInForce.FOK, ts=T0 + 2)
    assert fills(run(venue, T0 + 3)) == [(1000, 2, False), (1001, 3, False)]


def test_post_only_is_rejected_if_it_would_take_and_rests_otherwise() -> None:
    venue = engine(bids=[(999, 1)], asks=[(1000, 2)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=1, price=1000, tif=TimeInForce.GTX, ts=T0)
    venue.submit(2, BUY, OrderType.LIMIT, qty=1, price=999, tif=TimeInForce.GTX, ts=T0)
    reports = run(venue)
    assert kinds(reports) == [ReportKind.REJECTED, ReportKind.ACCEPTED]
    assert int(reports[0]["reason"]) == RejectReason.POST_ONLY_WOULD_TAKE
    assert venue.order(2)[6] is True  # resting


# ---- resting orders: queue models ------------------------------------------------------------------

def test_conservative_queue_only_trades_at_our_price_move_us_forward() -> None:
    venue = engine(bids=[(1000, 10)], asks=[(1001, 5)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=3, price=1000, ts=T0)
    run(venue)
    assert venue.order(1)[4] == 10  # behind all 10 displayed
    venue.on_trade(1000, 6, SELL, T0 + 10)  # 6 of the 10 ahead traded
    assert venue.order(1)[4] == 4 and fills(venue.drain_reports(T0 + 10)) == []
    venue.on_trade(1000, 6, SELL, T0 + 11)  # 4 clear the queue, 2 reach us
    assert fills(venue.drain_reports(T0 + 11)) == [(1000, 2, True)]
    venue.on_level(BID, 1000, 9, T0 + 12)  # a cancellation elsewhere at our level: no advance
    assert venue.order(1)[4] == 0
    venue.on_trade(1000, 5, SELL, T0 + 13)
    assert fills(venue.drain_reports(T0 + 13)) == [(1000, 1, True)]
    assert venue.order(1)[0] == OrderStatus.FILLED


def test_conservative_queue_never_exceeds_what_is_displayed() -> None:
    venue = engine(bids=[(1000, 10)], asks=[(1001, 5)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=3, price=1000, ts=T0)
    run(venue)
    venue.on_level(BID, 1000, 4, T0 + 10)  # 6 cancelled: at most 4 can be ahead of us now
    assert venue.order(1)[4] == 4


def test_probabilistic_queue_takes_a_share_of_cancellations_from_ahead() -> None:
    venue = engine(bids=[(1000, 10)], asks=[(1001, 5)], queue_model="probabilistic", queue_exponent=1.0)
    venue.submit(1, BUY, OrderType.LIMIT, qty=3, price=1000, ts=T0)
    run(venue)
    venue.on_level(BID, 1000, 20, T0 + 10)  # 10 join behind us: ahead 10, behind 10
    assert venue.order(1)[4] == 10
    venue.on_level(BID, 1000, 16, T0 + 11)  # 4 cancelled; share ahead = 10/(10+10) -> 2 from ahead
    assert venue.order(1)[4] == 8
    venue.on_trade(1000, 3, SELL, T0 + 12)  # trades advance us 3 ...
    venue.on_level(BID, 1000, 13, T0 + 13)  # ... and this decrease is those trades, not cancellations
    assert venue.order(1)[4] == 5


def test_probabilistic_exponent_weights_the_larger_side() -> None:
    venue = engine(bids=[(1000, 10)], asks=[(1001, 5)], queue_model="probabilistic", queue_exponent=2.0)
    venue.submit(1, BUY, OrderType.LIMIT, qty=3, price=1000, ts=T0)
    run(venue)
    venue.on_level(BID, 1000, 40, T0 + 10)  # ahead 10, behind 30
    venue.on_level(BID, 1000, 30, T0 + 11)  # 10 cancelled; share = 100/(100+900) = 0.1 -> 1 from ahead
    assert venue.order(1)[4] == 9


def test_trade_through_our_price_fills_us_completely() -> None:
    venue = engine(bids=[(1000, 10)], asks=[(1001, 5)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=3, price=1000, ts=T0)
    run(venue)
    venue.on_trade(999, 1, SELL, T0 + 10)  # traded below us: everything at 1000 was taken
    assert fills(venue.drain_reports(T0 + 10)) == [(1000, 3, True)]


def test_book_moving_through_our_price_fills_us_as_maker_at_our_price() -> None:
    venue = engine(bids=[(999, 10)], asks=[(1002, 5)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=3, price=1001, ts=T0)
    run(venue)
    venue.on_level(ASK, 1000, 2, T0 + 10)  # an ask appears below our bid: a seller crossed us
    assert fills(venue.drain_reports(T0 + 10)) == [(1001, 2, True)]
    venue.on_level(ASK, 1000, 0, T0 + 11)
    venue.on_level(ASK, 1001, 7, T0 + 12)
    assert fills(venue.drain_reports(T0 + 12)) == [(1001, 1, True)]


def test_two_of_our_orders_never_fill_from_the_same_trade_quantity() -> None:
    venue = engine(bids=[(1000, 0)], asks=[(1001, 5)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=3, price=1000, ts=T0)
    venue.submit(2, BUY, OrderType.LIMIT, qty=3, price=1000, ts=T0)
    run(venue)
    venue.on_trade(1000, 4, SELL, T0 + 10)
    assert fills(venue.drain_reports(T0 + 10)) == [(1000, 3, True), (1000, 1, True)]


# ---- conditional orders ------------------------------------------------------------------------

def test_stop_market_triggers_on_last_trade_then_walks_the_book() -> None:
    venue = engine(bids=[(1000, 5)], asks=[(1005, 1), (1006, 4)])
    venue.on_trade(1001, 1, BUY, T0)
    venue.submit(1, BUY, OrderType.STOP_MARKET, qty=3, stop_price=1005, ts=T0 + 1)
    run(venue, T0 + 2)
    venue.on_trade(1004, 1, BUY, T0 + 10)
    assert venue.drain_reports(T0 + 10).size == 0  # not yet
    venue.on_trade(1005, 1, BUY, T0 + 11)
    reports = venue.drain_reports(T0 + 11)
    assert kinds(reports)[0] == ReportKind.TRIGGERED
    assert fills(reports) == [(1005, 1, False), (1006, 2, False)]


def test_stop_that_would_trigger_immediately_is_rejected() -> None:
    venue = engine(asks=[(1005, 1)])
    venue.on_trade(1010, 1, BUY, T0)
    venue.submit(1, BUY, OrderType.STOP_MARKET, qty=1, stop_price=1005, ts=T0 + 1)
    reports = run(venue, T0 + 2)
    assert kinds(reports) == [ReportKind.REJECTED] and int(reports[0]["reason"]) == RejectReason.STOP_WOULD_TRIGGER


def test_take_profit_limit_on_mark_price_becomes_a_resting_limit() -> None:
    venue = engine(bids=[(1000, 5)], asks=[(1003, 5)])
    venue.on_mark_price(1001, T0)
    venue.submit(1, SELL, OrderType.TAKE_PROFIT, qty=2, price=1004, stop_price=1002,
                 trigger=TriggerSource.MARK_PRICE, ts=T0 + 1)
    run(venue, T0 + 2)
    venue.on_trade(1002, 1, BUY, T0 + 5)  # last trade does not matter for a mark-triggered order
    assert venue.order(1)[7] is False
    venue.on_mark_price(1002, T0 + 6)
    reports = venue.drain_reports(T0 + 6)
    assert kinds(reports) == [ReportKind.TRIGGERED] and venue.order(1)[6] is True  # rests at 1004


def test_stop_limit_sell_triggers_on_a_fall_and_takes_within_its_limit() -> None:
    venue = engine(bids=[(998, 1), (997, 5)], asks=[(1001, 5)])
    venue.on_trade(1000, 1, SELL, T0)
    venue.submit(1, SELL, OrderType.STOP_LIMIT, qty=3, price=998, stop_price=999, ts=T0 + 1)
    run(venue, T0 + 2)
    venue.on_trade(999, 1, SELL, T0 + 10)
    reports = venue.drain_reports(T0 + 10)
    assert fills(reports) == [(998, 1, False)] and venue.order(1)[6] is True  # 2 rest at 998


# ---- reduce-only and positions -------------------------------------------------------------------

def test_reduce_only_never_increases_the_position() -> None:
    venue = engine(bids=[(999, 10)], asks=[(1000, 10)])
    venue.submit(1, SELL, OrderType.MARKET, qty=1, reduce_only=True, ts=T0)
    reports = run(venue)
    assert int(reports[0]["reason"]) == RejectReason.REDUCE_ONLY_REJECTED  # flat: nothing to reduce
    venue.submit(2, BUY, OrderType.MARKET, qty=5, ts=T0 + 2)
    run(venue, T0 + 3)
    venue.submit(3, SELL, OrderType.LIMIT, qty=8, price=1010, reduce_only=True, ts=T0 + 4)
    venue.submit(4, SELL, OrderType.LIMIT, qty=8, price=1011, reduce_only=True, ts=T0 + 4)
    run(venue, T0 + 5)
    assert venue.order(3)[2] == 8  # keeps its quantity (Binance shows origQty) ...
    venue.on_trade(1011, 20, BUY, T0 + 6)  # ... but fills only what reduces the position
    reports = run(venue, T0 + 7)
    assert fills(reports) == [(1010, 5, True)] and venue.position == 0
    assert [int(r["reason"]) for r in reports if r["kind"] == ReportKind.EXPIRED] == [
        RejectReason.REDUCE_ONLY_CLOSED, RejectReason.REDUCE_ONLY_CLOSED]  # flat: both remainders expire
    assert venue.order(3)[0] == OrderStatus.EXPIRED and venue.order(3)[3] == 5


def test_hedge_mode_tracks_long_and_short_and_refuses_one_way_parameters() -> None:
    venue = engine(bids=[(999, 10)], asks=[(1000, 10)], hedge_mode=True)
    with pytest.raises(OrderRejectedError):
        venue.submit(1, BUY, OrderType.MARKET, qty=1, ts=T0)  # needs LONG or SHORT
    with pytest.raises(OrderRejectedError):
        venue.submit(1, SELL, OrderType.MARKET, qty=1, reduce_only=True, position_side=PositionSide.LONG, ts=T0)
    venue.submit(1, BUY, OrderType.MARKET, qty=3, position_side=PositionSide.LONG, ts=T0)
    venue.submit(2, SELL, OrderType.MARKET, qty=2, position_side=PositionSide.SHORT, ts=T0)
    venue.submit(3, SELL, OrderType.MARKET, qty=1, position_side=PositionSide.LONG, ts=T0)
    run(venue)
    assert (venue.long_position, venue.short_position, venue.position) == (2, 2, 0)


# ---- latency, cancel, amend ----------------------------------------------------------------------

def test_order_latency_means_the_order_meets_the_book_as_it_is_on_arrival() -> None:
    venue = engine(asks=[(1000, 5)], order_latency=("constant", 1_000_000, 0, 0.0, 0.0),
                   report_latency=("constant", 500_000, 0, 0.0, 0.0))
    venue.submit(1, BUY, OrderType.LIMIT, qty=2, price=1000, tif=TimeInForce.IOC, ts=T0)
    venue.on_level(ASK, 1000, 0, T0 + 400_000)  # the ask vanishes before our order arrives
    venue.on_level(ASK, 1001, 5, T0 + 400_000)
    venue.advance_to(T0 + 1_000_000)
    assert venue.drain_reports(T0 + 1_400_000).size == 0  # reports are still on their way
    reports = venue.drain_reports(T0 + 1_500_000)
    assert fills(reports) == [] and kinds(reports) == [ReportKind.ACCEPTED, ReportKind.EXPIRED]
    assert int(reports[0]["venue_ts"]) == T0 + 1_000_000 and int(reports[0]["deliver_ts"]) == T0 + 1_500_000


def test_cancel_of_a_resting_order_and_of_a_filled_one() -> None:
    venue = engine(bids=[(999, 1)], asks=[(1000, 1)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=1, price=998, ts=T0)
    venue.submit(2, BUY, OrderType.MARKET, qty=1, ts=T0)
    run(venue)
    venue.cancel(1, ts=T0 + 2)
    venue.cancel(2, ts=T0 + 2)
    reports = run(venue, T0 + 3)
    assert kinds(reports) == [ReportKind.CANCELED, ReportKind.CANCEL_REJECTED]
    assert int(reports[1]["reason"]) == RejectReason.UNKNOWN_ORDER and int(reports[1]["status"]) == OrderStatus.FILLED


def test_amend_price_requeues_and_size_decrease_keeps_priority() -> None:
    venue = engine(bids=[(1000, 10), (999, 4)], asks=[(1002, 5)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=5, price=1000, ts=T0)
    run(venue)
    venue.on_trade(1000, 6, SELL, T0 + 5)
    assert venue.order(1)[4] == 4
    venue.amend(1, 1000, 3, ts=T0 + 6)  # smaller: keeps its place
    run(venue, T0 + 7)
    assert venue.order(1)[2:5] == (3, 0, 4)
    venue.amend(1, 999, 3, ts=T0 + 8)  # new price: behind the 4 displayed there
    reports = run(venue, T0 + 9)
    assert kinds(reports) == [ReportKind.AMENDED] and venue.order(1)[1] == 999 and venue.order(1)[4] == 4


def test_amend_that_would_make_a_post_only_order_take_is_rejected() -> None:
    venue = engine(bids=[(999, 1)], asks=[(1002, 5)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=1, price=1000, tif=TimeInForce.GTX, ts=T0)
    run(venue)
    venue.amend(1, 1002, 1, ts=T0 + 2)
    reports = run(venue, T0 + 3)
    assert kinds(reports) == [ReportKind.AMEND_REJECTED] and venue.order(1)[1] == 1000


# ---- fees in the asset the venue charges -----------------------------------------------------------

def test_maker_rebate_is_a_negative_fee() -> None:
    venue = engine(bids=[(1000, 0)], asks=[(1001, 5)], maker_fee_rate="-0.00005")
    venue.submit(1, BUY, OrderType.LIMIT, qty=1000, price=1000, ts=T0)
    run(venue)
    venue.on_trade(1000, 1000, SELL, T0 + 5)
    report = venue.drain_reports(T0 + 5)[0]
    # 1 BTC at 100.0 = 100 USDT; rebate 0.00005 -> -0.005 USDT = -500000 units.
    assert bool(report["is_maker"]) and int(report["fee"]) == -500_000


def test_spot_fees_are_base_on_buys_and_quote_on_sells() -> None:
    venue = MatchingEngine("spot", "0.01", "0.00000001", maker_fee_rate="0.001", taker_fee_rate="0.001")
    venue.on_level(ASK, 6_183_764, 100_000_000, T0)  # 1 BTC at 61837.64
    venue.on_level(BID, 6_183_763, 100_000_000, T0)
    venue.submit(1, BUY, OrderType.MARKET, qty=50_000_000, ts=T0)   # 0.5 BTC
    venue.submit(2, SELL, OrderType.MARKET, qty=10_000_000, ts=T0)  # 0.1 BTC
    buy, sell = [r for r in run(venue) if r["kind"] == ReportKind.FILL]
    assert int(buy["fee_asset"]) == 0 and int(buy["fee"]) == 50_000  # 0.0005 BTC
    # 0.1 x 61837.63 = 6183.763 USDT x 0.001 = 6.183763 USDT
    assert int(sell["fee_asset"]) == 1 and int(sell["fee"]) == 618_376_300


def test_coin_m_fee_is_in_coin() -> None:
    venue = MatchingEngine("coinm", "0.1", "1", contract_size=100, taker_fee_rate="0.0005")
    venue.on_level(ASK, 600_000, 50, T0)  # 60000.0 USD
    venue.submit(1, BUY, OrderType.MARKET, qty=6, ts=T0)  # 6 contracts = 600 USD = 0.01 BTC
    venue.advance_to(T0 + 1)
    fill = [r for r in venue.drain_reports(T0 + 1) if r["kind"] == ReportKind.FILL][0]
    assert int(fill["fee"]) == 500  # 0.01 BTC x 0.0005 = 0.000005 BTC


# ---- bad input ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("call,message", [
    (lambda v: v.submit(1, BUY, OrderType.LIMIT, qty=0, price=1000, ts=T0), "quantity"),
    (lambda v: v.submit(1, BUY, OrderType.LIMIT, qty=-1, price=1000, ts=T0), "quantity"),
    (lambda v: v.submit(1, BUY, OrderType.LIMIT, qty=1, ts=T0), "limit price"),
    (lambda v: v.submit(1, BUY, OrderType.STOP_MARKET, qty=1, ts=T0), "stop price"),
    (lambda v: v.submit(1, BUY, OrderType.MARKET, qty=1, tif=TimeInForce.GTX, ts=T0), "combination"),
    (lambda v: v.submit(1, BUY, OrderType.MARKET, qty=1, position_side=PositionSide.LONG, ts=T0), "combination"),
    (lambda v: v.cancel(42, ts=T0), "unknown order"),
    (lambda v: v.amend(42, 1000, 1, ts=T0), "unknown order"),
])
def test_bad_commands_raise_and_change_nothing(call, message) -> None:
    venue = engine(bids=[(999, 1)], asks=[(1000, 1)])
    before = venue.counters()
    with pytest.raises(OrderRejectedError, match=message):
        call(venue)
    venue.advance_to(T0 + 10)
    assert venue.counters() == before and venue.pending_reports == 0


def test_duplicate_order_id_and_amend_of_a_market_order_are_refused() -> None:
    venue = engine(asks=[(1000, 1)])
    venue.submit(1, BUY, OrderType.MARKET, qty=1, ts=T0)
    with pytest.raises(OrderRejectedError, match="already used"):
        venue.submit(1, BUY, OrderType.MARKET, qty=1, ts=T0)
    with pytest.raises(OrderRejectedError, match="combination"):
        venue.amend(1, 1000, 1, ts=T0)
    with pytest.raises(OrderRejectedError, match="earlier"):
        venue.cancel(1, ts=T0 - 1)


def test_amend_of_a_filled_order_is_rejected_by_the_venue() -> None:
    venue = engine(bids=[(999, 1)], asks=[(1000, 1)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=1, price=1000, ts=T0)
    run(venue)
    venue.amend(1, 999, 1, ts=T0 + 2)
    reports = run(venue, T0 + 3)
    assert kinds(reports) == [ReportKind.AMEND_REJECTED] and venue.order(1)[0] == OrderStatus.FILLED


# ---- determinism --------------------------------------------------------------------------------

def random_session(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    venue = engine(bids=[(999, 50)], asks=[(1000, 50)], order_latency=("lognormal", 100_000, 0, 11.0, 0.8),
                   report_latency=("uniform", 50_000, 200_000, 0.0, 0.0), queue_model="probabilistic", seed=seed)
    ts, oid, out = T0, 0, []
    for _ in range(3_000):
        ts += int(rng.integers(1_000, 200_000))
        roll = rng.random()
        if roll < 0.45:
            venue.on_level(int(rng.integers(0, 2)), int(995 + rng.integers(0, 10)), int(rng.integers(0, 60)), ts)
        elif roll < 0.8:
            venue.on_trade(int(995 + rng.integers(0, 10)), int(rng.integers(1, 20)), int(rng.integers(0, 2)), ts)
        elif roll < 0.95:
            oid += 1
            venue.submit(oid, int(rng.integers(0, 2)), OrderType.LIMIT, qty=int(rng.integers(1, 10)),
                         price=int(995 + rng.integers(0, 10)), tif=int(rng.integers(0, 4)), ts=ts)
        elif oid:
            venue.cancel(int(rng.integers(1, oid + 1)), ts=ts)
        out.append(venue.drain_reports(ts).tobytes())
    return b"".join(out)


def test_same_data_and_seed_give_bit_identical_reports() -> None:
    first, second = random_session(7), random_session(7)
    assert len(first) > 0 and first == second
    assert random_session(8) != first


# ---- regressions from review --------------------------------------------------------------------

def test_hedge_mode_close_larger_than_the_position_never_goes_negative() -> None:
    venue = engine(bids=[(999, 50)], asks=[(1000, 50)], hedge_mode=True)
    venue.submit(1, SELL, OrderType.MARKET, qty=10, position_side=PositionSide.LONG, ts=T0)  # nothing to close
    reports = run(venue)
    assert kinds(reports) == [ReportKind.REJECTED] and venue.long_position == 0
    venue.submit(2, BUY, OrderType.MARKET, qty=3, position_side=PositionSide.LONG, ts=T0 + 2)
    venue.submit(3, SELL, OrderType.MARKET, qty=10, position_side=PositionSide.LONG, ts=T0 + 2)
    reports = run(venue, T0 + 3)
    assert venue.long_position == 0 and fills(reports)[-1] == (999, 3, False)  # closes 3, never below 0


def test_reduce_only_fok_larger_than_the_position_fills_nothing() -> None:
    venue = engine(bids=[(999, 10)], asks=[(1000, 10)])
    venue.submit(1, BUY, OrderType.MARKET, qty=3, ts=T0)
    run(venue)
    venue.submit(2, SELL, OrderType.LIMIT, qty=5, price=999, tif=TimeInForce.FOK, reduce_only=True, ts=T0 + 2)
    reports = run(venue, T0 + 3)
    assert fills(reports) == [] and int(reports[-1]["reason"]) == RejectReason.FOK_NOT_FILLABLE
    assert venue.position == 3


def test_an_order_amended_to_a_price_queues_behind_ours_already_there() -> None:
    venue = engine(bids=[(998, 5)], asks=[(1005, 5)])
    venue.submit(1, BUY, OrderType.LIMIT, qty=5, price=999, ts=T0)
    venue.submit(2, BUY, OrderType.LIMIT, qty=5, price=1000, ts=T0)
    run(venue)
    venue.amend(1, 1000, 5, ts=T0 + 2)  # joins 1000 after order 2
    run(venue, T0 + 3)
    venue.on_trade(1000, 5, SELL, T0 + 4)
    reports = venue.drain_reports(T0 + 4)
    assert [int(r["order_id"]) for r in reports if r["kind"] == ReportKind.FILL] == [2]


def test_fees_are_rounded_once_from_the_exact_notional() -> None:
    coin = MatchingEngine("coinm", "0.1", "1", contract_size=100, taker_fee_rate="0.0005")
    coin.on_level(ASK, 552_485, 10, T0)
    coin.submit(1, BUY, OrderType.MARKET, qty=1, ts=T0)
    coin.advance_to(T0 + 1)
    fee = [int(r["fee"]) for r in coin.drain_reports(T0 + 1) if r["kind"] == ReportKind.FILL]
    from fractions import Fraction

    exact = Fraction(1 * 100, 1) / Fraction(552_485, 10) * Fraction(5, 10_000) * 10**8  # coin fee in 1e-8
    assert round(exact) == 91  # 90.50..., single rounding
    assert fee == [91]  # rounding the notional first (181000 units, then 90.5 -> 90 half-even) gave 90
    spot = MatchingEngine("spot", "0.00000001", "0.01", taker_fee_rate="0.001")
    spot.on_level(BID, 50_050, 100, T0)
    spot.submit(1, SELL, OrderType.MARKET, qty=1, ts=T0)
    spot.advance_to(T0 + 1)
    fee = [int(r["fee"]) for r in spot.drain_reports(T0 + 1) if r["kind"] == ReportKind.FILL]
    assert fee == [1]  # notional 500.5 units x 0.001 = 0.5005 -> 1 (rounding 500.5 -> 500 first gave 0)
