"""Hostile import files get a clear refusal quickly: a huge declared dimension is ignored,
rows, columns and unpacked size are capped. Nothing here is timed: the file that took
16-30 s before is answered by a cap, which the assertions check."""

from __future__ import annotations

import io
import itertools
import re
import zipfile

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from coldchain_devtools.hostile_files import declared_xlsx
from coldchain_orders.sheet_reader import FileTooLarge, ReadLimits, raw_rows, read_table

pytestmark = pytest.mark.unit
SITES = ("code", "latitude", "longitude")


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def declared(data: bytes, ref: str, last_row: int | None = None) -> bytes:
    """The same workbook claiming dimension `ref`, with one cell in `last_row` if given."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rb'<dimension ref="[^"]+"', f'<dimension ref="{ref}"'.encode(), body)
                if last_row is not None:
                    cell = f'<row r="{last_row}"><c r="A{last_row}" t="inlineStr"><is><t>x</t></is></c></row>'
                    body = body.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
            dst.writestr(item, body)
    return out.getvalue()


def hostile() -> bytes:
    """The attack file: a few KB declaring A1:XFD20000 (16,384 columns x 20,000 rows)."""
    return declared(workbook([list(SITES), ["A", 37.1, 127.0]]), "A1:XFD20000", last_row=20_000)


def test_the_declared_dimension_is_ignored_and_columns_are_capped() -> None:
    data = declared(workbook([list(SITES), ["A", 37.1, 127.0]]), "A1:XFD200")
    rows = list(raw_rows(data, "xlsx", ReadLimits()))
    assert [len(cells) for _, cells in rows] == [64, 64], "cut at max_columns, not padded to XFD"
    assert read_table(data, "xlsx", SITES, ReadLimits()) == [
        (2, {"code": "A", "latitude": "37.1", "longitude": "127"})
    ]


def test_a_sheet_reaching_past_the_row_cap_is_too_large() -> None:
    data = hostile()
    assert len(data) < 10_000
    with pytest.raises(FileTooLarge, match="past row 5000"):
        read_table(data, "xlsx", SITES, ReadLimits(max_sheet_rows=5000))


def test_a_workbook_that_unpacks_too_big_is_refused_before_parsing() -> None:
    data = workbook([list(SITES), *[["A" * 1000, 1, 1] for _ in range(50)]])
    with pytest.raises(FileTooLarge, match="unpacks to"):
        read_table(data, "xlsx", SITES, ReadLimits(max_unpacked_bytes=20_000))


def test_a_read_over_its_time_budget_stops() -> None:
    data = workbook([list(SITES), *[["A", 1, 1] for _ in range(200)]])
    with pytest.raises(FileTooLarge, match="longer than 0 s"):
        read_table(data, "xlsx", SITES, ReadLimits(max_seconds=0))


def test_csv_columns_are_capped_and_rows_too() -> None:
    wide = ("code,latitude,longitude" + ",x" * 1000 + "\nA,1,1\n").encode()
    [(number, cells)] = [r for r in raw_rows(wide, "csv", ReadLimits(max_columns=3)) if r[0] == 2]
    assert (number, cells) == (2, ["A", "1", "1"])
    long = ("code,latitude,longitude\n" + "\n" * 50 + "A,1,1\n").encode()
    with pytest.raises(FileTooLarge, match="past row 10"):
        read_table(long, "csv", SITES, ReadLimits(max_sheet_rows=10))


def test_our_own_quoted_export_reads_back_as_typed() -> None:
    data = b"code,latitude,longitude,name\nA,1,1,'=HYPERLINK(x)\n"
    [(_, row)] = read_table(data, "csv", SITES, ReadLimits())
    assert row["name"] == "=HYPERLINK(x)"


def test_the_attack_workbook_is_refused_by_a_cap_not_padded() -> None:
    """The attack run's file: a few KB declaring A1:XFD20000 over 20,000 one-cell rows
    (5.9 s of openpyxl padding before). The reader stops at the data-row cap, and the rows it
    read are at most 64 cells wide, never 16,384."""
    data = declared_xlsx([list(SITES), ["A", "37.1", "127.0"]], "A1:XFD20000", filler_rows=19_998)
    assert len(data) < 4_000
    widths = {len(cells) for _, cells in itertools.islice(raw_rows(data, "xlsx", ReadLimits()), 100)}
    assert widths == {64}, "cut at max_columns, never padded to XFD's 16,384"
    with pytest.raises(FileTooLarge, match="more than 5000 rows"):
        read_table(data, "xlsx", SITES, ReadLimits())


def test_a_sheet_declared_at_the_largest_size_is_refused_at_the_row_cap() -> None:
    data = declared_xlsx([list(SITES), ["A", "37.1", "127.0"]], "A1:XFD1048576", last_row=1_048_576)
    with pytest.raises(FileTooLarge, match="past row 20000"):
        read_table(data, "xlsx", SITES, ReadLimits())
