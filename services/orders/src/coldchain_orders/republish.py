"""Put the current vehicles and sites back on their compacted topics (after a restore).

`fleet.vehicles.v1` and `fleet.sites.v1` are written through the outbox, which is emptied
once relayed, so the tables are their only durable copy. After a restore onto an empty
Kafka (`make restore`), `python -m coldchain_orders republish-reference` publishes every
stored record as it is (same event id: it is the same fact), keyed by its id, with
`acks=all`. Run it while the orders service is stopped, as the restore does, so no newer
change can be relayed before it; consumers apply records latest-wins, so a repeat is harmless.
"""

from __future__ import annotations

from sqlalchemy import select

from coldchain_contracts import SiteUpserted, VehicleRegistered
from coldchain_contracts.topics import FLEET_SITES, FLEET_VEHICLES
from coldchain_orders.db import sites, vehicles
from coldchain_orders.settings import OrdersSettings
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.kafka import Outgoing, make_broker, publish_all

_CHUNK = 500


async def republish_reference(settings: OrdersSettings) -> dict[str, int]:
    engine = make_engine(settings.database_url.get_secret_value())
    broker = make_broker(settings)
    try:
        async with engine.connect() as conn:
            site_rows = (await conn.execute(select(sites.c.record).order_by(sites.c.site_id))).all()
            vehicle_rows = (
                await conn.execute(select(vehicles.c.record).order_by(vehicles.c.vehicle_id))
            ).all()
        messages = [
            Outgoing.event(FLEET_SITES.name, site.site_id, site, None)
            for site in (SiteUpserted.model_validate(r.record) for r in site_rows)
        ] + [
            Outgoing.event(FLEET_VEHICLES.name, vehicle.vehicle_id, vehicle, None)
            for vehicle in (VehicleRegistered.model_validate(r.record) for r in vehicle_rows)
        ]
        await broker.start()
        for start in range(0, len(messages), _CHUNK):
            await publish_all(broker, messages[start : start + _CHUNK])
        return {"sites": len(site_rows), "vehicles": len(vehicle_rows)}
    finally:
        await broker.stop()
        await engine.dispose()
