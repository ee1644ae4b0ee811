"""The compiled modules' .pyi stubs match what the modules really expose (mypy stubtest)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ALLOWLIST = Path(__file__).with_name("stubtest_allowlist.txt")
NATIVE_MODULES = ["veloz._native.accounts", "veloz._native.book", "veloz._native.fixed", "veloz._native.matching",
                  "veloz._native.oms", "veloz._native.replay", "veloz._native.ring", "veloz._native.session"]


@pytest.mark.parametrize("module", NATIVE_MODULES)
def test_stub_matches_compiled_module(module: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", module, "--allowlist", str(ALLOWLIST), "--ignore-unused-allowlist"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
        env={**os.environ, "MYPY_CACHE_DIR": str(tmp_path / "mypy-cache")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
