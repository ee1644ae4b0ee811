"""Text fields of imported CSV rows -> the catalog's integers, and the line and row loops both
importers share.

A converter that rejects a field raises FieldError(column, reason); the row loop adds the file and
the line and turns it into an ImportFormatError, so every refusal says where it happened.
"""

from __future__ import annotations

import gzip
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from veloz._native.fixed import DecimalGrid
from veloz.data.schema import SEQUENCE_COLUMN
from veloz.errors import DecimalFormatError, ImportFormatError
from veloz.instruments import Instrument

# Epoch timestamps: below 1e14 a value is read as milliseconds (1e14 ms is the year 5138), from
# 1e14 as microseconds (1e14 us is 1973-03-03), so any real timestamp has one reading. 1e17 and
# above would be nanoseconds or garbage: no source we import writes those.
MICROS_FROM = 10**14
TOO_LARGE_FROM = 10**17
INT64_MAX = 2**63 - 1

_INTEGER = re.compile(r"-?[0-9]+")
_PLAIN_DECIMAL = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_BOOLEANS = {"true": True, "false": False, "True": True, "False": False}

TimeUnit = Literal["ms", "us"]
_NS_PER_UNIT: dict[TimeUnit, int] = {"ms": 1_000_000, "us": 1_000}
_UNIT_NAME: dict[TimeUnit, str] = {"ms": "milliseconds", "us": "microseconds"}


