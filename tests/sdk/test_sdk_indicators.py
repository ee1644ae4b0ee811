"""Each indicator, updated one value at a time, against a naive reference recomputed from the
whole history at every step (closed forms for the recursive ones, so the reference is not the
same loop written twice), plus values worked out by hand."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategy_sdk.indicators import ATR, EMA, RSI, SMA, VWAP, BollingerBands, DonchianChannel

REL = 1e-9
periods = st.integers(1, 30)
ticks = st.integers(-10**12, 10**12)
prices = st.floats(1.0, 1e6, allow_nan=False)
signed_floats = st.floats(-1e6, 1e6, allow_nan=False)
quantities = st.floats(1e-3, 1e3, allow_nan=False)


def close(got: float | None, expected: float, scale: float = 0.0) -> bool:
    """Within REL of the expected value, or of ``scale``: the size of the values a rolling float
    sum has added and taken back out, which bounds its rounding whatever the result's size."""
    assert got is not None
    return abs(got - expected) <= REL * max(abs(expected), scale)


def recent(history: Sequence[float], count: int) -> list[float]:
    return list(history[-count:])


# -- SMA


@given(period=periods, values=st.lists(ticks, max_size=200))
def test_sma_over_ticks_keeps_the_exact_integer_sum(period: int, values: list[int]) -> None:
    sma = SMA(period)
    for i, value in enumerate(values):
        sma.update(value)
        window = values[max(0, i + 1 - period): i + 1]
        assert sma.sum == sum(window) and type(sma.sum) is int
        assert sma.count == len(window)
        assert sma.ready is (len(window) == period)
        assert sma.value == (sum(window) / period if sma.ready else None)  # int / int rounds once


@given(period=periods, values=st.lists(signed_floats, max_size=200))
def test_sma_over_floats(period: int, values: list[float]) -> None:
    sma = SMA(period)
    for i, value in enumerate(values):
        sma.update(value)
        if i + 1 < period:
            assert sma.value is None
            continue
        expected = math.fsum(values[i + 1 - period: i + 1]) / period
        assert close(sma.value, expected, max(map(abs, recent(values[: i + 1], 2 * period))))


def test_sma_compares_exactly_by_cross_multiplying() -> None:
    fast, slow = SMA(2), SMA(3)
    for px in (10, 11, 12):  # fast mean 11.5, slow mean 11
        fast.update(px)
        slow.update(px)
    assert fast.sum * slow.period > slow.sum * fast.period
    fast.update(8)  # fast (12+8)/2 = 10, slow (11+12+8)/3 = 31/3 ≈ 10.33
    slow.update(8)
    assert fast.sum * slow.period < slow.sum * fast.period


def test_sma_rejects_empty_period() -> None:
    with pytest.raises(ValueError):
        SMA(0)


# -- EMA


def ema_reference(values: Sequence[float], period: int, alpha: float) -> float | None:
    """Closed form: the seed (mean of the first ``period``) decayed, plus each later value's
    weight alpha * (1 - alpha) ** age."""
    if len(values) < period:
        return None
    seed = math.fsum(values[:period]) / period
    later = values[period:]
    decay = 1.0 - alpha
    terms = [seed * decay ** len(later)]
    terms += [alpha * decay ** (len(later) - 1 - j) * x for j, x in enumerate(later)]
    return math.fsum(terms)


@given(period=periods, values=st.lists(signed_floats, max_size=150))
def test_ema_against_closed_form(period: int, values: list[float]) -> None:
    ema = EMA(period)
    for i, value in enumerate(values):
        ema.update(value)
        expected = ema_reference(values[: i + 1], period, 2.0 / (period + 1))
        if expected is None:
            assert ema.value is None and not ema.ready
        else:
            assert ema.ready and close(ema.value, expected, max(map(abs, values[: i + 1])))


