"""Bulk imports of sites and orders (CSV and XLSX) on real Kafka and PostgreSQL: good and bad
rows reported line by line, an unreadable file as one problem. Same harness as
test_orders_delivery.py."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]
from orders_harness import TOMORROW, Running, events_of

from coldchain_devtools.testing import Infra

pytestmark = pytest.mark.integration


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode()


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_an_import_with_good_and_bad_rows_is_reported_line_by_line(
    service: Running, infra: Infra, fmt: str
) -> None:
    encode = _csv if fmt == "csv" else _xlsx
    tag = uuid.uuid4().hex[:6]
    sites = [
        ["code", "name", "latitude", "longitude", "role", "zones", "opening_hours"],
        [f"HUB-{tag}", "Icheon hub", "37.23", "127.36", "pickup", "frozen|chilled", "daily 00:00-24:00"],
        [f"BAD-{tag}", "nowhere", "137.0", "127.0", "dropoff", "", ""],
        [f"STORE-{tag}", "Gangnam store", "37.49", "127.02", "dropoff", "", ""],
        [f"HUB-{tag}", "again", "37.0", "127.0", "pickup", "", ""],
    ]
    response = await service.http.post("/v1/imports/sites", params={"format": fmt}, content=encode(sites))
    assert response.status_code == 200, response.text
    report = response.json()
    assert [(a["line"], a["site_id"]) for a in report["accepted"]] == [(2, f"HUB-{tag}"), (4, f"STORE-{tag}")]
    assert [r["line"] for r in report["rejected"]] == [3, 5]
    assert report["rejected"][0]["reason"].startswith("latitude:")
    assert "already on line 2" in report["rejected"][1]["reason"]

    day = TOMORROW.date().isoformat()
    header = ["order_number", "requested_date", "zone", "pallets", "weight_kg", "pickup_site", "pickup_from",
              "pickup_to", "dropoff_site", "dropoff_from", "dropoff_to"]  # fmt: skip
    good = f"IMP-{tag}-1"
    orders = [
        header,
        [good, day, "frozen", "6", "540", f"HUB-{tag}", "06:00", "08:00", f"STORE-{tag}", "09:00", "11:00"],
        [
            f"IMP-{tag}-2",
            day,
            "frozen",
            "6",
            "540",
            f"NOPE-{tag}",
            "06:00",
            "08:00",
            f"STORE-{tag}",
            "09:00",
            "11:00",
        ],
        [
            f"IMP-{tag}-3",
            day,
            "ambient",
            "6",
            "540",
            f"HUB-{tag}",
            "06:00",
            "08:00",
            f"STORE-{tag}",
            "09:00",
            "11:00",
        ],
        [good, day, "frozen", "6", "540", f"HUB-{tag}", "06:00", "08:00", f"STORE-{tag}", "09:00", "11:00"],
        [
            f"IMP-{tag}-5",
            day,
            "frozen",
            "zero",
            "540",
            f"HUB-{tag}",
            "06:00",
            "08:00",
            f"STORE-{tag}",
            "09:00",
            "11:00",
        ],
        [
            f"IMP-{tag}-6",
            day,
            "chilled",
            "2",
            "200",
            f"HUB-{tag}",
            "06:00",
            "08:00",
            f"STORE-{tag}",
            "05:00",
            "05:10",
        ],
    ]
    response = await service.http.post("/v1/imports/orders", params={"format": fmt}, content=encode(orders))
    assert response.status_code == 200, response.text
    report = response.json()
    assert [(a["line"], a["order_number"]) for a in report["accepted"]] == [(2, good)]
    rejected = {r["line"]: r for r in report["rejected"]}
    assert sorted(rejected) == [3, 4, 5, 6, 7]
    assert rejected[3]["codes"] == ["unknown_site"]
    assert rejected[4]["codes"] == ["zone_site_mismatch"]
    assert rejected[5]["codes"] == ["duplicate_number"]
    assert rejected[6]["codes"] == ["invalid_row"]
    assert rejected[6]["reason"].startswith("pallets")
    assert rejected[7]["codes"] == ["window_impossible"]
    order_id = report["accepted"][0]["order_id"]
    events = await events_of(infra, uuid.UUID(order_id), "OrderAccepted")
    assert [e["event_type"] for e in events] == ["OrderReceived", "OrderAccepted"]


async def test_an_unreadable_import_is_one_problem(service: Running) -> None:
    response = await service.http.post(
        "/v1/imports/orders", params={"format": "xlsx"}, content=b"not a workbook"
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
