"""The temperature record's summary, verdict and documents (pure)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from coldchain_servicekit.spreadsheets import neutralise
from coldchain_tracking.reports.document import RecordHeader, as_csv, as_json
from coldchain_tracking.reports.pdf import as_pdf
from coldchain_tracking.reports.record import (
    Band,
    Excursion,
    Reading,
    Verdict,
    compartment_record,
    order_record,
)

pytestmark = pytest.mark.unit
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)
CHILLED = Band(0.0, 5.0)


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def readings(values: list[float], every_min: float = 1.0, **flags: bool) -> list[Reading]:
    return [Reading(at(i * every_min), v, **flags) for i, v in enumerate(values)]


def test_statistics_cover_only_the_readings_between_pick_up_and_delivery() -> None:
    rs = [Reading(at(-1), 20.0), *readings([2.0, 3.0, 4.0]), Reading(at(3), 30.0)]
    c = compartment_record("A", rs, CHILLED, (), at(0), at(2), FIVE)
    assert (c.min_celsius, c.max_celsius, c.mean_celsius) == (2.0, 4.0, 3.0)
    assert len(c.readings) == 3


def test_minutes_out_of_band_count_how_long_each_outside_reading_held() -> None:
    # 0..3 in band, 7.0 at minute 4 and 5, back in band at 6: two minutes outside.
    c = compartment_record("A", readings([3, 3, 3, 3, 7, 7, 3, 3]), CHILLED, (), at(0), at(7), FIVE)
    assert c.minutes_out_of_band == pytest.approx(2.0)


def test_an_outside_reading_holds_at_most_the_recording_interval() -> None:
    rs = [Reading(at(0), 9.0), Reading(at(30), 3.0)]
    c = compartment_record("A", rs, CHILLED, (), at(0), at(30), FIVE)
    assert c.minutes_out_of_band == pytest.approx(5.0)
    assert [(g.start, g.end) for g in c.gaps] == [(at(0), at(30))]


def test_defrost_readings_are_not_out_of_band_minutes() -> None:
    c = compartment_record("A", readings([9.0, 9.0, 9.0], defrost=True), CHILLED, (), at(0), at(2), FIVE)
    assert c.minutes_out_of_band == 0.0
    assert c.max_celsius == 9.0


def test_gaps_longer_than_the_interval_are_found_at_both_ends_and_between() -> None:
    rs = [Reading(at(6), 3.0), Reading(at(8), 3.0), Reading(at(20), 3.0)]
    c = compartment_record("A", rs, CHILLED, (), at(0), at(26), FIVE)
    assert [(g.start, g.end) for g in c.gaps] == [(at(0), at(6)), (at(8), at(20)), (at(20), at(26))]
    assert c.gaps[1].minutes == 12.0


def test_a_gap_of_exactly_the_interval_is_not_a_gap() -> None:
    rs = [Reading(at(0), 3.0), Reading(at(5), 3.0)]
    assert compartment_record("A", rs, CHILLED, (), at(0), at(5), FIVE).gaps == ()


def test_complete_delivered_record_in_band_is_in_band() -> None:
    c = compartment_record("A", readings([3.0] * 11), CHILLED, (), at(0), at(10), FIVE)
    record = order_record([c], at(0), at(10), delivered=True)
    assert (record.verdict, record.reasons) == (Verdict.IN_BAND, ())


def test_an_overlapping_excursion_makes_the_verdict_excursion_even_with_gaps() -> None:
    excursion = Excursion("x1", at(2), at(9), 8.5)
    before = Excursion("x0", at(-30), at(-10), 8.0)
    c = compartment_record("A", [Reading(at(0), 3.0)], CHILLED, [excursion, before], at(0), at(30), FIVE)
    assert [e.excursion_id for e in c.excursions] == ["x1"]
    assert order_record([c], at(0), at(30), delivered=False).verdict is Verdict.EXCURSION


@pytest.mark.parametrize(
    ("values", "delivered", "compartments", "reason"),
    [
        ([3.0] * 11, False, True, "not delivered"),
        ([], True, True, "no reading"),
        ([3.0] * 11, True, False, "no compartment"),
    ],
)
def test_incomplete_when_undelivered_unknown_or_unread(
    values: list[float], delivered: bool, compartments: bool, reason: str
) -> None:
    c = compartment_record("A", readings(values), CHILLED, (), at(0), at(10), FIVE)
    record = order_record([c] if compartments else [], at(0), at(10), delivered=delivered)
    assert record.verdict is Verdict.INCOMPLETE
    assert any(reason in r for r in record.reasons), record.reasons


def test_a_gap_makes_an_otherwise_clean_record_incomplete() -> None:
    c = compartment_record("A", [Reading(at(0), 3.0), Reading(at(10), 3.0)], CHILLED, (), at(0), at(10), FIVE)
    record = order_record([c], at(0), at(10), delivered=True)
    assert record.verdict is Verdict.INCOMPLETE
    assert "gap" in record.reasons[0]


def header(number: str = "PO-1") -> RecordHeader:
    return RecordHeader(
        order_id="3f7c0b7e-0000-4000-8000-000000000001",
        order_number=number,
        vehicle_id="truck-07",
        status="delivered",
        zone="chilled",
        setpoint_celsius=None,
        picked_up_at=at(0),
        delivered_at=at(10),
        pickup_on_time=True,
        delivery_on_time=True,
        recording_interval_s=300,
    )


def two_compartments() -> list:  # type: ignore[type-arg]
    a = compartment_record("A", readings([3.0, 4.0, 7.0] + [3.0] * 8), CHILLED, (), at(0), at(10), FIVE)
    b = compartment_record("B", readings([-20.0] * 11), Band(-25, -18), (), at(0), at(10), FIVE)
    return [a, b]


def test_json_document_carries_summary_and_readings() -> None:
    body = as_json(header(), order_record(two_compartments(), at(0), at(10), True))
    assert body["verdict"] == "in_band"
    a = body["compartments"][0]
    assert (a["channel"], a["reading_count"], a["max_celsius"], a["minutes_out_of_band"]) == (
        "A",
        11,
        7.0,
        1.0,
    )
    assert a["band"] == {"low_celsius": 0.0, "high_celsius": 5.0}
    assert a["readings"][2] == {"at": at(2).isoformat(), "celsius": 7.0, "door_open": None, "defrost": None}
    assert "readings" not in as_json(header(), order_record([], at(0), at(1), True), False)["compartments"]


def test_csv_has_one_row_per_reading_and_neutralises_formula_cells() -> None:
    text = as_csv(header('=HYPERLINK("http://x")'), order_record(two_compartments(), at(0), at(10), True))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["order_id", "order_number", "vehicle_id", "channel"]
    assert len(rows) == 1 + 22
    assert rows[1][1].startswith("'="), "a formula-looking order number is neutralised"
    assert rows[3][7:9] == ["7.0", "false"]
    assert rows[-1][7] == "-20.0", "negative numbers stay numbers"


@pytest.mark.parametrize("cell", ["=1+1", "+1+x", "-1+cmd|x", "@SUM(A1)", "\tx", "\rx"])
def test_text_cells_a_spreadsheet_would_evaluate_get_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("PO-1") == "PO-1"
    assert neutralise(-1.5) == -1.5


def test_pdf_is_one_page_even_with_many_gaps() -> None:
    many_gaps = [Reading(at(i * 10), 3.0) for i in range(60)]
    c = compartment_record("A", many_gaps, CHILLED, [Excursion("x", at(5), None, 9.0)], at(0), at(600), FIVE)
    pdf = as_pdf(header(), order_record([c, *two_compartments()], at(0), at(600), True))
    assert pdf.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) == 1


def test_pdf_without_readings_still_renders() -> None:
    assert as_pdf(header(), order_record([], at(0), at(0), False)).startswith(b"%PDF-")