class FieldError(Exception):
    """One field could not be read; the row loop adds the file and line."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"column '{column}': {reason}")


def integer(column: str, text: str, minimum: int | None = None) -> int:
    # int() alone would also take "+1", " 1" and "1_000"; the sources write plain digits.
    if not _INTEGER.fullmatch(text):
        raise FieldError(column, f"{text!r} is not an integer")
    value = int(text)
    if value > INT64_MAX or value < -INT64_MAX - 1:
        raise FieldError(column, f"{text} does not fit 64 bits")
    if minimum is not None and value < minimum:
        raise FieldError(column, f"{text} is below {minimum}")
    return value


def boolean(column: str, text: str) -> bool:
    # Spot archives write True/False, futures archives and Tardis true/false.
    try:
        return _BOOLEANS[text]
    except KeyError:
        raise FieldError(column, f"{text!r} is not true or false") from None


class FileClock:
    """Epoch integers of one file -> nanoseconds. The unit (ms or us) is decided by the file's first
    timestamp and then required of every other one: Binance switched spot archives to microseconds
    on 2025-01-01, and one file never mixes the two, so a mismatch means a damaged row."""

    def __init__(self, fixed_unit: TimeUnit | None = None) -> None:
        self.unit: TimeUnit | None = fixed_unit
        self._fixed = fixed_unit is not None

    def _unit_of(self, column: str, text: str, value: int) -> TimeUnit:
        if value < 0:
            raise FieldError(column, f"timestamp {text} is negative")
        if value >= TOO_LARGE_FROM:
            raise FieldError(column, f"timestamp {text} is too large for milliseconds or microseconds")
        unit: TimeUnit = "us" if value >= MICROS_FROM else "ms"
        if self.unit is None:
            self.unit = unit
        elif unit != self.unit:
            expected = ("this format writes " if self._fixed else "the file's first timestamp is in ") + _UNIT_NAME[self.unit]
            raise FieldError(column, f"timestamp {text} reads as {_UNIT_NAME[unit]} but {expected}")
        return unit

    def to_ns(self, column: str, text: str) -> int:
        value = integer(column, text)
        return value * _NS_PER_UNIT[self._unit_of(column, text, value)]

    def end_to_ns(self, column: str, text: str) -> int:
        """An inclusive end time (Binance kline close_time, the last ms or us of the bar) -> the last
        nanosecond it covers, so ms and us files give the same value."""
        value = integer(column, text)
        step = _NS_PER_UNIT[self._unit_of(column, text, value)]
        return (value + 1) * step - 1


def plain_decimal(text: str) -> str:
    """A decimal with an exponent ("8.1e-7", as a JavaScript number prints) rewritten exactly in
    plain digits; other text is returned unchanged for the grid to judge."""
    if "e" not in text and "E" not in text:
        return text
    try:
        return format(Decimal(text), "f")
    except InvalidOperation:
        return text


class GridFields:
    """Prices -> ticks and quantities -> lots on an instrument's grid, and amounts -> 1e-8 units.
    Exact decimal arithmetic throughout; anything off the grid is refused, never rounded."""

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self._e8 = DecimalGrid("0.00000001", "1e-8 grid")

    def price(self, column: str, text: str) -> int:
        ticks = self._steps(column, text, self.instrument.price_to_ticks)
        if ticks <= 0:
            raise FieldError(column, f"price {text} is not positive")
        return ticks

    def qty(self, column: str, text: str) -> int:
        lots = self._steps(column, text, self.instrument.qty_to_lots)
        if lots < 0:
            raise FieldError(column, f"quantity {text} is negative")
        return lots

    def e8(self, column: str, text: str, signed: bool = False) -> int:
        """A value in units of 1e-8 (quote volumes, rates, notionals); finer digits are refused."""
        units = self._steps(column, text, self._e8.to_steps)
        if units < 0 and not signed:
            raise FieldError(column, f"{text} is negative")
        return units

    @staticmethod
    def _steps(column: str, text: str, convert: Callable[[str], int]) -> int:
        try:
            return convert(text)
        except DecimalFormatError as exc:
            raise FieldError(column, str(exc)) from None


def check_decimal(column: str, text: str) -> None:
    """A column the canonical schema drops is still checked, so a damaged row is not half-read."""
    if not _PLAIN_DECIMAL.fullmatch(text):
        raise FieldError(column, f"{text!r} is not a decimal number")


Row = tuple[int, ...]


def parse_rows(where: str, lines: Iterable[tuple[int, str]], columns: int,
               parse: Callable[[list[str]], Row | None]) -> list[Row]:
    """Splits each numbered line on commas, checks the column count and parses it; ``parse`` may
    return None to drop a row. Any failure names ``where`` and the line."""
    rows: list[Row] = []
    for number, text in lines:
        fields = text.split(",")
        if len(fields) != columns:
            raise ImportFormatError(f"{where}, line {number}: expected {columns} columns, found {len(fields)}: "
                                    f"{text[:120]!r}")
        try:
            row = parse(fields)
        except FieldError as exc:
            raise ImportFormatError(f"{where}, line {number}: {exc}") from None
        if row is not None:
            rows.append(row)
    return rows


# What a damaged compressed stream or a non-UTF-8 byte raises while it is being read.
DAMAGED_DATA = (zipfile.BadZipFile, gzip.BadGzipFile, zlib.error, EOFError, UnicodeDecodeError)


def numbered_lines(where: str, lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers, line ends removed. Damage found while reading
    (a bad CRC, a truncated stream, invalid UTF-8) becomes an ImportFormatError naming the line."""
    number = 0
    try:
        for number, line in enumerate(lines, 1):
            text = line.rstrip("\r\n")
            if text:
                yield number, text
    except DAMAGED_DATA as exc:
        raise ImportFormatError(f"{where}: damaged data after line {number}: {exc}") from exc


def looks_like_header(first_field: str) -> bool:
    # Every data row of every format we read starts with a number or a date; headers with a name.
    # (Files are opened as utf-8-sig, so a byte-order mark written by a spreadsheet is gone.)
    return first_field[:1].isalpha()


def to_table(rows: Sequence[Row], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows)) if rows else [() for _ in schema]
    arrays = [pa.array(values, type=column.type) for values, column in zip(columns, schema)]
    return pa.Table.from_arrays(arrays, schema=schema)


def sort_canonical(table: pa.Table, data_type: str) -> pa.Table:
    """Stable sort by (ts_ns, local_ts_ns, sequence column), the order schema.py promises. Only for
    independent records (trades, klines, ...): depth rows are order-dependent and never re-sorted."""
    keys = ["ts_ns", "local_ts_ns"]
    sequence = SEQUENCE_COLUMN.get(data_type)
    if sequence is not None:
        keys.append(sequence)
    order = pc.sort_indices(table, sort_keys=[(key, "ascending") for key in keys])
    return table.take(order)
