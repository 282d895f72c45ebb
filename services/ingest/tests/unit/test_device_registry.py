"""Registry rules without a database: who is known, what a registry record does to bindings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coldchain_contracts import DeviceOptions
from coldchain_ingest.domain import bind_device
from coldchain_ingest.registry import DeviceEntry, known

pytestmark = pytest.mark.unit
AT = datetime(2026, 11, 26, tzinfo=UTC)


def entry(device_id: str, active: bool) -> DeviceEntry:
    return DeviceEntry(device_id, None, "teltonika", DeviceOptions(), active, AT)


def test_an_active_registered_device_bound_to_a_vehicle_is_known() -> None:
    assert known({"d1": entry("d1", True)}, {"d1": "truck-1"}, "d1")


def test_a_registered_device_with_no_vehicle_is_refused() -> None:
    """It would report as a phantom vehicle of its own id (attack row: any device, any position)."""
    assert not known({"d1": entry("d1", True)}, {}, "d1")


def test_a_device_bound_through_its_vehicle_is_known() -> None:
    assert known({}, {"d2": "truck-1"}, "d2")


def test_an_inactive_device_is_refused_even_if_a_vehicle_lists_it() -> None:
    assert not known({"d3": entry("d3", False)}, {"d3": "truck-1"}, "d3")


def test_an_unregistered_unbound_device_is_unknown() -> None:
    assert not known({}, {"other": "truck-1"}, "d4")


def test_a_registry_record_binds_moves_or_unbinds_one_device_only() -> None:
    bindings = {"d1": "truck-1", "d2": "truck-1"}
    assert bind_device(bindings, "d1", "truck-2") == {"d1": "truck-2", "d2": "truck-1"}
    assert bind_device(bindings, "d1", None) == {"d2": "truck-1"}
    assert bind_device(bindings, "d9", "truck-3") == {**bindings, "d9": "truck-3"}
