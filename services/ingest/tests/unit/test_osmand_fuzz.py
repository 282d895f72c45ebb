"""Property-based fuzzing of the OsmAnd decoder and mapping: whatever a client sends, the
only failure is an `OsmAndError` (the listener's 4xx problem), never another exception
(which would be a 500)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coldchain_contracts import SpeedUnit
from coldchain_ingest.protocols.osmand.decoder import decode
from coldchain_ingest.protocols.osmand.mapping import to_raw_fix
from coldchain_ingest.protocols.osmand.values import OsmAndError

pytestmark = pytest.mark.unit
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = datetime(2026, 12, 1, tzinfo=UTC)
NAMES = st.sampled_from(
    [
        "id",
        "deviceid",
        "lat",
        "lon",
        "location",
        "timestamp",
        "speed",
        "bearing",
        "heading",
        "altitude",
        "accuracy",
        "hdop",
        "valid",
        "driverUniqueId",
        "batt",
        "charge",
        "temp1",
        "temp2",
        "door",
        "ignition",
    ]
) | st.text(max_size=12)
VALUES = st.one_of(
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        ["true", "false", "1", "0", "", "2016-01-27T18:55:47Z", "2016-01-27 18:55:47", "1,2", "nan"]
    ),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def accepted_or_refused(query: str, content_type: str | None, body: bytes) -> None:
    status = 200
    try:
        report = decode(query, content_type, body)
        to_raw_fix(report, SpeedUnit.KNOTS, NOW)
    except OsmAndError as exc:
        status = exc.status
    assert status == 200 or 400 <= status < 500


@FUZZ
@given(st.lists(st.tuples(NAMES, VALUES), max_size=12))
def test_any_query_string_is_a_fix_or_a_4xx(params: list[tuple[str, str]]) -> None:
    accepted_or_refused(urlencode(params), None, b"")


@FUZZ
@given(st.lists(st.tuples(NAMES, VALUES), max_size=12))
def test_any_form_body_is_a_fix_or_a_4xx(params: list[tuple[str, str]]) -> None:
    accepted_or_refused("", "application/x-www-form-urlencoded", urlencode(params).encode())


@FUZZ
@given(st.text(max_size=200), st.binary(max_size=300))
def test_raw_query_and_body_bytes_are_a_fix_or_a_4xx(query: str, body: bytes) -> None:
    accepted_or_refused(query, None, body)
    accepted_or_refused("", "application/json", body)


def location_objects() -> st.SearchStrategy[dict[str, Any]]:
    coords = st.fixed_dictionaries(
        {},
        optional={
            k: JSON_VALUES | st.floats()
            for k in ("latitude", "longitude", "speed", "heading", "accuracy", "altitude")
        },
    )
    return st.fixed_dictionaries(
        {
            "device_id": JSON_VALUES | st.text(max_size=20),
            "location": st.fixed_dictionaries(
                {"timestamp": JSON_VALUES | st.just("2025-06-15T13:45:12.862Z")},
                optional={
                    "coords": coords | JSON_VALUES,
                    "odometer": JSON_VALUES,
                    "battery": st.fixed_dictionaries(
                        {}, optional={"level": JSON_VALUES, "is_charging": JSON_VALUES}
                    )
                    | JSON_VALUES,
                    "activity": JSON_VALUES,
                    "extras": JSON_VALUES,
                    "is_moving": JSON_VALUES,
                    "event": JSON_VALUES,
                },
            )
            | JSON_VALUES,
        },
    )


@FUZZ
@given(location_objects())
def test_any_traccar_client_json_is_a_fix_or_a_4xx(body: dict[str, Any]) -> None:
    accepted_or_refused("", "application/json", json.dumps(body).encode())


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 20_000), st.sampled_from("[{"))
def test_json_nested_at_any_depth_is_a_fix_or_a_4xx(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    inner = opener * depth if opener == "[" else '{"a":' * depth
    body = '{"device_id":"d1","location":' + inner + "1" * (opener == "{") + closer * depth + "}"
    accepted_or_refused("", "application/json", body.encode())
