"""An OsmAnd request to the running ingest app lands on the raw topic, then as a clean fix.

Ingest runs in-process (its whole lifespan: migrations, broker, OsmAnd listener on a free
port) against real Kafka and PostgreSQL, in a consumer group of its own, accepting devices
it does not know (development mode) so any test id reaches Kafka.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from asgi_lifespan import LifespanManager

from coldchain_contracts import FixAccepted, RawFixReceived
from coldchain_contracts.topics import TELEMETRY_GPS, TELEMETRY_RAW
from coldchain_devtools.testing import Infra, find_record, free_port
from coldchain_ingest.app import create_app
from coldchain_ingest.settings import IngestSettings

pytestmark = pytest.mark.integration


@pytest.fixture
async def osmand_url(infra: Infra, test_database: str, kafka_topics: None) -> AsyncIterator[str]:
    port = free_port()
    settings = IngestSettings(
        service_name=f"ingest-it-{uuid.uuid4().hex[:8]}",
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        osmand_port=port,
        teltonika_port=0,  # never the default 5027 a `make run` may hold
        accept_unknown_devices=True,  # the port's device rule is tested in test_osmand_limits
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        yield f"http://127.0.0.1:{port}"


async def test_an_osmand_fix_is_on_kafka_when_the_device_gets_200(osmand_url: str, infra: Infra) -> None:
    device = f"osm-{uuid.uuid4().hex[:10]}"
    at = int(datetime.now(UTC).timestamp()) - 5
    async with httpx.AsyncClient(base_url=osmand_url, timeout=10) as http:
        response = await http.get(
            f"/?id={device}&timestamp={at}&lat=37.5665&lon=126.9780&speed=10.5&bearing=90"
            "&altitude=35&accuracy=5&batt=87.5&temp1=-19.5&door=0"
        )
    assert response.status_code == 200, response.text

    raw = await find_record(infra.kafka, TELEMETRY_RAW.name, lambda r: r.key == device.encode())
    message = RawFixReceived.model_validate_json(raw.value)
    assert (message.source, message.fix.speed, message.fix.speed_unit.value) == ("osmand", 10.5, "knots")
    assert dict(raw.headers)["event_type"] == b"RawFixReceived"

    clean = await find_record(
        infra.kafka, TELEMETRY_GPS.name, lambda r: r.key == device.encode(), timeout_s=30
    )
    fix = FixAccepted.model_validate_json(clean.value)
    assert fix.source == "osmand"
    assert fix.speed_kmh == pytest.approx(19.446)
    assert fix.device_time == datetime.fromtimestamp(at, UTC)
    assert fix.temperatures[0].celsius == -19.5
    assert fix.door_open is False
    assert json.loads(clean.value)["attributes"]["batt"] == 87.5


async def test_the_json_form_of_traccar_client_9(osmand_url: str, infra: Infra) -> None:
    device = f"osm-{uuid.uuid4().hex[:10]}"
    body = {
        "device_id": device,
        "location": {
            "timestamp": datetime.now(UTC).isoformat(),
            "coords": {
                "latitude": 37.5,
                "longitude": 127.0,
                "accuracy": 4,
                "speed": 10,
                "heading": 180,
                "altitude": 30,
            },
            "battery": {"level": 0.5, "is_charging": True},
            "extras": {},
        },
    }
    async with httpx.AsyncClient(base_url=osmand_url, timeout=10) as http:
        response = await http.post("/", json=body)
    assert response.status_code == 200, response.text
    clean = await find_record(
        infra.kafka, TELEMETRY_GPS.name, lambda r: r.key == device.encode(), timeout_s=30
    )
    assert FixAccepted.model_validate_json(clean.value).speed_kmh == 36.0
