"""Every example loads the way the CLI names it (pkg.module:Class) and documents itself; its
parameters have defaults, refuse unknown names and round-trip through params_to_dict."""

from __future__ import annotations

import importlib

import msgspec
import pytest

from strategy_sdk import Strategy, params_to_dict, parse_params

EXAMPLES = [
    "strategy_sdk.examples.ma_cross:MovingAverageCross",
    "strategy_sdk.examples.mean_reversion:MeanReversion",
    "strategy_sdk.examples.breakout:Breakout",
    "strategy_sdk.examples.grid:Grid",
    "strategy_sdk.examples.market_maker:MarketMaker",
]


def load(spec: str) -> type[Strategy]:  # type: ignore[type-arg]
    module_name, _, class_name = spec.partition(":")
    module = importlib.import_module(module_name)
    assert module.__doc__ and len(module.__doc__) > 200, "the docstring explains the logic"
    strategy_class: type[Strategy] = getattr(module, class_name)  # type: ignore[type-arg]
    return strategy_class


@pytest.mark.parametrize("spec", EXAMPLES)
def test_example_loads_and_its_params_round_trip(spec: str) -> None:
    strategy_class = load(spec)
    assert issubclass(strategy_class, Strategy)
    params_type = strategy_class.Params
    config = params_type.__struct_config__
    assert config.frozen and config.forbid_unknown_fields
    defaults = params_type()
    assert strategy_class().params == defaults
    assert parse_params(params_type, params_to_dict(defaults)) == defaults
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"no_such_parameter": 1}, params_type)