def test_ema_by_hand() -> None:
    ema = EMA(3)  # alpha 0.5
    for value in (1, 2, 3):
        ema.update(value)
    assert ema.value == 2.0  # the seed: the mean of the first three
    ema.update(6)
    assert ema.value == 4.0
    ema.update(0)
    assert ema.value == 2.0


def test_ema_custom_alpha_is_validated() -> None:
    assert EMA(10, alpha=0.1).alpha == 0.1
    with pytest.raises(ValueError):
        EMA(10, alpha=0.0)


# -- RSI


def wilder_reference(samples: Sequence[float], period: int) -> float | None:
    """Wilder's average in closed form: the seed (mean of the first ``period`` samples) decayed
    by (period - 1) / period per later sample, plus each later sample's weight."""
    if len(samples) < period:
        return None
    seed = math.fsum(samples[:period]) / period
    later = samples[period:]
    keep = (period - 1) / period
    terms = [seed * keep ** len(later)]
    terms += [x / period * keep ** (len(later) - 1 - j) for j, x in enumerate(later)]
    return math.fsum(terms)


@given(period=periods, values=st.lists(prices, max_size=150))
def test_rsi_against_closed_form(period: int, values: list[float]) -> None:
    rsi = RSI(period)
    for i, value in enumerate(values):
        rsi.update(value)
        changes = [b - a for a, b in zip(values[: i + 1], values[1: i + 1])]
        gain = wilder_reference([max(c, 0.0) for c in changes], period)
        loss = wilder_reference([max(-c, 0.0) for c in changes], period)
        if gain is None or loss is None:
            assert rsi.value is None and not rsi.ready
            continue
        scale = max(map(abs, changes)) if changes else 0.0
        assert close(rsi.average_gain, gain, scale) and close(rsi.average_loss, loss, scale)
        value_now = rsi.value
        assert value_now is not None and 0.0 <= value_now <= 100.0
        if gain + loss > REL * scale:  # the ratio is only as good as its denominator
            assert math.isclose(value_now, 100.0 * gain / (gain + loss), rel_tol=1e-6, abs_tol=1e-6)


def test_rsi_by_hand() -> None:
    # Period 3 over 44, 47, 45, 46, 49, 48:
    # changes +3, -2, +1 -> first average gain 4/3, loss 2/3 -> RSI 100 * (4/3) / 2 = 66.67
    # then +3: gain (4/3 * 2 + 3) / 3 = 17/9, loss (2/3 * 2) / 3 = 4/9 -> RSI 100 * 17 / 21 = 80.95
    # then -1: gain 34/27, loss (8/9 + 1) / 3 = 17/27 -> RSI 100 * 34 / 51 = 66.67
    rsi = RSI(3)
    seen = []
    for px in (44, 47, 45, 46, 49, 48):
        rsi.update(px)
        seen.append(rsi.value)
    assert seen[:3] == [None, None, None]
    assert seen[3] == pytest.approx(200 / 3, rel=1e-12)
    assert seen[4] == pytest.approx(1700 / 21, rel=1e-12)
    assert seen[5] == pytest.approx(200 / 3, rel=1e-12)
    assert rsi.average_gain == pytest.approx(34 / 27, rel=1e-12)


def test_rsi_extremes() -> None:
    rising, flat = RSI(2), RSI(2)
    for px in (1, 2, 3, 4):
        rising.update(px)
        flat.update(7)
    assert rising.value == 100.0
    assert flat.value == 50.0


# -- ATR


def true_ranges(bars: Sequence[tuple[float, float, float]]) -> list[float]:
    ranges = []
    for i, (high, low, _) in enumerate(bars):
        if i == 0:
            ranges.append(high - low)
        else:
            previous_close = bars[i - 1][2]
            ranges.append(max(high - low, abs(high - previous_close), abs(low - previous_close)))
    return ranges


@st.composite
def bar_lists(draw: st.DrawFn, prices: st.SearchStrategy[float]) -> list[tuple[float, float, float]]:
    bars = []
    for _ in range(draw(st.integers(0, 120))):
        a, b, c = draw(prices), draw(prices), draw(prices)
        low, close_px, high = sorted((a, b, c))
        bars.append((high, low, close_px))
    return bars


