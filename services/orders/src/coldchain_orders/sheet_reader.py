"""Reading an uploaded CSV or XLSX into numbered rows of text, within hard limits.

An XLSX is a zip of XML that declares its own size. openpyxl pads every row to the
sheet's declared dimension (`<dimension ref="A1:XFD20000"/>`: 16,384 columns), so a
1.5 KB file once took 16-30 s of CPU. Here the declared dimension is ignored
(`reset_dimensions`), columns are cut at `max_columns`, row numbers at
`max_sheet_rows`, the unpacked XML at `max_unpacked_bytes` (checked from the zip
directory before anything is parsed), and the whole read at `max_seconds`. The caller
runs this in a worker thread, never on the event loop.

Row numbers are the file's own (the header is row 1), as a spreadsheet shows them. A
CSV may be UTF-8 (with or without BOM) or CP949, the encoding Korean Excel saves CSV in.
"""

from __future__ import annotations

import csv
import io
import time as clock
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Literal

from openpyxl import load_workbook  # type: ignore[import-untyped]

from coldchain_servicekit.spreadsheets import FORMULA_PREFIXES

Format = Literal["csv", "xlsx"]


class FileError(ValueError):
    """The file as a whole cannot be read (format, header): a 422."""


class FileTooLarge(FileError):
    """The file is over one of the read limits: a 413."""


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_rows: int = 5000  # data rows
    max_sheet_rows: int = 20_000  # row numbers, blank ones included
    max_columns: int = 64
    max_unpacked_bytes: int = 50_000_000  # an XLSX's XML, unzipped
    max_seconds: float = 10.0


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _unquoted(str(value).strip())


def _unquoted(text: str) -> str:
    """Our own exports quote formula-looking text ('=...); read it back as it was typed."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


def _csv_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp949")
        except UnicodeDecodeError as exc:
            raise FileError("the CSV is neither UTF-8 nor CP949 text") from exc


def _check_unpacked_size(data: bytes, limits: ReadLimits) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile as exc:
        raise FileError("not a readable .xlsx workbook (not a zip archive)") from exc
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        raise FileTooLarge(
            f"the workbook unpacks to {unpacked} bytes, more than {limits.max_unpacked_bytes}; "
            "save it again or split it"
        )


def _xlsx_rows(data: bytes, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    _check_unpacked_size(data, limits)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # never trust the declared size
    except Exception as exc:  # openpyxl raises many types for a bad file
        raise FileError(f"not a readable .xlsx workbook ({type(exc).__name__})") from exc
    try:
        rows = sheet.iter_rows(max_col=limits.max_columns, values_only=True)
        for number, row in enumerate(rows, start=1):
            yield number, [_cell(c) for c in row]
    finally:
        book.close()


def _csv_rows(data: bytes, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(_csv_text(data), newline=""))
    try:
        for row in reader:
            yield reader.line_num, [_unquoted(c.strip()) for c in row[: limits.max_columns]]
    except csv.Error as exc:
        raise FileError(f"line {reader.line_num}: {exc}") from exc


def raw_rows(data: bytes, fmt: Format, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every row, blank ones included, within the limits."""
    deadline = clock.monotonic() + limits.max_seconds
    rows = _csv_rows(data, limits) if fmt == "csv" else _xlsx_rows(data, limits)
    for number, cells in rows:
        if number > limits.max_sheet_rows:
            raise FileTooLarge(f"the sheet goes past row {limits.max_sheet_rows}; split the file")
        if clock.monotonic() > deadline:
            raise FileTooLarge(f"reading the file took longer than {limits.max_seconds:g} s; split it")
        yield number, cells


def read_table(
    data: bytes, fmt: Format, required: tuple[str, ...], limits: ReadLimits
) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for every non-blank data row; the header names the columns."""
    header: list[str] | None = None
    found: list[tuple[int, dict[str, str]]] = []
    for number, cells in raw_rows(data, fmt, limits):
        if not any(cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            missing = [c for c in required if c not in header]
            if missing:
                raise FileError(f"header row lacks the column(s) {', '.join(missing)}")
            continue
        if len(found) >= limits.max_rows:
            raise FileTooLarge(f"more than {limits.max_rows} rows; split the file")
        found.append(
            (number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name})
        )
    if header is None:
        raise FileError("the file is empty")
    return found
