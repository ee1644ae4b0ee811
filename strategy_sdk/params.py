"""Strategy parameters: a frozen msgspec Struct per strategy, built from command-line text.

    class Params(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
        fast: Annotated[int, msgspec.Meta(gt=0)] = 50
        slow: Annotated[int, msgspec.Meta(gt=0)] = 200
        side: Side = Side.BUY

        def __post_init__(self) -> None:
            if self.fast >= self.slow:
                raise ParameterError("fast", f"must be less than slow ({self.fast} >= {self.slow})")

    parse_params(Params, {"fast": "20", "side": "sell"})  # Params(fast=20, slow=200, side=Side.SELL)

Every problem is a ``ParameterError`` whose ``field`` names the parameter.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
import types
import typing
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from strategy_sdk.errors import ParameterError

__all__ = ["params_to_dict", "parse_param_assignments", "parse_params"]

S = TypeVar("S", bound=msgspec.Struct)

_SEQUENCE_ORIGINS = (list, tuple, set, frozenset)
# msgspec's messages end with " - at `$.field...`" when the error is inside the object.
_AT_PATH = re.compile(r"^(?P<message>.*?) - at `\$(?P<path>[^`]*)`$", re.DOTALL)
_MISSING_FIELD = re.compile(r"^Object missing required field `(?P<name>[^`]*)`$")
_GOT_TYPE = re.compile(r", got `[^`]*`$")


def parse_param_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """``["fast=50", "side=BUY"]`` (the CLI's ``--param`` values) -> ``{"fast": "50", "side": "BUY"}``.
    Only the first ``=`` splits, so values may contain ``=``."""
    values: dict[str, str] = {}
    for text in assignments:
        name, equals, value = text.partition("=")
        name = name.strip()
        if not equals or not name:
            raise ParameterError(name, f"expected NAME=VALUE, got {text!r}")
        if name in values:
            raise ParameterError(name, f"given twice ({values[name]!r} and {value!r})")
        values[name] = value
    return values


def parse_params(params_type: type[S], values: Mapping[str, object]) -> S:
    """Builds ``params_type`` from ``values``: strings as typed on a command line ("50", "0.5",
    "true", "BUY", "1,2,3") or already-typed Python values. Fields not given keep their defaults."""
    if not (isinstance(params_type, type) and issubclass(params_type, msgspec.Struct)):
        raise TypeError(f"parameters must be a msgspec.Struct subclass, not {params_type!r}")
    fields = {f.encode_name: f for f in msgspec.structs.fields(params_type)}
    for name in values:
        if name not in fields:
            raise ParameterError(name, _unknown_field_message(name, list(fields)))
    prepared = {name: _prepare(value, fields[name].type) for name, value in values.items()}
    try:
        return msgspec.convert(prepared, params_type, strict=False)
    except msgspec.ValidationError as e:
        cause = e.__cause__
        if isinstance(cause, ParameterError):  # raised by the Struct's own __post_init__
            raise cause from None
        if cause is not None:  # any other ValueError / TypeError from __post_init__
            raise ParameterError("", str(cause)) from None
        raise _parameter_error(str(e), values, {name: f.type for name, f in fields.items()}) from None


def params_to_dict(params: msgspec.Struct) -> dict[str, Any]:
    """The parameters as JSON-safe values that ``parse_params`` reads back to an equal Struct:
    enums by name, Decimals as strings, non-finite floats as "inf" / "-inf" / "nan"."""
    return {f.encode_name: _json_safe(getattr(params, f.name)) for f in msgspec.structs.fields(params)}


def _unknown_field_message(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    listing = ", ".join(known) if known else "none"
    return f"unknown parameter{hint}; known: {listing}"


def _parameter_error(
    msgspec_message: str, values: Mapping[str, object], field_types: Mapping[str, Any]
) -> ParameterError:
    """Turns msgspec's "Expected `int`, got `str` - at `$.fast`" into
    ParameterError("fast", "expected int, got 'abc'")."""
    located = _AT_PATH.match(msgspec_message)
    if located is None:
        missing = _MISSING_FIELD.match(msgspec_message)
        if missing is not None:
            return ParameterError(missing["name"], "required parameter not given")
        return ParameterError("", msgspec_message)
    message = located["message"]
    message = message[:1].lower() + message[1:]
    path = located["path"].lstrip(".")
    field = re.split(r"[.\[]", path, maxsplit=1)[0]
    rest = path[len(field):]
    if rest:
        return ParameterError(field, f"at {rest.lstrip('.')}: {message.replace('`', '')}")
    if field not in values:  # a default the Struct itself rejects
        return ParameterError(field, message.replace("`", ""))
    choices = _choices(field_types.get(field))
    if choices is not None:
        return ParameterError(field, f"expected one of {', '.join(choices)}, got {values[field]!r}")
    if message.startswith("expected"):  # name the value itself, not only its type
        message = _GOT_TYPE.sub("", message) + f", got {values[field]!r}"
    return ParameterError(field, message.replace("`", ""))


def _choices(field_type: Any) -> list[str] | None:
    """The allowed spellings of an enum or Literal field, None for other types."""
    if field_type is None:
        return None
    choices: list[str] = []
    for member in _union_members(_strip_annotated(field_type)):
        if isinstance(member, type) and issubclass(member, enum.Enum):
            choices += [m.name for m in member]
        elif typing.get_origin(member) is typing.Literal:
            choices += [repr(arg) for arg in typing.get_args(member)]
        elif member is type(None):
            choices.append("null")
        else:
            return None  # a union with other types: msgspec's message says more
    return choices or None


def _strip_annotated(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _union_members(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return tuple(_strip_annotated(t) for t in typing.get_args(tp))
    return (tp,)


def _prepare(value: object, field_type: Any) -> object:
    """What msgspec.convert(strict=False) does not do for command-line text: enum members by
    name, and sequences written as "1,2,3" or JSON."""
    members = _union_members(_strip_annotated(field_type))
    if isinstance(value, str):
        key = value.strip().lower()
        for member in members:
            if isinstance(member, type) and issubclass(member, enum.Enum):
                by_name = {m.name.lower(): m for m in member}
                if key in by_name:
                    return by_name[key]
    for member in members:
        if not (typing.get_origin(member) in _SEQUENCE_ORIGINS or member in _SEQUENCE_ORIGINS):
            continue
        if isinstance(value, str):
            if str in members:  # a plain string is also allowed: keep it as given
                return value
            items = _split_sequence(value)
        elif isinstance(value, (list, tuple)):
            items = list(value)
        else:
            return value
        return [_prepare(item, item_type) for item, item_type in zip(items, _item_types(member, len(items)))]
    return value


def _item_types(sequence_type: Any, count: int) -> list[Any]:
    args = typing.get_args(sequence_type)
    if typing.get_origin(sequence_type) is tuple and args and args[-1] is not Ellipsis:
        return list(args) + [Any] * max(0, count - len(args))  # fixed-length tuple: one type per slot
    return [args[0] if args else Any] * count


def _split_sequence(text: str) -> list[object]:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            decoded = msgspec.json.decode(stripped)
        except msgspec.DecodeError:
            return [text]  # let msgspec report the type error against the raw text
        return decoded if isinstance(decoded, list) else [decoded]
    if not stripped:
        return []
    return [item.strip() for item in stripped.split(",")]


def _json_safe(value: object) -> Any:
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, msgspec.Struct):
        return params_to_dict(value)
    if isinstance(value, Mapping):
        return {str(_json_safe(k)): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        items = [_json_safe(v) for v in value]
        try:
            return sorted(items)
        except TypeError:  # mixed types: order is not defined, keep iteration order
            return items
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return msgspec.to_builtins(value)  # datetime, UUID, bytes, ...: msgspec's JSON forms
