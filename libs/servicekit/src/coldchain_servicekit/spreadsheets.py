"""Writing CSV and XLSX files that are safe to open in a spreadsheet (OWASP CSV injection).

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as
a formula by Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)`, `=cmd|' /C calc'!A0`,
`@SUM(...)`). Every cell we export that holds text from a user goes through
`neutralise`, which prefixes such text with a single quote, so it shows as typed and
never runs; plain numbers (`-20`, `+3.5`) are left alone. The CSV writer quotes every
field, so a separator or quote inside a cell cannot start a new one. Importing our
own export strips that quote again (orders' `sheet_reader`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The value as a spreadsheet should hold it: formula-looking text quoted, the rest as is."""
    if not isinstance(value, str) or not value.startswith(FORMULA_PREFIXES):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CRLF lines, every field quoted and neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([neutralise(c) for c in row] for row in rows)
    return out.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """`csv_text` as UTF-8 with BOM, so Excel detects the encoding of a downloaded file."""
    return csv_text(header, rows).encode("utf-8-sig")


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet; text cells are stored as text (openpyxl would store `=...` as a formula)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    for row in [header, *rows]:
        sheet.append([neutralise(c) for c in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
