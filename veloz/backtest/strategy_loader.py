"""Finding a strategy class from "package.module:Class" (or "path/to/file.py:Class") and building
it with parameters given as key=value strings."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from strategy_sdk import ParameterError, Strategy
from strategy_sdk.params import parse_params
from veloz.errors import BacktestError, StrategyFailed

__all__ = ["load_strategy", "parse_param_args"]


def load_strategy_class(path: str) -> type[Strategy[Any]]:
    module_name, sep, class_name = path.rpartition(":")
    if not sep or not module_name or not class_name:
        raise BacktestError(f"--strategy {path!r}: expected 'package.module:Class' or 'file.py:Class'")
    if module_name.endswith(".py"):
        file = Path(module_name)
        if not file.is_file():
            raise BacktestError(f"--strategy {path!r}: no file {file}")
        spec = importlib.util.spec_from_file_location(f"_veloz_strategy_{file.stem}", file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise BacktestError(f"--strategy {path!r}: importing {file} failed: {type(exc).__name__}: {exc}") from exc
    else:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise BacktestError(f"--strategy {path!r}: cannot import module {module_name!r} ({exc})") from exc
        except Exception as exc:
            raise BacktestError(f"--strategy {path!r}: importing {module_name} failed: "
                                f"{type(exc).__name__}: {exc}") from exc
    cls = getattr(module, class_name, None)
    if cls is None:
        raise BacktestError(f"--strategy {path!r}: module {module_name!r} has no {class_name!r}")
    if not (isinstance(cls, type) and issubclass(cls, Strategy)):
        raise BacktestError(f"--strategy {path!r}: {class_name} is not a strategy_sdk.Strategy subclass")
    return cls


def parse_param_args(items: list[str]) -> dict[str, str]:
    """["fast=50", "slow=200"] -> {"fast": "50", "slow": "200"}."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BacktestError(f"--param {item!r}: expected key=value")
        if key.strip() in out:
            raise BacktestError(f"--param {key.strip()!r} given twice")
        out[key.strip()] = value
    return out


def load_strategy(path: str, params: Mapping[str, str] | None = None) -> Strategy[Any]:
    cls = load_strategy_class(path)
    try:
        parsed = parse_params(cls.Params, dict(params or {}))
    except ParameterError as exc:
        raise BacktestError(f"bad parameters for {cls.__name__}: {exc}") from exc
    try:
        return cls(parsed)
    except Exception as exc:
        raise StrategyFailed(f"creating {cls.__name__} raised {type(exc).__name__}: {exc}",
                             traceback.format_exc()) from exc
