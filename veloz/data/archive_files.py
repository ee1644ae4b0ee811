"""data.binance.vision files on disk: their names, their ``.CHECKSUM`` sidecars, and the one CSV a
``.zip`` holds, read as numbered lines.

Names follow ``<SYMBOL>-<kind>-<YYYY-MM[-DD]>.zip`` where kind is ``trades``, ``aggTrades``,
``bookTicker``, ``bookDepth``, ``fundingRate``, ... or a kline interval (``1m``, ``1h``, ...).
A sidecar ``<file>.CHECKSUM`` holds ``<sha256>  <file>`` as ``sha256sum`` writes it.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from veloz.data.import_fields import DAMAGED_DATA, numbered_lines
from veloz.errors import ImportFormatError

_ARCHIVE_NAME = re.compile(r"(?P<symbol>[A-Z0-9]+(?:_[A-Z0-9]+)?)-(?P<kind>[A-Za-z0-9]+)-"
                           r"(?P<period>[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?)\.(?:zip|csv)")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass(frozen=True)
class ArchiveName:
    symbol: str
    kind: str  # Binance's word: "aggTrades", "fundingRate", "1m", ...
    period: str  # "2024-08-08" (daily) or "2024-08" (monthly)


def parse_archive_name(name: str) -> ArchiveName | None:
    """The parts of a data.binance.vision file name, or None for a name in another pattern."""
    match = _ARCHIVE_NAME.fullmatch(name)
    if match is None:
        return None
    return ArchiveName(match["symbol"], match["kind"], match["period"])


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".CHECKSUM")


def verify_checksum(path: Path) -> bool:
    """Checks ``path`` against the ``.CHECKSUM`` beside it; False when there is none. A sidecar that
    does not match (or names another file, or is not a sha256 line) is an ImportFormatError."""
    sidecar = checksum_path(path)
    if not sidecar.is_file():
        return False
    try:
        fields = sidecar.read_text(encoding="utf-8", errors="replace").split()
    except OSError as exc:
        raise ImportFormatError(f"cannot read checksum file {sidecar}: {exc.strerror}") from exc
    if not fields or not _SHA256.fullmatch(fields[0]):
        raise ImportFormatError(f"{sidecar}: not a sha256 checksum line ('<sha256>  <file name>')")
    named = fields[1].lstrip("*") if len(fields) > 1 else path.name  # sha256sum marks binary mode with '*'
    if named != path.name:
        raise ImportFormatError(f"{sidecar}: the checksum is for {named!r}, not {path.name!r}")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror}") from exc
    if digest.hexdigest() != fields[0].lower():
        raise ImportFormatError(f"{path}: sha256 {digest.hexdigest()} does not match {fields[0].lower()} in "
                                f"{sidecar.name}; the download is damaged or the file was replaced, refusing it")
    return True


@contextmanager
def open_archive_lines(path: Path) -> Iterator[tuple[str, Iterator[tuple[int, str]]]]:
    """``(where, numbered lines)`` of a bare ``.csv`` or of the single CSV inside a ``.zip``.
    ``where`` names the file (and the zip member) for error messages."""
    if path.suffix == ".csv":
        try:
            text = open(path, encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise ImportFormatError(f"cannot read {path}: {exc.strerror}") from exc
        with text:
            yield str(path), numbered_lines(str(path), text)
        return
    if path.suffix != ".zip":
        raise ImportFormatError(f"{path}: expected a data.binance.vision .zip or a .csv")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ImportFormatError(f"{path}: not a readable zip archive ({exc}); an interrupted download?") from exc
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror}") from exc
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) != 1 or not members[0].filename.endswith(".csv"):
            names = ", ".join(info.filename for info in members) or "nothing"
            raise ImportFormatError(f"{path}: a Binance archive holds one .csv file; this one holds {names}")
        where = f"{path} [{members[0].filename}]"
        # Check the CRC before parsing: damaged deflate data can decompress into rows that look
        # merely malformed, and the real cause would only surface at the member's end.
        try:
            damaged = archive.testzip()
        except DAMAGED_DATA as exc:
            raise ImportFormatError(f"{where}: damaged compressed data ({exc})") from exc
        if damaged is not None:
            raise ImportFormatError(f"{where}: CRC mismatch, the compressed data is damaged")
        try:
            raw = archive.open(members[0])
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise ImportFormatError(f"{where}: cannot be extracted ({exc})") from exc
        with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
            yield where, numbered_lines(where, text)