@given(period=periods, bars=bar_lists(prices))
def test_atr_against_closed_form(period: int, bars: list[tuple[float, float, float]]) -> None:
    atr = ATR(period)
    for i, (high, low, close_px) in enumerate(bars):
        atr.update(high, low, close_px)
        ranges = true_ranges(bars[: i + 1])
        assert atr.true_range == ranges[-1]
        expected = wilder_reference(ranges, period)
        if expected is None:
            assert atr.value is None and not atr.ready
        else:
            assert atr.ready and close(atr.value, expected, max(ranges))


@given(period=periods, bars=bar_lists(st.integers(1, 10**9).map(float)))
def test_atr_true_range_of_ticks_is_exact(period: int, bars: list[tuple[float, float, float]]) -> None:
    atr = ATR(period)
    for i, (high, low, close_px) in enumerate(bars):
        atr.update(int(high), int(low), int(close_px))
        assert atr.true_range == true_ranges(bars[: i + 1])[-1]
        assert type(atr.true_range) is int


def test_atr_by_hand() -> None:
    # Period 3; bars (high, low, close):
    #   (10, 8, 9)   TR 2 (no previous close)
    #   (11, 9, 10)  TR max(2, |11-9|, |9-9|) = 2
    #   (14, 12, 13) TR max(2, |14-10|, |12-10|) = 4 -> ATR (2+2+4)/3 = 8/3
    #   (13, 7, 8)   TR max(6, 0, 6) = 6            -> ATR (8/3 * 2 + 6) / 3 = 34/9
    #   (9, 8, 9)    TR max(1, 1, 0) = 1 (gap down) -> ATR (34/9 * 2 + 1) / 3 = 77/27
    atr = ATR(3)
    seen = []
    for bar in ((10, 8, 9), (11, 9, 10), (14, 12, 13), (13, 7, 8), (9, 8, 9)):
        atr.update(*bar)
        seen.append(atr.value)
    assert seen[:2] == [None, None]
    assert seen[2:] == [pytest.approx(8 / 3, rel=1e-12), pytest.approx(34 / 9, rel=1e-12),
                        pytest.approx(77 / 27, rel=1e-12)]


# -- Bollinger bands


@given(period=st.integers(2, 30), k=st.floats(0.5, 3.0), values=st.lists(ticks, max_size=150), sample=st.booleans())
def test_bollinger_over_ticks(period: int, k: float, values: list[int], sample: bool) -> None:
    bands = BollingerBands(period, k, sample=sample)
    for i, value in enumerate(values):
        bands.update(value)
        if i + 1 < period:
            assert bands.value is None and not bands.ready
            continue
        window = values[i + 1 - period: i + 1]
        mean = statistics.fmean(window)
        stdev = statistics.stdev(window) if sample else statistics.pstdev(window)
        assert bands.middle == pytest.approx(mean, rel=1e-12, abs=1e-6)
        assert bands.stdev == pytest.approx(stdev, rel=1e-12)
        assert bands.value == pytest.approx((mean - k * stdev, mean, mean + k * stdev), rel=1e-12, abs=1e-3)


@given(period=st.integers(2, 30), values=st.lists(prices, max_size=150), sample=st.booleans())
def test_bollinger_over_floats(period: int, values: list[float], sample: bool) -> None:
    """Floats: the mean within REL of the values' size, the variance within REL of the squared
    range of the recent values (a flat window after a volatile one is 0 only within that)."""
    bands = BollingerBands(period, sample=sample)
    for i, value in enumerate(values):
        bands.update(value)
        if i + 1 < period:
            continue
        window = values[i + 1 - period: i + 1]
        lately = recent(values[: i + 1], 2 * period)
        assert close(bands.middle, statistics.fmean(window), max(lately))
        variance = statistics.variance(window) if sample else statistics.pvariance(window)
        stdev = bands.stdev
        assert stdev is not None
        assert close(stdev * stdev, variance, (max(lately) - min(lately)) ** 2)


