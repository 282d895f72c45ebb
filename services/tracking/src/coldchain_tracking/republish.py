"""Put every vehicle's live state back on `tracking.vehicle-state.v1` (after a restore).

The topic is compacted and the gateway answers vehicle lists from its own copy of it, so a
Kafka restored empty would show no vehicles until each sends a fix. After
`rebuild-live-state`, `python -m coldchain_tracking republish-states` publishes the state
held in Redis for each vehicle (same event id as stored), keyed by vehicle, `acks=all`.
"""

from __future__ import annotations

from coldchain_contracts.topics import VEHICLE_STATE
from coldchain_servicekit.kafka import Outgoing, make_broker, publish_all
from coldchain_servicekit.runtime import Runtime
from coldchain_tracking.live_state import LiveStateStore
from coldchain_tracking.settings import TrackingSettings

_PAGE = 500


async def republish_states(settings: TrackingSettings) -> dict[str, int]:
    runtime = Runtime.build(settings, with_redis=True)
    assert runtime.redis is not None
    live = LiveStateStore(runtime.redis)
    broker = make_broker(settings)
    published = 0
    try:
        await broker.start()
        after: str | None = None
        while page := await live.page(after, _PAGE):
            await publish_all(
                broker, [Outgoing.event(VEHICLE_STATE.name, s.vehicle_id, s, None) for s in page]
            )
            published += len(page)
            after = page[-1].vehicle_id
        return {"states": published}
    finally:
        await broker.stop()
        await runtime.redis.aclose()
        await runtime.engine.dispose()
