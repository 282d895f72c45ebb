"""The OsmAnd ASGI app over HTTP (in-process), with a fake publisher in place of Kafka.

Real Kafka is proven in tests/integration; here: status codes, what is published, and
that 200 is never answered before the publish returned.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
import pytest
from aiokafka.errors import KafkaConnectionError

from coldchain_contracts import RawFixReceived, SpeedUnit
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_devtools.testing import free_port
from coldchain_ingest.protocols.osmand.devices import BindingDeviceOptions
from coldchain_ingest.protocols.osmand.listener import OsmAndListener
from coldchain_ingest.protocols.osmand.server import EmbeddedServer
from coldchain_servicekit.kafka import Outgoing

pytestmark = pytest.mark.component


class Bindings:
    def __init__(self, cache: dict[str, str]) -> None:
        self.cache = cache


class FakeKafka:
    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list[Outgoing] = []
        self.error = error

    async def __call__(self, messages: Sequence[Outgoing]) -> None:
        if self.error is not None:
            raise self.error
        self.sent.extend(messages)


def client(
    kafka: FakeKafka, *, accept_unknown: bool = False, units: dict[str, SpeedUnit] | None = None
) -> httpx.AsyncClient:
    devices = BindingDeviceOptions(
        Bindings({"123456": "truck-1"}), accept_unknown=accept_unknown, speed_units=units
    )
    app = OsmAndListener(kafka, devices, publish_timeout_s=1.0)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://osmand")


ANDROID = "/?id=123456&timestamp=1700000000&lat=37.5665&lon=126.9780&speed=10.5&bearing=90&altitude=35&accuracy=5&batt=87.5"


async def test_a_fix_is_published_to_the_raw_topic_keyed_by_device_then_200() -> None:
    kafka = FakeKafka()
    async with client(kafka) as http:
        response = await http.post(ANDROID)
    assert response.status_code == 200, response.text
    assert response.content == b""
    [sent] = kafka.sent
    assert (sent.topic, sent.key) == (TELEMETRY_RAW.name, "123456")
    message = RawFixReceived.model_validate_json(sent.value)
    assert (message.source, message.producer, message.device_id) == ("osmand", "ingest", "123456")
    assert (message.fix.speed, message.fix.speed_unit) == (10.5, SpeedUnit.KNOTS)
    assert sent.headers["event_type"] == "RawFixReceived"


@pytest.mark.parametrize("method", ["GET", "PUT", "POST"])
async def test_any_method_and_path(method: str) -> None:
    kafka = FakeKafka()
    async with client(kafka) as http:
        response = await http.request(method, "/some/path" + ANDROID[1:])
    assert response.status_code == 200
    assert len(kafka.sent) == 1


async def test_form_body_post() -> None:
    kafka = FakeKafka()
    async with client(kafka) as http:
        response = await http.post("/", data={"id": "123456", "lat": "37.5", "lon": "127.0", "temp1": "-20"})
    assert response.status_code == 200
    fix = RawFixReceived.model_validate_json(kafka.sent[0].value).fix
    assert fix.temperatures[0].celsius == -20.0


async def test_json_body_of_traccar_client_9() -> None:
    kafka = FakeKafka()
    body = {
        "device_id": "123456",
        "location": {
            "timestamp": "2026-11-26T08:59:00.000Z",
            "coords": {
                "latitude": 37.5,
                "longitude": 127.0,
                "accuracy": 4,
                "speed": 10,
                "heading": 180,
                "altitude": 30,
            },
            "is_moving": True,
            "odometer": 1500,
            "battery": {"level": 0.5, "is_charging": True},
            "extras": {},
        },
    }
    async with client(kafka) as http:
        response = await http.post("/", json=body)
    assert response.status_code == 200, response.text
    fix = RawFixReceived.model_validate_json(kafka.sent[0].value).fix
    assert (fix.speed, fix.speed_unit, fix.odometer_km) == (10.0, SpeedUnit.MPS, 1.5)


async def test_unknown_device_is_400_and_nothing_is_published() -> None:
    kafka = FakeKafka()
    async with client(kafka) as http:
        response = await http.get("/?id=999&lat=37.5&lon=127.0")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Unknown device"
    assert kafka.sent == []


async def test_unknown_devices_are_accepted_in_accept_unknown_mode() -> None:
    kafka = FakeKafka()
    async with client(kafka, accept_unknown=True) as http:
        response = await http.get("/?id=999&lat=37.5&lon=127.0")
    assert response.status_code == 200


async def test_per_device_speed_unit() -> None:
    kafka = FakeKafka()
    async with client(kafka, units={"123456": SpeedUnit.KMH}) as http:
        await http.get(ANDROID)
    assert RawFixReceived.model_validate_json(kafka.sent[0].value).fix.speed_unit == SpeedUnit.KMH


async def test_bad_input_is_400_with_the_reason() -> None:
    kafka = FakeKafka()
    async with client(kafka) as http:
        response = await http.get("/?id=123456&lat=37.5&lon=127.0&timestamp=soon")
    assert response.status_code == 400
    assert "timestamp='soon'" in response.json()["detail"]
    assert kafka.sent == []


async def test_kafka_failure_is_503_with_retry_after() -> None:
    kafka = FakeKafka(error=KafkaConnectionError("down"))
    async with client(kafka) as http:
        response = await http.get(ANDROID)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"


async def test_a_huge_body_is_413() -> None:
    kafka = FakeKafka()
    async with client(kafka) as http:
        response = await http.post("/", content=b"id=1&" + b"x" * 70_000)
    assert response.status_code == 413


async def test_the_embedded_server_answers_on_its_port_and_a_taken_port_fails_loudly() -> None:
    kafka = FakeKafka()
    devices = BindingDeviceOptions(Bindings({}), accept_unknown=True)
    server = EmbeddedServer(
        "osmand", OsmAndListener(kafka, devices, publish_timeout_s=1.0), "127.0.0.1", free_port()
    )
    await server.start()
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            response = await http.get(f"http://127.0.0.1:{server.port}/?id=1&lat=37.5&lon=127.0")
        assert response.status_code == 200
        assert len(kafka.sent) == 1
        with pytest.raises(OSError, match="in use"):
            await EmbeddedServer(
                "again", OsmAndListener(kafka, devices, publish_timeout_s=1.0), "127.0.0.1", server.port
            ).start()
    finally:
        await server.stop()
    await server.stop()  # stopping twice (or never started) is harmless