def test_bollinger_by_hand() -> None:
    bands = BollingerBands(4, k=2.0)
    for px in (2, 4, 4, 4, 5):  # window 4, 4, 4, 5: mean 4.25, population variance 0.1875
        bands.update(px)
    stdev = math.sqrt(0.1875)
    assert bands.value == (4.25 - 2 * stdev, 4.25, 4.25 + 2 * stdev)
    sample = BollingerBands(4, k=1.0, sample=True)
    for px in (4, 4, 4, 5):
        sample.update(px)
    assert sample.stdev == math.sqrt(0.25)


def test_bollinger_sample_needs_two_values() -> None:
    with pytest.raises(ValueError):
        BollingerBands(1, sample=True)


# -- VWAP


@given(
    window=st.none() | st.integers(1, 20),
    trades=st.lists(st.tuples(st.integers(1, 10**9), st.integers(0, 10**6)), max_size=150),
)
def test_vwap_over_ticks_and_lots_is_exact(window: int | None, trades: list[tuple[int, int]]) -> None:
    vwap = VWAP(window)
    for i, (px, qty) in enumerate(trades):
        vwap.update(px, qty)
        seen = trades[: i + 1] if window is None else trades[max(0, i + 1 - window): i + 1]
        volume = sum(q for _, q in seen)
        assert vwap.price_volume == sum(p * q for p, q in seen) and vwap.volume == volume
        full = window is None or len(seen) == window
        assert vwap.value == (sum(p * q for p, q in seen) / volume if full and volume else None)


@given(window=st.none() | st.integers(1, 20), trades=st.lists(st.tuples(prices, quantities), max_size=150))
def test_vwap_over_floats(window: int | None, trades: list[tuple[float, float]]) -> None:
    vwap = VWAP(window)
    for i, (px, qty) in enumerate(trades):
        vwap.update(px, qty)
        seen = trades[: i + 1] if window is None else trades[max(0, i + 1 - window): i + 1]
        if window is not None and len(seen) < window:
            assert vwap.value is None
            continue
        volume = math.fsum(q for _, q in seen)
        expected = math.fsum(p * q for p, q in seen) / volume
        lately = trades[: i + 1] if window is None else recent(trades[: i + 1], 2 * window)
        # A rolling float sum rounds relative to what passed through it, not to what remains.
        scale = max(p for p, _ in lately) * max(q for _, q in lately) / volume * (window or 1)
        assert close(vwap.value, expected, scale)


def test_vwap_session_reset() -> None:
    day = 86_400 * 10**9
    vwap = VWAP(session_ns=day)
    vwap.update(100, 1, ts_ns=5)
    vwap.update(200, 3, ts_ns=day - 1)
    assert vwap.value == 175.0
    vwap.update(300, 2, ts_ns=day)  # a new day starts over
    assert vwap.value == 300.0 and vwap.count == 1
    vwap.reset()
    assert vwap.value is None and not vwap.ready


def test_vwap_without_volume_is_not_ready() -> None:
    vwap = VWAP()
    vwap.update(100, 0)
    assert vwap.value is None


# -- Donchian channel


@given(period=periods, bars=st.lists(st.tuples(ticks, ticks), max_size=150))
def test_donchian_against_window_max_min(period: int, bars: list[tuple[int, int]]) -> None:
    channel = DonchianChannel(period)
    for i, (a, b) in enumerate(bars):
        high, low = max(a, b), min(a, b)
        channel.update(high, low)
        if i + 1 < period:
            assert channel.value is None and not channel.ready
            continue
        window = bars[i + 1 - period: i + 1]
        assert channel.upper == max(max(x) for x in window)
        assert channel.lower == min(min(x) for x in window)
        assert channel.value == (channel.lower, channel.upper)
