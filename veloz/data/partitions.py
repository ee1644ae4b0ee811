"""Where the catalog keeps things: ``root/<venue>/<market>/<symbol>/<data_type>/<YYYY-MM-DD>.parquet``,
with the symbol's ``instrument.json`` beside its data types. A day file holds the rows whose
``ts_ns`` falls on that UTC date.

Only this module knows the layout; the writer and the reader ask it for paths.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from veloz.data.schema import schema_for
from veloz.errors import CatalogError
from veloz.instruments import MARKETS

NS_PER_DAY = 86_400 * 1_000_000_000
INSTRUMENT_FILE = "instrument.json"
DAY_FILE_SUFFIX = ".parquet"
_EPOCH = dt.date(1970, 1, 1)
_DAY_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})\.parquet")
# Venue and symbol become directory names: no separators, no leading dot (temp files and "..").
_PATH_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def check_symbol_path(venue: str, market: str, symbol: str) -> None:
    """Raises CatalogError unless the names can be catalog directories."""
    for name, value in (("venue", venue), ("symbol", symbol)):
        if not isinstance(value, str) or not _PATH_PART.fullmatch(value):
            raise CatalogError(f"{name} {value!r} cannot name a catalog directory "
                               "(letters, digits, '_', '.', '-'; not starting with '.' or '-')")
    if market not in MARKETS:
        raise CatalogError(f"market must be one of {', '.join(MARKETS)}, not {market!r}")


@dataclass(frozen=True, slots=True)
class SeriesKey:
    """One stored series: a data type of one symbol."""

    venue: str
    market: str
    symbol: str
    data_type: str

    def __post_init__(self) -> None:
        check_symbol_path(self.venue, self.market, self.symbol)
        try:
            schema_for(self.data_type)
        except ValueError as exc:
            raise CatalogError(str(exc)) from None


def day_of_ns(ts_ns: int) -> dt.date:
    """The UTC date of a nanosecond timestamp (floor division: negative times fall on earlier days)."""
    return _EPOCH + dt.timedelta(days=ts_ns // NS_PER_DAY)


def day_start_ns(day: dt.date) -> int:
    return (day - _EPOCH).days * NS_PER_DAY


def instrument_path(root: Path, venue: str, market: str, symbol: str) -> Path:
    """The symbol's instrument.json: one per symbol, shared by its data types."""
    check_symbol_path(venue, market, symbol)
    return root / venue / market / symbol / INSTRUMENT_FILE


def series_dir(root: Path, key: SeriesKey) -> Path:
    return root / key.venue / key.market / key.symbol / key.data_type


def day_path(root: Path, key: SeriesKey, day: dt.date) -> Path:
    return series_dir(root, key) / f"{day.isoformat()}{DAY_FILE_SUFFIX}"


def day_files(root: Path, key: SeriesKey) -> list[tuple[dt.date, Path]]:
    """The series' day files, oldest first. Anything else in the directory (an interrupted
    write's hidden temp file, a user's notes) is not data and is ignored."""
    directory = series_dir(root, key)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _DAY_FILE.fullmatch(path.name)
        if match and path.is_file():
            try:
                found.append((dt.date.fromisoformat(match.group(1)), path))
            except ValueError:
                continue  # 2024-13-40.parquet is not a day file
    return sorted(found)


def days_overlapping(files: list[tuple[dt.date, Path]], start_ns: int | None,
                     end_ns: int | None) -> list[tuple[dt.date, Path]]:
    """The day files that can hold a ts_ns in [start_ns, end_ns)."""
    selected = []
    for day, path in files:
        first = day_start_ns(day)
        if (end_ns is None or first < end_ns) and (start_ns is None or first + NS_PER_DAY > start_ns):
            selected.append((day, path))
    return selected


def series_keys(root: Path) -> list[SeriesKey]:
    """Every series under root that has at least one day file, sorted."""
    keys = []
    for venue in _subdirs(root):
        for market in _subdirs(venue):
            for symbol in _subdirs(market):
                for data_type in _subdirs(symbol):
                    try:
                        key = SeriesKey(venue.name, market.name, symbol.name, data_type.name)
                    except CatalogError:
                        continue  # not a catalog directory (e.g. a foreign folder dropped in root)
                    if day_files(root, key):
                        keys.append(key)
    return keys


def _subdirs(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
