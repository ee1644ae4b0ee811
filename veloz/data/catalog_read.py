"""Reading day files: schema-checked opening, whole-file reads (for merges) and the streaming scan.

The scan keeps memory flat however long the range: it opens only the day files whose date
overlaps the range, skips row groups whose ``ts_ns`` statistics lie outside it, and yields
batches of at most ``batch_rows`` rows, filtered exactly to ``start_ns <= ts_ns < end_ns``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from veloz.data.schema import schema_for
from veloz.errors import CatalogError

# What pyarrow raises on a truncated, foreign or unreadable file: its own errors, and OSError
# from the file system.
READ_ERRORS = (pa.ArrowException, OSError)


def _describe_schema(fields: Sequence[tuple[str, pa.DataType]]) -> str:
    return ", ".join(f"{name}: {type_}" for name, type_ in fields)


def open_day_file(path: Path, data_type: str) -> pq.ParquetFile:
    """Opens a day file and checks it holds exactly ``data_type``'s columns; a damaged or foreign
    file is a CatalogError naming it."""
    try:
        parquet = pq.ParquetFile(path)
        stored = [(f.name, f.type) for f in parquet.schema_arrow]
    except READ_ERRORS as exc:
        raise CatalogError(f"{path}: damaged or not a Parquet file ({exc})") from exc
    expected = [(f.name, f.type) for f in schema_for(data_type)]
    if stored != expected:
        parquet.close()
        raise CatalogError(f"{path}: columns do not match the {data_type} schema; found "
                           f"[{_describe_schema(stored)}], expected [{_describe_schema(expected)}]")
    return parquet


def read_day_file(path: Path, data_type: str) -> pa.Table:
    """The whole file (used to merge new rows into it)."""
    parquet = open_day_file(path, data_type)
    try:
        with parquet:
            return parquet.read()
    except READ_ERRORS as exc:
        raise CatalogError(f"{path}: damaged Parquet data ({exc})") from exc


def row_group_ts_bounds(parquet: pq.ParquetFile, row_group: int) -> tuple[int, int] | None:
    """(min, max) of ts_ns in a row group from its statistics, or None when they were not written."""
    ts_index = parquet.schema_arrow.get_field_index("ts_ns")
    stats = parquet.metadata.row_group(row_group).column(ts_index).statistics
    if stats is None or not stats.has_min_max:
        return None
    return int(stats.min), int(stats.max)


def file_ts_bounds(path: Path, data_type: str) -> tuple[int, int, int] | None:
    """(rows, first ts_ns, last ts_ns) of a day file from its footer alone, or None when empty."""
    parquet = open_day_file(path, data_type)
    with parquet:
        rows = parquet.metadata.num_rows
        bounds = [row_group_ts_bounds(parquet, i) for i in range(parquet.num_row_groups)]
    known = [b for b in bounds if b is not None]
    if rows == 0 or not known:
        return None
    return rows, min(b[0] for b in known), max(b[1] for b in known)


class CatalogScan(Iterator[pa.RecordBatch]):
    """Record batches of one series over [start_ns, end_ns), oldest first.

    The counters say how much was actually read, so pruning can be seen (and tested):
    ``files_opened``, ``row_groups_read``, ``row_groups_skipped``, ``rows_read`` (before the exact
    time filter) and ``rows_yielded``.
    """

    def __init__(self, files: Sequence[Path], data_type: str, start_ns: int | None, end_ns: int | None,
                 columns: Sequence[str] | None, batch_rows: int) -> None:
        if batch_rows < 1:
            raise CatalogError(f"batch_rows must be >= 1, not {batch_rows}")
        schema = schema_for(data_type)
        wanted = list(schema.names) if columns is None else list(columns)
        unknown = [c for c in wanted if c not in schema.names]
        if unknown:
            raise CatalogError(f"{data_type} has no column {', '.join(map(repr, unknown))}; "
                               f"columns: {', '.join(schema.names)}")
        if start_ns is not None and end_ns is not None and start_ns > end_ns:
            raise CatalogError(f"start_ns {start_ns} is after end_ns {end_ns}")
        self.files_opened = 0
        self.row_groups_read = 0
        self.row_groups_skipped = 0
        self.rows_read = 0
        self.rows_yielded = 0
        self._files = list(files)
        self._data_type = data_type
        self._start = start_ns
        self._end = end_ns
        self._columns = wanted
        self._batch_rows = batch_rows
        self._batches = self._generate()

    def __next__(self) -> pa.RecordBatch:
        return next(self._batches)

    def __iter__(self) -> CatalogScan:
        return self

    def _row_groups(self, parquet: pq.ParquetFile) -> tuple[list[int], bool]:
        """The row groups that may hold rows in range, and whether every one of them lies wholly
        inside it (then no row needs filtering)."""
        selected, all_inside = [], True
        for index in range(parquet.num_row_groups):
            bounds = row_group_ts_bounds(parquet, index)
            if bounds is not None:
                lo, hi = bounds
                if (self._end is not None and lo >= self._end) or (self._start is not None and hi < self._start):
                    self.row_groups_skipped += 1
                    continue
                inside = (self._start is None or lo >= self._start) and (self._end is None or hi < self._end)
            else:
                inside = False
            all_inside = all_inside and inside
            selected.append(index)
        return selected, all_inside

    def _generate(self) -> Iterator[pa.RecordBatch]:
        # ts_ns is read even when not asked for: the exact time filter needs it.
        read_columns = self._columns if "ts_ns" in self._columns else [*self._columns, "ts_ns"]
        for path in self._files:
            parquet = open_day_file(path, self._data_type)
            self.files_opened += 1
            with parquet:
                row_groups, all_inside = self._row_groups(parquet)
                if not row_groups:
                    continue
                needs_filter = not all_inside and (self._start is not None or self._end is not None)
                self.row_groups_read += len(row_groups)
                batches = parquet.iter_batches(batch_size=self._batch_rows, row_groups=row_groups,
                                               columns=read_columns, use_threads=False)
                while True:
                    try:
                        batch = next(batches)
                    except StopIteration:
                        break
                    except READ_ERRORS as exc:
                        raise CatalogError(f"{path}: damaged Parquet data ({exc})") from exc
                    self.rows_read += batch.num_rows
                    if needs_filter:
                        batch = batch.filter(self._in_range(batch.column("ts_ns")))
                    if batch.num_rows == 0:
                        continue
                    if read_columns is not self._columns:
                        batch = batch.select(self._columns)
                    self.rows_yielded += batch.num_rows
                    yield batch

    def _in_range(self, ts: pa.Array) -> pa.Array:
        """start <= ts < end (called only when at least one bound is set)."""
        above = None if self._start is None else pc.greater_equal(ts, pa.scalar(self._start, pa.int64()))
        below = None if self._end is None else pc.less(ts, pa.scalar(self._end, pa.int64()))
        if above is None or below is None:
            mask = above if below is None else below
            assert mask is not None
            return mask
        return pc.and_(above, below)
