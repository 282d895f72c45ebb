"""`python -m coldchain_tracking [serve|migrate|rebuild-live-state|republish-states]`."""

import asyncio
import json

from coldchain_servicekit.migrations import upgrade
from coldchain_servicekit.runtime import Runtime, main
from coldchain_tracking.app import SCHEMA_DEF, create_app
from coldchain_tracking.load_store import LoadStore
from coldchain_tracking.rebuild import LiveStateRebuilder
from coldchain_tracking.reference import ReferenceData
from coldchain_tracking.republish import republish_states
from coldchain_tracking.settings import TrackingSettings


def rebuild_live_state(settings: TrackingSettings) -> None:
    """Rebuild Redis live state from history and the fleet topics; prints what it rebuilt."""
    upgrade(settings.database_url.get_secret_value(), SCHEMA_DEF.name, SCHEMA_DEF.migrations)

    async def run() -> dict[str, int]:
        runtime = Runtime.build(settings, with_redis=True)  # the broker is never started
        assert runtime.redis is not None
        try:
            loads = LoadStore(runtime.engine)
            await loads.load()
            rebuilder = LiveStateRebuilder.of(settings, runtime, ReferenceData(runtime.redis), loads)
            return (await rebuilder.rebuild()).as_dict()
        finally:
            await runtime.redis.aclose()
            await runtime.engine.dispose()

    print(json.dumps(asyncio.run(run())))


def _republish_states(settings: TrackingSettings) -> None:
    print(json.dumps(asyncio.run(republish_states(settings))))


if __name__ == "__main__":
    commands = {"rebuild-live-state": rebuild_live_state, "republish-states": _republish_states}
    main(TrackingSettings, create_app, SCHEMA_DEF, commands=commands)
