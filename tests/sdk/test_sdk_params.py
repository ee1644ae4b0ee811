"""parse_params builds a strategy's parameters from --param text; every error names its field."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from strategy_sdk import ParameterError, Side, params_to_dict, parse_param_assignments, parse_params


class CrossParams(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    fast: Annotated[int, msgspec.Meta(gt=0)]
    slow: Annotated[int, msgspec.Meta(gt=0)] = 200
    threshold: Annotated[float, msgspec.Meta(ge=0.0, le=1.0)] = 0.5
    side: Side = Side.BUY
    enabled: bool = True
    levels: list[int] = []
    sides: tuple[Side, ...] = ()
    mode: Literal["close", "mid"] = "close"
    tag: Annotated[str, msgspec.Meta(min_length=1)] = "x"
    limit: int | None = None
    tick: Decimal = Decimal("0.1")

    def __post_init__(self) -> None:
        if self.fast >= self.slow:
            raise ParameterError("fast", f"must be less than slow ({self.fast} >= {self.slow})")


class PlainCheck(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    low: int = 0
    high: int = 1

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("low must not exceed high")


def error_of(values: dict[str, object], params_type: type[msgspec.Struct] = CrossParams) -> ParameterError:
    with pytest.raises(ParameterError) as info:
        parse_params(params_type, values)
    return info.value


def test_converts_command_line_text_to_field_types() -> None:
    params = parse_params(CrossParams, {
        "fast": "50", "slow": "200", "threshold": "0.25", "side": "SELL", "enabled": "false",
        "levels": "1, 2,3", "sides": "buy,sell", "mode": "mid", "limit": "7", "tick": "0.01",
    })
    assert params == CrossParams(
        fast=50, slow=200, threshold=0.25, side=Side.SELL, enabled=False, levels=[1, 2, 3],
        sides=(Side.BUY, Side.SELL), mode="mid", limit=7, tick=Decimal("0.01"),
    )
    assert isinstance(params.side, Side)


def test_missing_optional_fields_keep_defaults_and_typed_values_pass_through() -> None:
    assert parse_params(CrossParams, {"fast": 5, "side": Side.SELL, "levels": [4]}) == CrossParams(
        fast=5, side=Side.SELL, levels=[4])


def test_enum_accepts_value_and_any_case_name() -> None:
    assert parse_params(CrossParams, {"fast": "5", "side": "1"}).side is Side.SELL
    assert parse_params(CrossParams, {"fast": "5", "side": " sell "}).side is Side.SELL


def test_sequence_as_json_and_empty() -> None:
    assert parse_params(CrossParams, {"fast": "5", "levels": "[3, 4]"}).levels == [3, 4]
    assert parse_params(CrossParams, {"fast": "5", "levels": ""}).levels == []


def test_optional_accepts_null() -> None:
    assert parse_params(CrossParams, {"fast": "5", "limit": "null"}).limit is None


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"fast": "abc"}, "fast", "expected int, got 'abc'"),
    ({"fast": "2.5"}, "fast", "expected int, got '2.5'"),
    ({"fast": "0"}, "fast", "expected int >= 1, got '0'"),
    ({"fast": "5", "threshold": "1.5"}, "threshold", "expected float <= 1.0, got '1.5'"),
    ({"fast": "5", "tag": ""}, "tag", "expected str of length >= 1, got ''"),
    ({"fast": "5", "enabled": "maybe"}, "enabled", "expected bool, got 'maybe'"),
    ({"fast": "5", "side": "HOLD"}, "side", "expected one of BUY, SELL, got 'HOLD'"),
    ({"fast": "5", "mode": "open"}, "mode", "expected one of 'close', 'mid', got 'open'"),
    ({"fast": "5", "levels": "1,x"}, "levels", "at [1]: expected int, got str"),
    ({}, "fast", "required parameter not given"),
    ({"fast": "300"}, "fast", "must be less than slow (300 >= 200)"),
])
def test_errors_name_the_field(values: dict[str, object], field: str, message: str) -> None:
    error = error_of(values)
    assert (error.field, str(error)) == (field, f"parameter {field!r}: {message}")


def test_unknown_field_suggests_the_close_name_and_lists_the_known_ones() -> None:
    error = error_of({"fast": "5", "slwo": "10"})
    assert error.field == "slwo"
    assert "did you mean 'slow'?" in str(error)
    assert "known: fast, slow, threshold," in str(error)


def test_plain_value_error_from_post_init_is_a_parameter_error() -> None:
    error = error_of({"low": "3", "high": "2"}, PlainCheck)
    assert (error.field, str(error)) == ("", "low must not exceed high")


def test_direct_construction_runs_the_same_cross_field_check() -> None:
    with pytest.raises(ParameterError, match="must be less than slow") as info:
        CrossParams(fast=10, slow=5)
    assert info.value.field == "fast"


def test_rejects_a_type_that_is_not_a_struct() -> None:
    with pytest.raises(TypeError):
        parse_params(dict, {})  # type: ignore[type-var]


def test_assignments_split_on_the_first_equals_sign() -> None:
    assert parse_param_assignments(["fast=50", "expr=a=b", "empty="]) == {"fast": "50", "expr": "a=b", "empty": ""}


@pytest.mark.parametrize(("args", "field"), [(["fast"], "fast"), (["=5"], ""), (["fast=1", "fast=2"], "fast")])
def test_malformed_or_repeated_assignments(args: list[str], field: str) -> None:
    with pytest.raises(ParameterError) as info:
        parse_param_assignments(args)
    assert info.value.field == field


def test_params_to_dict_is_json_with_readable_enums() -> None:
    params = CrossParams(fast=5, side=Side.SELL, sides=(Side.BUY,), threshold=0.0, tick=Decimal("0.001"))
    written = params_to_dict(params)
    assert written["side"] == "SELL" and written["sides"] == ["BUY"] and written["tick"] == "0.001"
    assert json.loads(json.dumps(written, allow_nan=False)) == written


def test_non_finite_floats_are_written_as_text() -> None:
    class Loose(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
        x: float = 0.0

    assert params_to_dict(Loose(x=float("inf"))) == {"x": "inf"}
    assert parse_params(Loose, params_to_dict(Loose(x=float("-inf")))) == Loose(x=float("-inf"))


@given(
    fast=st.integers(1, 10_000), extra=st.integers(1, 10_000),
    threshold=st.floats(0.0, 1.0), side=st.sampled_from(Side), enabled=st.booleans(),
    levels=st.lists(st.integers(-10**12, 10**12), max_size=5),
    sides=st.lists(st.sampled_from(Side), max_size=3).map(tuple),
    mode=st.sampled_from(["close", "mid"]), limit=st.none() | st.integers(),
    tick=st.decimals(allow_nan=False, allow_infinity=False, places=8),
)
def test_written_parameters_read_back_equal(
    fast: int, extra: int, threshold: float, side: Side, enabled: bool, levels: list[int],
    sides: tuple[Side, ...], mode: Literal["close", "mid"], limit: int | None, tick: Decimal,
) -> None:
    params = CrossParams(fast=fast, slow=fast + extra, threshold=threshold, side=side, enabled=enabled,
                         levels=levels, sides=sides, mode=mode, limit=limit, tick=tick)
    written = json.loads(json.dumps(params_to_dict(params)))
    assert parse_params(CrossParams, written) == params
    as_text = {k: v if isinstance(v, str) else json.dumps(v) for k, v in written.items()}
    assert parse_params(CrossParams, as_text) == params  # the same values typed on a command line
