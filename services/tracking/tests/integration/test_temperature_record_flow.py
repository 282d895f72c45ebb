"""An order's temperature record and the KPIs from tracking's query API, on real Kafka,
Redis and PostgreSQL: tracking runs in-process and is fed a dual-zone vehicle, a route with
per-compartment loads, the order's lifecycle and fixes with readings.

- delivered, complete, in band: the record covers the order's compartment only (B, from
  the route's loads), from pick-up to delivery, as JSON, CSV and a one-page PDF; the KPIs
  count the delivery as on time;
- picked up and warmed past its band beyond the grace period: tracking's own excursion
  shows in the record (compartment from the vehicle's zones, no route known) as `excursion`.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from asgi_lifespan import LifespanManager

from coldchain_contracts import (
    Compartment,
    FixAccepted,
    ReeferReading,
    RouteAssigned,
    StopKind,
    TemperatureZone,
    VehicleRegistered,
)
from coldchain_contracts.dispatch import AssignedStop, CompartmentLoad
from coldchain_contracts.orders import (
    OrderAccepted,
    OrderDelivered,
    OrderPickedUp,
    OrderSpec,
    OrderStatus,
    OrderStop,
    TimeWindow,
)
from coldchain_contracts.topics import (
    DISPATCH_ASSIGNMENTS,
    FLEET_SITES,
    FLEET_VEHICLES,
    ORDERS_EVENTS,
    TELEMETRY_GPS,
    TRACKING_EVENTS,
    dlq_topic,
)
from coldchain_devtools.testing import Infra, eventually, internal_auth
from coldchain_tracking.app import create_app
from coldchain_tracking.settings import TrackingSettings

pytestmark = pytest.mark.integration
FROZEN, CHILLED = TemperatureZone.FROZEN, TemperatureZone.CHILLED


@pytest.fixture
async def consumer_group(infra: Infra, kafka_topics: None) -> AsyncIterator[str]:
    group = f"tracking-rec-{uuid.uuid4().hex[:8]}"
    topics = (
        TELEMETRY_GPS,
        FLEET_SITES,
        FLEET_VEHICLES,
        ORDERS_EVENTS,
        TRACKING_EVENTS,
        DISPATCH_ASSIGNMENTS,
    )
    dlqs = [dlq_topic(t.name, group) for t in topics]
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await admin.start()
    await admin.create_topics([NewTopic(name, 1, 1) for name in dlqs])
    yield group
    await admin.delete_topics(dlqs)
    await admin.close()


def spec(number: str, at: datetime) -> OrderSpec:
    window = TimeWindow(start=at - timedelta(hours=1), end=at + timedelta(hours=2))
    return OrderSpec(
        order_number=number,
        zone=CHILLED,
        pallets=4,
        weight_kg=900,
        pickup=OrderStop(site_id="p", window=window),
        dropoff=OrderStop(site_id="d", window=window),
        requested_date=date(2026, 11, 26),
    )


def fix(vehicle: str, at: datetime, lon: float, a: float, b: float) -> FixAccepted:
    return FixAccepted(
        vehicle_id=vehicle,
        device_id=vehicle,
        source="test",
        device_time=at,
        received_at=datetime.now(UTC),
        latitude=36.5,
        longitude=lon,
        speed_kmh=0,
        ignition=True,
        temperatures=(ReeferReading(channel="A", celsius=a), ReeferReading(channel="B", celsius=b)),
    )


def stop(seq: int, order: uuid.UUID, kind: StopKind, load: dict[str, float], t0: datetime) -> AssignedStop:
    return AssignedStop(
        sequence=seq,
        order_id=order,
        kind=kind,
        latitude=36.5,
        longitude=127.0,
        planned_arrival=t0 + timedelta(minutes=10 * seq),
        planned_departure=t0 + timedelta(minutes=10 * seq + 5),
        load_after=tuple(
            CompartmentLoad(compartment=ch, zone=FROZEN if ch == "A" else CHILLED, pallets=p)
            for ch, p in load.items()
        ),
    )


async def send(producer: AIOKafkaProducer, topic: str, key: str, message: Any) -> None:
    await producer.send(topic, message.model_dump_json().encode(), key=key.encode())


async def test_a_delivered_order_has_a_complete_in_band_record_and_counts_in_the_kpis(
    infra: Infra, test_database: str, consumer_group: str, kafka_producer: AIOKafkaProducer
) -> None:
    settings = TrackingSettings(
        service_name=consumer_group,
        kafka_bootstrap_servers=infra.kafka,
        database_url=test_database,
        redis_url=infra.redis_url.rsplit("/", 1)[0] + "/12",
        lateness_s=0,
        offline_after_s=3600,
        excursion_grace_s=120,
        sweep_every_s=0.5,
        reference_refresh_s=0.5,
    )
    tag = uuid.uuid4().hex[:8]
    good_truck, warm_truck = f"rec-{tag}-1", f"rec-{tag}-2"
    ours, other, warm = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    t0 = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    lon = 128.0 + (uuid.uuid4().int % 1000) / 1000  # away from other runs' sites
    dual = (
        Compartment(channel="A", zone=FROZEN, pallets=8),
        Compartment(channel="B", zone=CHILLED, pallets=6),
    )
    route = RouteAssigned(
        vehicle_id=good_truck,
        plan_id=uuid.uuid4(),
        revision=1,
        stops=(
            stop(0, other, StopKind.PICKUP, {"A": 5}, t0),
            stop(1, ours, StopKind.PICKUP, {"A": 5, "B": 4}, t0),
            stop(2, ours, StopKind.DELIVERY, {"A": 5, "B": 0}, t0),
            stop(3, other, StopKind.DELIVERY, {"A": 0, "B": 0}, t0),
        ),
    )
    picked_at, delivered_at = t0 + timedelta(minutes=2), t0 + timedelta(minutes=22)
    events = [
        OrderAccepted(
            order_id=ours,
            order_number=f"PO-{tag}",
            status=OrderStatus.ACCEPTED,
            version=2,
            order=spec(f"PO-{tag}", t0),
        ),
        OrderPickedUp(
            order_id=ours,
            status=OrderStatus.PICKED_UP,
            version=5,
            vehicle_id=good_truck,
            arrived_at=t0,
            departed_at=picked_at,
            on_time=True,
        ),
        OrderDelivered(
            order_id=ours,
            status=OrderStatus.DELIVERED,
            version=6,
            vehicle_id=good_truck,
            arrived_at=delivered_at - timedelta(minutes=5),
            departed_at=delivered_at,
            on_time=True,
        ),
        OrderAccepted(
            order_id=warm,
            order_number=f"PW-{tag}",
            status=OrderStatus.ACCEPTED,
            version=2,
            order=spec(f"PW-{tag}", t0),
        ),
        OrderPickedUp(
            order_id=warm,
            status=OrderStatus.PICKED_UP,
            version=5,
            vehicle_id=warm_truck,
            departed_at=picked_at,
            on_time=False,
        ),
    ]
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        for truck in (good_truck, warm_truck):
            await send(
                kafka_producer,
                FLEET_VEHICLES.name,
                truck,
                VehicleRegistered(vehicle_id=truck, compartments=dual),
            )
        await send(kafka_producer, DISPATCH_ASSIGNMENTS.name, good_truck, route)
        for event in events:
            await send(kafka_producer, ORDERS_EVENTS.name, str(event.order_id), event)
        await kafka_producer.flush()

        async def compartments_known() -> bool | None:
            return True if warm_truck in app.state.reference.compartments else None

        await eventually(compartments_known, timeout_s=30)
        for minute in range(26):  # one fix a minute from t0 to t0 + 25 min
            at = t0 + timedelta(minutes=minute)
            await send(
                kafka_producer,
                TELEMETRY_GPS.name,
                good_truck,
                fix(good_truck, at, lon, -20.0, 3.0 + (minute % 3) * 0.5),
            )
            warm_b = (
                3.0 if minute < 5 else 9.0
            )  # out of its 0..5 band from minute 5 on, beyond the 120 s grace
            await send(
                kafka_producer, TELEMETRY_GPS.name, warm_truck, fix(warm_truck, at, lon + 0.01, -20.0, warm_b)
            )
        await kafka_producer.flush()

        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://tracking", headers=internal_auth()
        ) as http:

            async def record(order_id: uuid.UUID, want: int, verdict: str) -> dict[str, Any] | None:
                r = await http.get(f"/v1/orders/{order_id}/temperature-record")
                if r.status_code == 404:  # the order's events are not projected yet
                    return None
                assert r.status_code == 200, r.text
                body: dict[str, Any] = r.json()
                counts = [c["reading_count"] for c in body["compartments"]]
                return body if counts == [want] and body["verdict"] == verdict else None

            good = await eventually(lambda: record(ours, 21, "in_band"), timeout_s=60)
            [b] = good["compartments"]
            assert (b["channel"], b["band"]) == ("B", {"low_celsius": 0.0, "high_celsius": 5.0})
            assert (b["min_celsius"], b["max_celsius"], b["minutes_out_of_band"], b["gaps"]) == (
                3.0,
                4.0,
                0.0,
                [],
            )
            assert (good["from"], good["to"]) == (picked_at.isoformat(), delivered_at.isoformat())
            assert (good["order_number"], good["vehicle_id"], good["delivery_on_time"]) == (
                f"PO-{tag}",
                good_truck,
                True,
            )

            as_csv = await http.get(f"/v1/orders/{ours}/temperature-record", headers={"Accept": "text/csv"})
            assert as_csv.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(as_csv.text)))
            assert len(rows) == 21
            assert {r["channel"] for r in rows} == {"B"}
            as_pdf = await http.get(f"/v1/orders/{ours}/temperature-record", params={"format": "pdf"})
            assert (as_pdf.headers["content-type"], as_pdf.content[:5]) == ("application/pdf", b"%PDF-")

            warmed = await eventually(lambda: record(warm, 26 - 2, "excursion"), timeout_s=60)
            [w] = warmed["compartments"]
            assert w["channel"] == "B", "no route known: the vehicle's compartment of the order's zone"
            assert w["excursions"][0]["started_at"] == (t0 + timedelta(minutes=5)).isoformat()
            assert w["max_celsius"] == 9.0
            assert w["minutes_out_of_band"] > 15

            assert (await http.get(f"/v1/orders/{uuid.uuid4()}/temperature-record")).status_code == 404

            kpis = (
                await http.get(
                    "/v1/kpis", params={"from": t0.isoformat(), "to": (t0 + timedelta(hours=1)).isoformat()}
                )
            ).json()
            assert kpis["orders"]["delivered"] >= 1
            assert kpis["orders"]["on_time_rate"] is not None
            mine = {v["vehicle_id"]: v for v in kpis["vehicles"]}
            assert mine[good_truck]["delivered"] == 1
            assert mine[good_truck]["delivered_on_time"] == 1
            assert mine[warm_truck]["excursion_minutes"]["B"] > 15
