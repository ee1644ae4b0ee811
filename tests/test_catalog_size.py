"""How much smaller the catalog's Parquet is than the same rows as CSV, on the real demo capture.

Run with ``-s`` to see the table that docs/data.md quotes:
    .venv/bin/python -m pytest tests/test_catalog_size.py -s
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyarrow.csv as pa_csv

from veloz.data.catalog import Catalog
from veloz.data.import_captures import capture_instruments, import_capture


def test_parquet_is_much_smaller_than_csv(demo_capture: Path, demo_exchange_info: Path, tmp_path: Path) -> None:
    result = import_capture(demo_capture, capture_instruments(demo_capture, demo_exchange_info))
    catalog = Catalog(tmp_path)
    totals = {"csv": 0, "csv.gz": 0, "parquet": 0}
    print(f"\n{'data type':<12}{'rows':>9}{'CSV':>12}{'CSV gzip':>11}{'Parquet':>10}{'CSV/Pq':>8}{'gz/Pq':>7}")
    for data_type, table in sorted(result.tables["BTCUSDT"].items()):
        catalog.write("binance", "usdm", "BTCUSDT", data_type, table, result.instruments["BTCUSDT"])
        stored = catalog.read("binance", "usdm", "BTCUSDT", data_type)  # the same rows, in stored order
        buffer = io.BytesIO()
        pa_csv.write_csv(stored, buffer)
        csv = len(buffer.getvalue())
        csv_gz = len(gzip.compress(buffer.getvalue(), compresslevel=6))
        parquet = sum(p.stat().st_size for p in (tmp_path / "binance/usdm/BTCUSDT" / data_type).glob("*.parquet"))
        print(f"{data_type:<12}{stored.num_rows:>9}{csv:>12,}{csv_gz:>11,}{parquet:>10,}"
              f"{csv / parquet:>8.1f}{csv_gz / parquet:>7.2f}")
        for key, size in (("csv", csv), ("csv.gz", csv_gz), ("parquet", parquet)):
            totals[key] += size
        assert csv / parquet > 5, data_type
    ratio = totals["csv"] / totals["parquet"]
    print(f"{'all':<21}{totals['csv']:>12,}{totals['csv.gz']:>11,}{totals['parquet']:>10,}{ratio:>8.1f}"
          f"{totals['csv.gz'] / totals['parquet']:>7.2f}   (raw capture .gz: {demo_capture.stat().st_size:,})")
    assert ratio > 9  # the expectation; measured ~21 (see docs/data.md)
    assert totals["parquet"] < totals["csv.gz"]
