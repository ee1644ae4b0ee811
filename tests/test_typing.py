"""The typed layers a user programs against pass mypy --strict: the strategy SDK and the backtest
package (pyarrow ships no stubs, hence --ignore-missing-imports)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_sdk_and_backtest_pass_mypy_strict(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--ignore-missing-imports", "--cache-dir", str(tmp_path),
         "strategy_sdk", "veloz/backtest", "veloz/cli_backtest.py"],
        capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
