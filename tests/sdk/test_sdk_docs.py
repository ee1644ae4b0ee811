"""docs/sdk.md stays true: its complete example runs, and it covers every Context call."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest
from fake_context import FakeContext

from strategy_sdk import Context, Side, parse_params
from strategy_sdk.context import BookView, InstrumentInfo

DOC = (Path(__file__).resolve().parents[2] / "docs" / "sdk.md").read_text()


def protocol_members(protocol: type) -> set[str]:
    return {name for name in vars(protocol) if not name.startswith("_")}


def test_the_complete_example_runs_and_trades(monkeypatch: pytest.MonkeyPatch) -> None:
    source = re.findall(r"```python\n(# my_strategies/rsi_dip\.py\n.*?)```", DOC, re.DOTALL)[0]
    module = types.ModuleType("rsi_dip")
    monkeypatch.setitem(sys.modules, "rsi_dip", module)  # msgspec resolves annotations through it
    exec(compile(source, "docs/sdk.md", "exec"), module.__dict__)
    params = parse_params(module.RsiDipParams, {"period": "3", "lots": "2"})
    ctx = FakeContext(module.RsiDip(params), fill_market_orders=True).start()
    for i, close in enumerate([100, 99, 98, 97, 96, 100, 104, 108, 112]):
        ctx.bar(close, close, close, close, ts_ns=i)
    assert [(o.side, o.qty_lots, o.tag) for o in ctx.placed()] == [(Side.BUY, 2, "dip"), (Side.SELL, 2, "exit")]


def test_every_context_call_is_documented() -> None:
    for protocol in (Context, BookView, InstrumentInfo):
        missing = {name for name in protocol_members(protocol) if name not in DOC}
        assert not missing, f"{protocol.__name__}: {sorted(missing)}"
