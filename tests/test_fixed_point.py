"""DecimalGrid: exact decimal string <-> integer step conversion (no float anywhere)."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veloz._native.fixed import DecimalGrid
from veloz.errors import DecimalFormatError, VelozError

INT64_MAX = 2**63 - 1


# --- exact values ------------------------------------------------------------------------------


def test_real_price_on_tenth_grid_is_exact() -> None:
    # 61800.30 is a real USD-M BTCUSDT price (hftbacktest 2024-08-08 trade); 0.1 is not a binary fraction.
    grid = DecimalGrid("0.10", "BTCUSDT price")
    assert grid.to_steps("61800.30") == 618003
    assert grid.to_steps("61800.3") == 618003
    assert grid.to_steps("61800.30000000") == 618003
    assert grid.scale == 1
    assert grid.step_units == 1
    assert grid.step == "0.1"


def test_real_price_on_cent_grid_is_exact() -> None:
    grid = DecimalGrid("0.01", "BTCUSDT price")
    assert grid.to_steps("61800.30") == 6180030
    assert grid.to_steps("61837.63000000") == 6183763  # real spot price with 8 decimals
    assert grid.to_steps("0.01") == 1
    assert grid.to_steps("0") == 0


def test_five_hundredths_grid() -> None:
    grid = DecimalGrid("0.05", "X price")
    assert (grid.scale, grid.step_units) == (2, 5)
    assert grid.to_steps("0.05") == 1
    assert grid.to_steps("0.15") == 3
    assert grid.to_steps("100.00") == 2000
    assert grid.to_steps("61800.35") == 1236007
    assert grid.format(3) == "0.15"
    assert grid.format(1236007) == "61800.35"
    for off in ("0.01", "0.04", "0.06", "61800.31", "0.051"):
        with pytest.raises(DecimalFormatError, match="not a multiple of the step 0.05"):
            grid.to_steps(off)


def test_trailing_zeros_in_step_do_not_change_the_grid() -> None:
    # Binance spot filters write steps with 8 decimals: tickSize "0.01000000".
    grid = DecimalGrid("0.01000000", "BTCUSDT price")
    assert (grid.scale, grid.step_units) == (2, 1)
    assert grid.step == "0.01"
    assert grid.to_steps("61800.30") == 6180030
    assert grid.to_steps("61800.30000000") == 6180030
    assert grid.format(6180030) == "61800.30"
    with pytest.raises(DecimalFormatError):
        grid.to_steps("61800.305")
    tenth = DecimalGrid("0.10000000")
    assert (tenth.scale, tenth.step_units) == (1, 1)


@pytest.mark.parametrize(
    ("step", "text", "steps", "formatted"),
    [
        ("1", "5", 5, "5"),
        ("1", "5.000", 5, "5"),
        ("1", "0", 0, "0"),
        ("1.00000000", "1563", 1563, "1563"),  # real UM SUSHIUSDT qty on a stepSize "1"
        ("100", "300", 3, "300"),
        ("100", "300.00", 3, "300"),
        ("100", "0", 0, "0"),
        ("10", "61800", 6180, "61800"),
    ],
)
def test_integer_steps(step: str, text: str, steps: int, formatted: str) -> None:
    grid = DecimalGrid(step, "q")
    assert grid.scale == 0
    assert grid.to_steps(text) == steps
    assert grid.format(steps) == formatted


@pytest.mark.parametrize(("step", "text"), [("1", "5.5"), ("1", "0.00000001"), ("100", "250"), ("100", "1"),
                                            ("10", "61805")])
def test_integer_steps_reject_off_grid(step: str, text: str) -> None:
    with pytest.raises(DecimalFormatError, match="not a multiple of the step"):
        DecimalGrid(step, "q").to_steps(text)


def test_negative_values_convert_and_format() -> None:
    grid = DecimalGrid("0.10")
    assert grid.to_steps("-0.1") == -1
    assert grid.to_steps("-61800.30") == -618003
    assert grid.format(-1) == "-0.1"
    assert grid.format(0) == "0.0"


def test_format_writes_exactly_scale_decimals() -> None:
    assert DecimalGrid("0.10").format(618003) == "61800.3"
    assert DecimalGrid("0.01").format(6180030) == "61800.30"
    assert DecimalGrid("0.001").format(6) == "0.006"
    assert DecimalGrid("0.00000001").format(2542618900) == "25.42618900"
    assert DecimalGrid("0.00000001").format(1) == "0.00000001"


@pytest.mark.parametrize("step", ["0.10", "0.01", "0.05", "0.001", "0.00000001", "1", "100", "0.0010", "25"])
@pytest.mark.parametrize("steps", [0, 1, 7, 618003, 6180030, 123456789012, -1, -618003])
def test_format_round_trip(step: str, steps: int) -> None:
    grid = DecimalGrid(step)
    text = grid.format(steps)
    assert grid.to_steps(text) == steps
    assert Decimal(text) == steps * Decimal(step)


def test_int64_boundary() -> None:
    grid = DecimalGrid("0.01", "P")
    assert grid.to_steps("92233720368547758.07") == INT64_MAX
    assert grid.format(INT64_MAX) == "92233720368547758.07"
    with pytest.raises(DecimalFormatError, match="too large"):
        grid.to_steps("92233720368547758.08")
    with pytest.raises(DecimalFormatError, match="overflow"):
        DecimalGrid("0.05").format(INT64_MAX)  # steps * 5 overflows


def test_pickle_keeps_step_and_label() -> None:
    grid = pickle.loads(pickle.dumps(DecimalGrid("0.05", "ETHUSDT price")))
    assert (grid.step, grid.label, grid.scale, grid.step_units) == ("0.05", "ETHUSDT price", 2, 5)
    assert repr(grid) == "DecimalGrid('0.05')"


# --- errors name the value and the label ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("61800.35", "not a multiple of the step 0.1"),
        ("61800.31", "not a multiple of the step 0.1"),
        ("abc", "not a plain decimal number"),
        ("", "no digits"),
        ("-", "no digits"),
        (".", "no digits"),
        ("1e5", "not a plain decimal number"),
        ("6.1E4", "not a plain decimal number"),
        ("6.18003E4", ""),  # rejected (as off-grid: the digit after the scale is seen before the 'E')
        (" 61800.30", "not a plain decimal number"),
        ("61800.30 ", "not a plain decimal number"),
        ("+61800.30", "not a plain decimal number"),
        ("61,800.30", "not a plain decimal number"),
        ("61800.3.0", "not a plain decimal number"),
        ("NaN", "not a plain decimal number"),
        ("\uff16\uff11", "not a plain decimal number"),  # full-width digits
        ("99999999999999999999", "too large"),
    ],
)
def test_errors_name_value_and_label(text: str, why: str) -> None:
    grid = DecimalGrid("0.10", "BTCUSDT price")
    with pytest.raises(DecimalFormatError) as info:
        grid.to_steps(text)
    message = str(info.value)
    assert f"'{text}'" in message
    assert "BTCUSDT price" in message
    assert why in message
    assert isinstance(info.value, VelozError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("step", "why"),
    [
        ("0.00000000", "step is zero"),  # real MARKET_LOT_SIZE stepSize on some Binance symbols
        ("0", "step is zero"),
        ("abc", "not a plain decimal number"),
        ("", "no digits"),
        ("-0.10", "not a plain decimal number"),
        ("1e-2", "not a plain decimal number"),
    ],
)
def test_bad_steps_name_step_and_label(step: str, why: str) -> None:
    with pytest.raises(DecimalFormatError) as info:
        DecimalGrid(step, "BTCUSDT quantity")
    message = str(info.value)
    assert f"'{step}'" in message
    assert "BTCUSDT quantity" in message
    assert why in message


def test_error_without_label_still_names_value() -> None:
    with pytest.raises(DecimalFormatError, match="'61800.35'"):
        DecimalGrid("0.10").to_steps("61800.35")


# --- property: exact against decimal.Decimal ----------------------------------------------------


@st.composite
def grid_and_multiple(draw: st.DrawFn) -> tuple[Decimal, int, str]:
    scale = draw(st.integers(0, 8))
    units = draw(st.integers(1, 50))
    step = Decimal(units).scaleb(-scale)
    limit = INT64_MAX // units
    k = draw(st.integers(-limit, limit) | st.integers(-10**6, 10**6))
    value = k * step
    pad = draw(st.integers(0, 4))  # extra trailing zeros are allowed
    text = format(value, "f")
    if pad:
        text += ("" if "." in text else ".") + "0" * pad
    return step, k, text


@settings(max_examples=400, deadline=None)
@given(grid_and_multiple())
def test_property_on_grid_values_are_exact(case: tuple[Decimal, int, str]) -> None:
    step, k, text = case
    grid = DecimalGrid(format(step, "f"), "prop")
    steps = grid.to_steps(text)
    assert steps == k
    assert Decimal(text) / step == steps  # exact: compared in Decimal arithmetic, not float
    formatted = grid.format(steps)
    assert Decimal(formatted) == Decimal(text)
    assert grid.to_steps(formatted) == steps
    assert len(formatted.partition(".")[2]) == grid.scale


@st.composite
def grid_and_off_grid_value(draw: st.DrawFn) -> tuple[Decimal, str]:
    scale = draw(st.integers(0, 8))
    units = draw(st.integers(1, 50))
    step = Decimal(units).scaleb(-scale)
    finer = draw(st.integers(0, 3))  # digits beyond the grid's scale
    numerator = draw(st.integers(-10**12, 10**12))
    value = Decimal(numerator).scaleb(-(scale + finer))
    if value % step == 0:
        value += Decimal(1).scaleb(-(scale + finer + 1))  # nudge off the grid
    return step, format(value, "f")


@settings(max_examples=400, deadline=None)
@given(grid_and_off_grid_value())
def test_property_off_grid_values_always_raise(case: tuple[Decimal, str]) -> None:
    step, text = case
    assert Decimal(text) % step != 0
    grid = DecimalGrid(format(step, "f"), "prop")
    with pytest.raises(DecimalFormatError) as info:
        grid.to_steps(text)
    assert f"'{text}'" in str(info.value)
    assert "not a multiple of the step" in str(info.value)
