"""Normalisation keeps what a device says about its GPS fix (Teltonika, OsmAnd, ...)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coldchain_contracts import FixAccepted, RawFix, RawFixReceived
from coldchain_ingest.domain import QualityRules, normalise

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def normalised(**fix: object) -> FixAccepted:
    raw = RawFixReceived(
        device_id="dev-1",
        received_at=NOW,
        fix=RawFix.model_validate(
            {"device_time": NOW - timedelta(seconds=5), "latitude": 37.5, "longitude": 127.0, **fix}
        ),
    )
    out = normalise(raw, {}, NOW, QualityRules())
    assert isinstance(out, FixAccepted), out
    return out


def test_a_fix_without_gps_lock_stays_marked_as_such() -> None:
    out = normalised(gps_valid=False, satellites=0, hdop=9.9, driver_id="1D00000A1B2C3D01")
    assert (out.gps_valid, out.satellites, out.hdop, out.driver_id) == (False, 0, 9.9, "1D00000A1B2C3D01")


def test_a_device_that_does_not_say_counts_as_a_valid_fix() -> None:
    assert normalised().gps_valid is True
