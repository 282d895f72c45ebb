"""The Teltonika server under a hostile crowd on a real socket (issue 14, item 4, short version).

A few hundred connections of every hostile kind (`coldchain_devtools.teltonika.storm`),
then a good device: the server is still up, holds no connection of the crowd, published
only the good record, and the process's memory stayed bounded. The 10,000-connection run
is `make bench-teltonika-storm`.
"""

from __future__ import annotations

import pytest

from coldchain_devtools.teltonika.storm import KINDS, storm
from coldchain_devtools.testing import eventually

from .conftest import IMEI, start

pytestmark = pytest.mark.component
STORM_IMEI = "356307042441014"


async def test_a_crowd_of_bad_connections_leaves_the_server_up_and_a_good_device_acknowledged() -> None:
    running = await start(handshake_timeout_s=1.0, frame_timeout_s=1.0)
    running.registry.known.add(STORM_IMEI)
    try:
        report = await storm(running.server.port, IMEI, STORM_IMEI, 160, concurrency=50, addresses=10)
        print(report.as_dict())
        assert report.connect_errors == 0
        assert set(report.kinds) == set(KINDS)
        assert report.good_device_acknowledged == 1
        # Only the good device's record reached Kafka: nothing of the crowd was published.
        assert len(running.kafka.published) == 1
        assert running.kafka.published[0].key is not None

        async def drained() -> bool | None:
            return True if running.server.open_connections == 0 else None

        await eventually(drained, 10)  # every crowd connection released: closed or timed out
        assert report.rss_peak - report.rss_start < 64 * 2**20, report.as_dict()
    finally:
        await running.stop()
