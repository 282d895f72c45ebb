"""Teltonika settings come from INGEST_TELTONIKA_* variables, the fleet IO map as JSON."""

from __future__ import annotations

import pytest

from coldchain_contracts import TeltonikaIoMap, TemperatureProbe
from coldchain_ingest.protocols.teltonika.config import teltonika_config
from coldchain_ingest.settings import IngestSettings

pytestmark = pytest.mark.unit


def test_defaults() -> None:
    config = teltonika_config(IngestSettings())
    assert (config.port, config.idle_timeout_s, config.io_map) == (5027, 300.0, None)


def test_environment_overrides_port_timeout_and_fleet_io_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_TELTONIKA_PORT", "15027")
    monkeypatch.setenv("INGEST_TELTONIKA_IDLE_TIMEOUT_S", "2.5")
    monkeypatch.setenv(
        "INGEST_TELTONIKA_IO_MAP",
        '{"door": 3, "temperatures": [{"channel": "A", "io": 25, "sensor": "ble"}]}',
    )
    config = teltonika_config(IngestSettings())
    assert (config.port, config.idle_timeout_s) == (15027, 2.5)
    assert config.io_map == TeltonikaIoMap(
        door=3, temperatures=(TemperatureProbe(channel="A", io=25, sensor="ble"),)
    )
