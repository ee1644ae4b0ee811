"""The catalog's read path: exact range filtering, file and row-group pruning, bounded batches and
memory, and a property-based round trip."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_tables import NS, T0, rows_of, trades, usdm_btcusdt
from veloz.data.catalog import Catalog
from veloz.errors import CatalogError

SERIES = ("binance", "usdm", "BTCUSDT", "trades")
DAY = 86_400 * NS


def synthetic_trades(rows: int, start_ns: int, step_ns: int) -> pa.Table:
    ts = start_ns + np.arange(rows, dtype=np.int64) * step_ns
    return pa.table({
        "ts_ns": ts, "local_ts_ns": ts + 1_000, "trade_id": np.arange(rows, dtype=np.int64),
        "px": 600_000 + (np.arange(rows, dtype=np.int64) % 97), "qty": np.ones(rows, dtype=np.int64),
        "side": np.where(np.arange(rows) % 2 == 0, 1, -1).astype(np.int8),
    })


@pytest.fixture
def three_days(tmp_path: Path) -> tuple[Catalog, pa.Table]:
    """3,000 trades a minute apart from 2024-08-07 23:00 UTC: three day files, row groups of 100."""
    catalog = Catalog(tmp_path, row_group_rows=100)
    data = synthetic_trades(3_000, T0 - DAY - 59 * 60 * NS, 60 * NS)
    catalog.write(*SERIES, data, usdm_btcusdt())
    return catalog, data


def test_range_is_exact_half_open(three_days: tuple[Catalog, pa.Table]) -> None:
    catalog, data = three_days
    ts = data.column("ts_ns").to_numpy()
    for start, end in [(ts[10], ts[20]), (ts[10] + 1, ts[20] + 1), (ts[0] - 5, ts[-1]), (ts[-1], ts[-1] + 1)]:
        got = catalog.read(*SERIES, start_ns=int(start), end_ns=int(end)).column("ts_ns").to_numpy()
        assert np.array_equal(got, ts[(ts >= start) & (ts < end)])


def test_only_overlapping_files_are_opened(three_days: tuple[Catalog, pa.Table]) -> None:
    catalog, data = three_days
    midnight = T0 + 60 * NS
    scan = catalog.scan(*SERIES, start_ns=midnight - DAY + 1, end_ns=midnight - 1)  # inside 2024-08-08
    rows = sum(batch.num_rows for batch in scan)
    assert scan.files_opened == 1 and rows == 1440 - 1  # the minute at midnight itself is excluded
    assert catalog.scan(*SERIES, start_ns=midnight).files_opened == 0  # lazily: nothing opened yet


def test_row_groups_outside_the_range_are_not_read(three_days: tuple[Catalog, pa.Table]) -> None:
    catalog, data = three_days
    ts = data.column("ts_ns").to_numpy()
    scan = catalog.scan(*SERIES, start_ns=int(ts[1500]), end_ns=int(ts[1530]))
    batches = list(scan)
    assert sum(b.num_rows for b in batches) == 30
    # Rows 1500..1529 lie in one file; of its row groups only the one or two holding them are read.
    assert scan.files_opened == 1
    assert 1 <= scan.row_groups_read <= 2 and scan.row_groups_skipped >= 12
    assert scan.rows_read <= 200 and scan.rows_yielded == 30


def test_whole_row_groups_inside_the_range_are_read_without_filtering(three_days: tuple[Catalog, pa.Table]) -> None:
    catalog, _ = three_days
    scan = catalog.scan(*SERIES)
    assert sum(b.num_rows for b in scan) == 3_000
    assert scan.rows_read == scan.rows_yielded == 3_000 and scan.row_groups_skipped == 0


def test_batches_never_exceed_batch_rows(three_days: tuple[Catalog, pa.Table]) -> None:
    catalog, data = three_days
    batches = list(catalog.scan(*SERIES, batch_rows=7))
    assert max(b.num_rows for b in batches) <= 7 and len(batches) >= 3_000 // 7
    assert pa.Table.from_batches(batches).equals(data)


def test_columns_selection_and_numpy_batches(three_days: tuple[Catalog, pa.Table]) -> None:
    catalog, data = three_days
    ts = data.column("ts_ns").to_numpy()
    arrays = list(catalog.scan_arrays(*SERIES, start_ns=int(ts[5]), end_ns=int(ts[9]), columns=["px", "qty"]))
    assert [sorted(a) for a in arrays] == [["px", "qty"]]  # ts_ns was needed for the filter, not returned
    assert arrays[0]["px"].dtype == np.int64
    assert arrays[0]["px"].tolist() == data.column("px").to_pylist()[5:9]
    with pytest.raises(CatalogError, match="trades has no column 'price'"):
        catalog.scan(*SERIES, columns=["price"])
    with pytest.raises(CatalogError, match="batch_rows must be >= 1"):
        catalog.scan(*SERIES, batch_rows=0)


def test_memory_stays_flat_while_streaming(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    rows = 1_200_000  # ~55 MB as Arrow arrays; spread over 4 days so several files stream by
    catalog.write(*SERIES, synthetic_trades(rows, T0, 4 * DAY // rows), usdm_btcusdt())
    baseline = pa.total_allocated_bytes()
    peak, seen = 0, 0
    for batch in catalog.scan(*SERIES, batch_rows=10_000):
        assert batch.num_rows <= 10_000
        seen += batch.num_rows
        peak = max(peak, pa.total_allocated_bytes() - baseline)
        del batch
    assert seen == rows
    full_size = rows * (5 * 8 + 1)
    assert peak < full_size / 5, (peak, full_size)


# --- property: whatever goes in comes back, deduplicated and in canonical order --------------------

ROWS = st.lists(
    st.tuples(
        st.integers(T0 - 2 * DAY, T0 + 2 * DAY), st.integers(-5, 5), st.integers(0, 30),
        st.integers(1, 10**12), st.integers(0, 10**9), st.sampled_from([1, -1]),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(first=ROWS, second=ROWS, row_group_rows=st.integers(1, 16))
def test_round_trip_of_random_tables(first: list[tuple[int, ...]], second: list[tuple[int, ...]],
                                     row_group_rows: int) -> None:
    # Rows repeat on purpose (small id and local-offset ranges), within and across the two writes.
    first_rows = [(ts, ts + d, i, px, q, s) for ts, d, i, px, q, s in first]
    second_rows = first_rows[: len(first_rows) // 2] + [(ts, ts + d, i, px, q, s) for ts, d, i, px, q, s in second]
    expected = sorted(dict.fromkeys(first_rows + second_rows), key=lambda r: (r[0], r[1], r[2]))
    with tempfile.TemporaryDirectory() as root:
        catalog = Catalog(root, row_group_rows=row_group_rows)
        catalog.write(*SERIES, trades(first_rows), usdm_btcusdt())
        catalog.write(*SERIES, trades(second_rows), usdm_btcusdt())
        assert rows_of(catalog.read(*SERIES)) == expected
        if expected:
            lo, hi = expected[len(expected) // 3][0], expected[2 * len(expected) // 3][0]
            window = catalog.read(*SERIES, start_ns=lo, end_ns=hi)
            assert rows_of(window) == [r for r in expected if lo <= r[0] < hi]
