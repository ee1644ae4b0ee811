"""Writing day files: schema validation, canonical row order, de-duplication and atomic replacement.

A day file is always rewritten whole: new rows are merged with the old ones (union, exact
duplicate rows dropped, re-sorted) in memory, written to a hidden temp file in the same
directory, fsynced, then renamed over the old file. A crash at any point leaves either the old
file or the new one, never half of one; a leftover temp file is ignored by readers.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from collections.abc import Callable
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from veloz.data.catalog_read import read_day_file
from veloz.data.schema import SEQUENCE_COLUMN, schema_for
from veloz.errors import CatalogError

# Monotonic or slowly changing int64 columns: delta encoding packs them into a few bits per row
# (dictionary encoding would only bloat them, so it is off for these).
DELTA_COLUMNS = frozenset({
    "ts_ns", "local_ts_ns", "close_ts_ns", "next_funding_ts_ns",
    "trade_id", "first_trade_id", "last_trade_id", "first_update_id", "update_id", "prev_update_id",
})
ROW_GROUP_ROWS = 128 * 1024
_ROW_NUMBER = "__veloz_row"


def sort_columns(data_type: str) -> list[str]:
    """The canonical row order: (ts_ns, local_ts_ns, the data type's sequence column if any)."""
    sequence = SEQUENCE_COLUMN.get(data_type)  # klines have none
    return ["ts_ns", "local_ts_ns"] + ([sequence] if sequence else [])


def validate_table(table: pa.Table, data_type: str) -> pa.Table:
    """The table with exactly the data type's columns (in schema order), or a CatalogError naming
    the first column that is missing, extra, of the wrong type, or holds nulls."""
    schema = schema_for(data_type)
    if len(set(table.column_names)) != len(table.column_names):
        repeated = sorted({name for name in table.column_names if table.column_names.count(name) > 1})
        raise CatalogError(f"{data_type} table has column '{repeated[0]}' more than once")
    for field in schema:
        if field.name not in table.column_names:
            raise CatalogError(f"{data_type} table has no column '{field.name}' ({field.type}); "
                               f"it has: {', '.join(table.column_names) or 'no columns'}")
        actual = table.schema.field(field.name).type
        if actual != field.type:
            raise CatalogError(f"{data_type} column '{field.name}' must be {field.type}, not {actual}")
        if table.column(field.name).null_count:
            raise CatalogError(f"{data_type} column '{field.name}' holds "
                               f"{table.column(field.name).null_count} null values")
    extra = [name for name in table.column_names if name not in schema.names]
    if extra:
        raise CatalogError(f"{data_type} table has unknown column '{extra[0]}'; "
                           f"the schema's columns are: {', '.join(schema.names)}")
    return table.select(schema.names).cast(schema)


def dedupe_and_sort(table: pa.Table, data_type: str) -> pa.Table:
    """Drops exact duplicate rows (keeping the first) and sorts stably by the canonical order, so
    rows that tie on the sort keys (the levels of one depth message) keep their relative order."""
    if table.num_rows == 0:
        return table
    numbered = table.append_column(_ROW_NUMBER, pa.array(np.arange(table.num_rows, dtype=np.int64)))
    firsts = numbered.group_by(table.column_names, use_threads=False).aggregate([(_ROW_NUMBER, "min")])
    keep = np.sort(firsts.column(f"{_ROW_NUMBER}_min").to_numpy())
    unique = table.take(pa.array(keep)) if len(keep) != table.num_rows else table
    order = pc.sort_indices(unique, sort_keys=[(c, "ascending") for c in sort_columns(data_type)])
    return unique.take(order)


def write_parquet(table: pa.Table, sink: IO[bytes], row_group_rows: int) -> None:
    """The catalog's Parquet layout: zstd, statistics, delta-encoded time and id columns."""
    delta = [name for name in table.column_names if name in DELTA_COLUMNS]
    dictionary = [name for name in table.column_names if name not in DELTA_COLUMNS]
    with pq.ParquetWriter(sink, table.schema, compression="zstd", use_dictionary=dictionary,
                          column_encoding={name: "DELTA_BINARY_PACKED" for name in delta},
                          write_statistics=True) as writer:
        writer.write_table(table, row_group_size=row_group_rows)


def _fsync_directory(directory: Path) -> None:
    """Makes a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_path(target: Path) -> Path:
    # Hidden (leading dot) and not ending in .parquet: readers never take it for a day file.
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def replace_atomically(target: Path, write: Callable[[IO[bytes]], None]) -> None:
    """Calls ``write(handle)`` on a temp file beside ``target``, fsyncs it and renames it over
    ``target``. On any failure the temp file is removed and ``target`` is untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _temp_path(target)
    try:
        with open(temp, "xb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)


def merge_into_day_file(path: Path, rows: pa.Table, data_type: str, row_group_rows: int) -> tuple[int, int]:
    """Merges canonical rows of one day into its file; returns (rows before, rows after). The file
    is not rewritten when every new row was already in it."""
    existing = read_day_file(path, data_type) if path.exists() else None
    before = 0 if existing is None else existing.num_rows
    merged = rows if existing is None else dedupe_and_sort(pa.concat_tables([existing, rows]), data_type)
    if existing is not None and merged.num_rows == before:
        return before, before
    try:
        replace_atomically(path, lambda handle: write_parquet(merged, handle, row_group_rows))
    except (OSError, pa.ArrowException) as exc:
        raise CatalogError(f"cannot write {path}: {exc}") from exc
    return before, merged.num_rows
