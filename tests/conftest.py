"""Shared fixtures: bundled demo data (always present) and ../shared/data (skipped when absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO_DATA = ROOT / "demo" / "data"
DEMO_CAPTURE = DEMO_DATA / "usdm_btcusdt_20240808.gz"
DEMO_EXCHANGE_INFO = DEMO_DATA / "usdm_exchange_info_btcusdt.json"
SHARED_DATA = Path(os.environ.get("VELOZ_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture
def shared_data() -> Path:
    """../shared/data (override with VELOZ_SHARED_DATA); the test is skipped, visibly, without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-data corpus not found at {SHARED_DATA} (a user's clone has none; CI has it)")
    return SHARED_DATA


@pytest.fixture
def demo_capture() -> Path:
    return DEMO_CAPTURE


@pytest.fixture
def demo_exchange_info() -> Path:
    return DEMO_EXCHANGE_INFO
