"""Funding payments on Binance's real BTCUSDT funding rates for April 2026 (data.binance.vision
monthly archive, ../shared/data/binance_datatool-tommy-ca), checked against an independent
decimal.Decimal computation of payment = qty x mark x rate (longs pay when the rate is positive).

The archive has rates, not marks, so the test defines a mark series (a deterministic walk around
66,000 USDT) as well as checking a constant mark.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest

from veloz.accounts import AccountError, FuturesAccount, OrderSide, PositionSide, from_e8, rate_to_e8, to_e8

pytestmark = pytest.mark.shared_data

ARCHIVE = Path("binance_datatool-tommy-ca") / "BTCUSDT-fundingRate-2026-04.zip"
HEADER = ["calc_time", "funding_interval_hours", "last_funding_rate"]
UNIT = Decimal("0.00000001")
TICK = Decimal("0.1")
LONG_QTY, SHORT_QTY = Decimal("1.234"), Decimal("0.567")  # BTC
CONTRACTS = 250  # BTCUSD_PERP contracts of 100 USD


@dataclass(frozen=True)
class FundingEvent:
    calc_time_ms: int
    interval_hours: int
    rate: Decimal


def read_funding(path: Path) -> list[FundingEvent]:
    """The archive's rows, after checking its sha256 against Binance's .CHECKSUM file."""
    checksum_line = path.with_name(path.name + ".CHECKSUM").read_text().split()
    assert checksum_line[1] == path.name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == checksum_line[0], f"{path} does not match its CHECKSUM"
    with zipfile.ZipFile(path) as archive:
        (member,) = archive.namelist()
        rows = list(csv.reader(io.TextIOWrapper(archive.open(member), encoding="ascii")))
    assert rows[0] == HEADER
    return [FundingEvent(int(t), int(h), Decimal(r)) for t, h, r in rows[1:]]


def marks(count: int) -> list[int]:
    """A mark series in 0.1 ticks: a deterministic walk within +-100 USDT of 66,000."""
    return [660_000 + (i * 7_919) % 2_001 - 1_000 for i in range(count)]


def quantize(amount: Decimal) -> Decimal:
    return amount.quantize(UNIT, rounding=ROUND_HALF_EVEN)


@pytest.fixture
def events(shared_data: Path) -> list[FundingEvent]:
    return read_funding(shared_data / ARCHIVE)


def test_archive_is_a_month_of_eight_hour_funding(events: list[FundingEvent]) -> None:
    assert len(events) == 90  # 30 days x 3
    first = datetime.fromtimestamp(events[0].calc_time_ms / 1000, tz=timezone.utc)
    last = datetime.fromtimestamp(events[-1].calc_time_ms / 1000, tz=timezone.utc)
    assert (first.month, first.day, first.hour, last.month, last.day, last.hour) == (4, 1, 0, 4, 30, 16)
    assert {e.interval_hours for e in events} == {8}
    for before, after in zip(events, events[1:]):  # 8 h apart, with a few ms of calculation jitter
        assert abs(after.calc_time_ms - before.calc_time_ms - 8 * 3_600_000) < 1_000
    assert all(e.rate == quantize(e.rate) for e in events)  # 8 decimals: exact as rate x 1e8
    assert (sum(e.rate > 0 for e in events), sum(e.rate < 0 for e in events)) == (32, 58)
    assert sum(e.rate for e in events) == Decimal("-0.00177227")


def hedged_usdm_account() -> FuturesAccount:
    account = FuturesAccount("usdm", hedge_mode=True)
    account.add_instrument(0, "0.10", "0.001", leverage=5)
    account.deposit(to_e8("100000"))
    account.apply_fill(1, 1, 0, OrderSide.BUY, 660_000, 1_234, position_side=PositionSide.LONG)
    account.apply_fill(2, 2, 0, OrderSide.SELL, 660_000, 567, position_side=PositionSide.SHORT)
    return account


@pytest.mark.parametrize("mark_series", ["walk", "constant"])
def test_usdm_funding_on_real_rates_matches_decimal(events: list[FundingEvent], mark_series: str) -> None:
    account = hedged_usdm_account()
    mark_ticks = marks(len(events)) if mark_series == "walk" else [660_000] * len(events)
    long_total = short_total = Decimal(0)
    for event, mark in zip(events, mark_ticks):
        price = mark * TICK
        long_pays = quantize(LONG_QTY * price * event.rate)  # one rounding per payment
        short_gets = quantize(SHORT_QTY * price * event.rate)
        received = account.apply_funding(0, mark, rate_to_e8(str(event.rate)), event.calc_time_ms * 1_000_000)
        assert from_e8(received) == short_gets - long_pays, event
        long_total += -long_pays
        short_total += short_gets

    assert from_e8(account.position(0, PositionSide.LONG).funding) == long_total
    assert from_e8(account.position(0, PositionSide.SHORT).funding) == short_total
    summary = account.summary()
    assert from_e8(summary.funding) == long_total + short_total
    assert from_e8(summary.wallet_balance) == Decimal("100000") + long_total + short_total
    # Unrounded, the long pays qty x sum(mark x rate); 90 roundings move that by under 90 x 0.5e-8.
    unrounded = -LONG_QTY * sum((m * TICK * e.rate for e, m in zip(events, mark_ticks)), Decimal(0))
    assert abs(long_total - unrounded) <= 90 * UNIT / 2
    # April 2026's rates were mostly negative: the long was paid, the short paid.
    assert long_total > 0 > short_total


def test_coinm_funding_on_the_same_rates_matches_decimal(events: list[FundingEvent]) -> None:
    """The inverse formula N x contract_size / mark x rate, in BTC, on the same rate series
    (used as numbers: COIN-M has its own funding rates)."""
    account = FuturesAccount("coinm")
    account.add_instrument(0, "0.1", "1", 100)
    account.deposit(to_e8("1"))
    account.apply_fill(1, 1, 0, OrderSide.SELL, 660_000, CONTRACTS)  # a short: receives when the rate is positive
    total = Decimal(0)
    for event, mark in zip(events, marks(len(events))):
        payment = quantize(Decimal(CONTRACTS * 100) / (mark * TICK) * event.rate)
        assert from_e8(account.apply_funding(0, mark, rate_to_e8(str(event.rate)), event.calc_time_ms * 10**6)) == payment
        total += payment
    assert from_e8(account.position(0).funding) == total
    assert from_e8(account.summary().wallet_balance) == 1 + total


def test_replaying_a_funding_event_is_refused(events: list[FundingEvent]) -> None:
    account = hedged_usdm_account()
    first = events[0]
    account.apply_funding(0, 660_000, rate_to_e8(str(first.rate)), first.calc_time_ms * 1_000_000)
    before = account.summary()
    with pytest.raises(AccountError, match="already applied"):
        account.apply_funding(0, 660_000, rate_to_e8(str(first.rate)), first.calc_time_ms * 1_000_000)
    assert account.summary() == before
