"""strategy_sdk stands alone: it imports nothing from veloz, so a strategy package can depend on
it without the engine. Its enums carry the engine's values, so they pass through untranslated."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from enum import IntEnum
from pathlib import Path

import pytest

import strategy_sdk
from strategy_sdk import enums as sdk_enums

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "strategy_sdk"

# -I ignores PYTHONPATH and the current directory; the repository root goes first on sys.path.
# A finder first on sys.meta_path refuses veloz, which the editable install would otherwise find.
IMPORT_EVERYTHING_WITHOUT_VELOZ = """
import importlib, importlib.abc, pkgutil, sys
sys.path.insert(0, {root!r})

class RefuseVeloz(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "veloz" or name.startswith("veloz."):
            raise ImportError(f"strategy_sdk must not import {{name}}")
        return None

sys.meta_path.insert(0, RefuseVeloz())
import msgspec  # the one dependency, with whatever it imports itself
before = set(sys.modules)
import strategy_sdk
names = ["strategy_sdk"] + [m.name for m in pkgutil.walk_packages(strategy_sdk.__path__, "strategy_sdk.")]
for name in names:
    importlib.import_module(name)
assert strategy_sdk.__file__.startswith({root!r}), strategy_sdk.__file__
leaked = sorted(m for m in sys.modules if m == "veloz" or m.startswith("veloz."))
assert not leaked, leaked
third_party = {{m.split(".")[0] for m in set(sys.modules) - before}} - set(sys.stdlib_module_names)
assert third_party == {{"strategy_sdk"}}, third_party
print("\\n".join(names))
"""


def test_every_module_imports_with_veloz_unavailable_and_needs_only_msgspec() -> None:
    code = IMPORT_EVERYTHING_WITHOUT_VELOZ.format(root=str(ROOT))
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    imported = set(result.stdout.split())
    expected = {"strategy_sdk.params", "strategy_sdk.indicators.sma", "strategy_sdk.examples.ma_cross",
                "strategy_sdk.examples.market_maker"}
    assert expected <= imported
    assert len(imported) == len(list(SDK.rglob("*.py")))  # every module, none skipped


def test_the_refusing_finder_does_refuse() -> None:
    """The check above would pass vacuously if the finder let veloz through."""
    code = IMPORT_EVERYTHING_WITHOUT_VELOZ.split("import strategy_sdk")[0] + "import veloz\n"
    code = code.format(root=str(ROOT))
    result = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "must not import veloz" in result.stderr


VELOZ_IMPORT_TEXT = re.compile(
    r"^\s*(?:from\s+veloz\b|import\s+(?:.*,\s*)?veloz\b)|(?:import_module|__import__)\(\s*['\"]veloz\b",
    re.MULTILINE,
)


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                modules.add(str(node.args[0].value))
    return modules


@pytest.mark.parametrize("path", sorted(SDK.rglob("*.py")), ids=lambda p: str(p.relative_to(SDK)))
def test_source_names_no_veloz_import(path: Path) -> None:
    veloz_imports = {m for m in imported_modules(path) if m == "veloz" or m.startswith("veloz.")}
    assert not veloz_imports
    assert not VELOZ_IMPORT_TEXT.findall(path.read_text())  # also catches imports inside strings


@pytest.mark.parametrize(("sdk_enum", "engine_name"), [
    (sdk_enums.Side, "OrderSide"), (sdk_enums.OrderType, "OrderType"), (sdk_enums.TimeInForce, "TimeInForce"),
    (sdk_enums.PositionSide, "PositionSide"), (sdk_enums.TriggerSource, "TriggerSource"),
    (sdk_enums.OrderStatus, "OrderStatus"),
])
def test_enum_values_equal_the_engines(sdk_enum: type[IntEnum], engine_name: str) -> None:
    from veloz import order_types

    engine_enum: type[IntEnum] = getattr(order_types, engine_name)
    assert {m.name: m.value for m in sdk_enum} == {m.name: m.value for m in engine_enum}


def test_public_names_are_exported() -> None:
    for name in strategy_sdk.__all__:
        assert hasattr(strategy_sdk, name), name
