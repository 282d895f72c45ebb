"""The UVIS poller's decisions with the fake UVIS server and in-memory cursors and Kafka.

Real Kafka, PostgreSQL and the advisory lock are proven in tests/integration; here: a
list that fails on every attempt does not stop the other, and its cursors stay put; an
unreadable record is skipped while the others are published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from coldchain_contracts import RawFixReceived
from coldchain_ingest.protocols.uvis.client import UvisClient
from coldchain_ingest.protocols.uvis.fixes import CursorKey, Kind
from coldchain_ingest.protocols.uvis.poller import UvisPoller
from coldchain_servicekit.kafka import Outgoing

pytestmark = pytest.mark.component
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


class MemoryCursors:
    def __init__(self) -> None:
        self.stored: dict[CursorKey, datetime] = {}

    async def load(self) -> dict[CursorKey, datetime]:
        return dict(self.stored)

    async def advance(self, moved: Mapping[CursorKey, datetime], now: datetime) -> None:
        self.stored.update(moved)


class AlwaysLeader:
    async def is_leader(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class Sent:
    def __init__(self) -> None:
        self.messages: list[RawFixReceived] = []

    async def __call__(self, outgoing: Sequence[Outgoing]) -> None:
        self.messages += [RawFixReceived.model_validate_json(o.value) for o in outgoing]


async def test_a_failing_list_does_not_stop_the_other_and_keeps_its_cursors(
    fake_uvis: Any, uvis_rows: Any
) -> None:
    fake, url = fake_uvis
    fake.gps = [
        uvis_rows.gps("T1", "20261126", "083015"),
        {**uvis_rows.gps("T2", "20261126", "083015"), "BI_DATE": "yesterday"},
    ]
    fake.temperatures = [uvis_rows.temp("T1", "20261126", "080000")]
    sent, cursors = Sent(), MemoryCursors()
    async with httpx.AsyncClient(timeout=0.5) as http:
        client = UvisClient(http, url, SecretStr(uvis_rows.serial), attempts=2, retry_delay_s=0.01)
        poller = UvisPoller(client, cursors, AlwaysLeader(), sent, interval_s=60, clock=lambda: NOW)
        await client.gps()  # take a key first, so the faults below hit the list calls
        fake.faults = [
            "not_json",
            "none",
            "500",
            "not_json",
        ]  # GPS: served on the 2nd try; temperatures: never
        result = await poller.poll_once()
    assert (result.published, result.invalid, result.failed_lists) == (1, 1, ("temperature",))
    assert [(m.device_id, m.source, m.received_at) for m in sent.messages] == [("T1", "uvis", NOW)]
    assert list(cursors.stored) == [("T1", Kind.GPS)], "the temperature list is read again next poll"
