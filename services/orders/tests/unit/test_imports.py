"""Reading import files (CSV in UTF-8 or CP949, XLSX) into rows, and rows into sites and orders."""

from __future__ import annotations

import io
from datetime import date, time

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from order_builders import SEOUL, at

from coldchain_contracts import ForkliftPolicy, SiteRole, TemperatureZone
from coldchain_orders.imports import (
    FileError,
    RowError,
    order_from_row,
    parse_opening_hours,
    read_rows,
    site_from_row,
)
from coldchain_orders.templates import template

pytestmark = pytest.mark.unit


def test_csv_rows_keep_their_line_numbers_and_skip_blank_lines() -> None:
    data = b"code,latitude,longitude\nA,37.1,127.1\n\nB,37.2,127.2\n"
    assert read_rows(data, "csv", "sites", 100) == [
        (2, {"code": "A", "latitude": "37.1", "longitude": "127.1"}),
        (4, {"code": "B", "latitude": "37.2", "longitude": "127.2"}),
    ]


def test_a_cp949_csv_from_korean_excel_is_read() -> None:
    data = "code,name,latitude,longitude\nA,이천 물류센터,37.1,127.1\n".encode("cp949")
    [(_, row)] = read_rows(data, "csv", "sites", 100)
    assert row["name"] == "이천 물류센터"


def test_xlsx_rows_are_numbered_as_the_sheet_shows_them() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "latitude", "longitude", "opening_hours"])
    sheet.append(["A", 37.1, 127.0, "daily 00:00-24:00"])
    sheet.append([None, None, None, None])
    sheet.append(["B", 37.2, 127.2, None])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = read_rows(buffer.getvalue(), "xlsx", "sites", 100)
    assert [(n, r["code"], r["longitude"]) for n, r in rows] == [(2, "A", "127"), (4, "B", "127.2")]


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"", "csv", "the file is empty"),
        (b"name\nx\n", "csv", "header row lacks the column(s) code, latitude, longitude"),
        (b"not a zip", "xlsx", "not a readable .xlsx workbook"),
    ],
)
def test_unreadable_files_are_refused_as_a_whole(data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(FileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_rows(data, fmt, "sites", 100)  # type: ignore[arg-type]


def test_too_many_rows_is_refused() -> None:
    with pytest.raises(FileError, match="more than 1 rows"):
        read_rows(b"code,latitude,longitude\nA,1,1\nB,1,1\n", "csv", "sites", 1)


def test_opening_hours_text() -> None:
    hours = parse_opening_hours("Mon-Fri 06:00-18:00; Sat 08:00-12:00; Sun 22:00-24:00")
    assert len(hours) == 7
    assert (hours[0].weekday, hours[0].opens, hours[0].closes) == (0, time(6), time(18))
    assert (hours[-1].weekday, hours[-1].opens, hours[-1].closes) == (6, time(22), time(0))
    assert [h.weekday for h in parse_opening_hours("Sat-Mon 09:00-10:00")] == [5, 6, 0]
    with pytest.raises(RowError, match="opening_hours"):
        parse_opening_hours("weekdays 9-5")


def test_a_site_row() -> None:
    row = {
        "code": "ICN",
        "latitude": "37.2",
        "longitude": "127.3",
        "role": "Pickup",
        "zones": "frozen|chilled",
        "forklift": "required",
        "contact_phone": "010",
        "loading_minutes": "45",
    }
    site = site_from_row(row)
    assert (site.site_id, site.role, site.forklift, site.loading_minutes, site.contact.phone) == (
        "ICN",
        SiteRole.PICKUP,
        ForkliftPolicy.REQUIRED,
        45,
        "010",
    )
    assert site.zones == (TemperatureZone.FROZEN, TemperatureZone.CHILLED)


def test_a_bad_site_row_says_which_field() -> None:
    with pytest.raises(RowError, match=r"^latitude: "):
        site_from_row({"code": "X", "latitude": "91", "longitude": "127"})


ORDER_ROW = {
    "order_number": "PO-9", "requested_date": "2026-12-01", "zone": "Chilled", "pallets": "4",
    "weight_kg": "400", "pickup_site": "P", "pickup_from": "06:00", "pickup_to": "08:00",
    "dropoff_site": "D", "dropoff_from": "09:00", "dropoff_to": "11:00", "forklift_required": "yes",
}  # fmt: skip


def test_an_order_row_with_local_times() -> None:
    order = order_from_row(ORDER_ROW, SEOUL)
    assert order.zone == TemperatureZone.CHILLED
    assert (order.pickup.window.start, order.dropoff.window.end) == (at(6), at(11))
    assert order.forklift_required is True


def test_an_overnight_row_rolls_to_the_next_day() -> None:
    order = order_from_row({**ORDER_ROW, "pickup_from": "20:00", "pickup_to": "23:00",
                            "dropoff_from": "04:00", "dropoff_to": "02:00"}, SEOUL)  # fmt: skip
    assert order.dropoff.window.start == at(4, day=date(2026, 12, 2))
    assert order.dropoff.window.end > order.dropoff.window.start, "02:00 after 04:00 is the day after"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"requested_date": "1/12/2026"}, "requested_date"),
        ({"pickup_from": "six"}, "pickup_from"),
        ({"pallets": "0"}, "pallets"),
        ({"zone": "warm"}, "zone"),
        ({"forklift_required": "maybe"}, "forklift_required"),
        ({"pickup_site": ""}, "pickup"),
    ],
)
def test_a_bad_order_row_says_which_field(changes: dict[str, str], message: str) -> None:
    with pytest.raises(RowError, match=message):
        order_from_row({**ORDER_ROW, **changes}, SEOUL)


@pytest.mark.parametrize("kind", ["sites", "orders"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_read_back_as_valid_rows(kind: str, fmt: str) -> None:
    rows = read_rows(template(kind, fmt), fmt, kind, 100)  # type: ignore[arg-type]
    assert rows
    for _, row in rows:
        if kind == "sites":
            site_from_row(row)
        else:
            order_from_row(row, SEOUL)
