"""The UVIS poll loop: pull both lists, publish what is new, remember it.

Every `interval_s`, the replica holding the advisory lock pulls the GPS list and the
temperature list (one failing does not stop the other), skips records it has already
published (`fixes.new_*` against `ingest.uvis_cursors`), publishes one `RawFixReceived`
(source "uvis", key = terminal id) per new (terminal, device time) and waits for Kafka's
acknowledgement, and only then advances the cursors. A crash between the two re-publishes
at most one poll's fixes, which downstream stores idempotently by vehicle and device time.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from prometheus_client import Counter

from coldchain_contracts import RawFixReceived, utcnow
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_ingest.protocols.uvis.client import UvisClient, UvisUnavailable
from coldchain_ingest.protocols.uvis.fixes import (
    CursorKey,
    Kind,
    advanced,
    new_gps,
    new_temperatures,
    to_fixes,
)
from coldchain_ingest.protocols.uvis.parsing import gps_record, read_list, temperature_record
from coldchain_servicekit.kafka import Outgoing
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
POLLS = Counter("ingest_uvis_polls_total", "UVIS polls by outcome", ["outcome"])
RECORDS = Counter("ingest_uvis_records_total", "UVIS records read, by list and outcome", ["kind", "outcome"])
PUBLISHED = Counter("ingest_uvis_fixes_published_total", "UVIS fixes acknowledged by Kafka")
SOURCE = "uvis"

Publish = Callable[[Sequence[Outgoing]], Awaitable[None]]


class CursorStore(Protocol):
    """`cursors.UvisCursors`, or an in-memory fake in tests."""

    async def load(self) -> dict[CursorKey, datetime]: ...

    async def advance(self, moved: Mapping[CursorKey, datetime], now: datetime) -> None: ...


class Leadership(Protocol):
    """`leadership.AdvisoryLeadership`, or a fake in tests."""

    async def is_leader(self) -> bool: ...

    async def release(self) -> None: ...


@dataclass(frozen=True, slots=True)
class PollResult:
    published: int
    duplicates: int
    invalid: int
    failed_lists: tuple[str, ...]


class UvisPoller:
    def __init__(
        self,
        client: UvisClient,
        cursors: CursorStore,
        leadership: Leadership,
        publish: Publish,
        *,
        interval_s: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._client = client
        self._cursors = cursors
        self._leadership = leadership
        self._publish = publish
        self._interval_s = interval_s
        self._clock = clock
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="uvis-poller")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._leadership.release()

    async def _loop(self) -> None:
        while True:
            try:
                if await self._leadership.is_leader():
                    await self.poll_once()
                else:
                    POLLS.labels("not_leader").inc()
            except Exception as exc:  # noqa: BLE001 - Kafka or PostgreSQL down: try again next round
                POLLS.labels("error").inc()
                log.error("uvis poll failed", error=repr(exc)[:300])
            await asyncio.sleep(self._interval_s)

    async def _pull(self, kind: Kind) -> list[Any] | None:
        try:
            return await (self._client.gps() if kind is Kind.GPS else self._client.temperatures())
        except UvisUnavailable as exc:
            log.error("uvis list unavailable", kind=kind.value, error=str(exc)[:300])
            return None

    async def poll_once(self) -> PollResult:
        gps_payload = await self._pull(Kind.GPS)
        temp_payload = await self._pull(Kind.TEMPERATURE)
        gps, gps_errors = read_list(gps_payload or [], gps_record)
        temps, temp_errors = read_list(temp_payload or [], temperature_record)
        for kind, errors in ((Kind.GPS, gps_errors), (Kind.TEMPERATURE, temp_errors)):
            RECORDS.labels(kind.value, "invalid").inc(len(errors))
            for error in errors[:10]:
                log.warning("uvis record skipped", kind=kind.value, error=error[:300])
        cursors = await self._cursors.load()
        fresh_gps, fresh_temps = new_gps(cursors, gps), new_temperatures(cursors, temps)
        duplicates = len(gps) + len(temps) - len(fresh_gps) - len(fresh_temps)
        RECORDS.labels(Kind.GPS.value, "new").inc(len(fresh_gps))
        RECORDS.labels(Kind.TEMPERATURE.value, "new").inc(len(fresh_temps))
        RECORDS.labels("any", "duplicate").inc(duplicates)
        now = self._clock()
        messages = [
            RawFixReceived(
                device_id=f.terminal_id, source=SOURCE, received_at=now, producer="ingest", fix=f.fix
            )
            for f in to_fixes(fresh_gps, fresh_temps)
        ]
        await self._publish([Outgoing.event(TELEMETRY_RAW.name, m.device_id, m, None) for m in messages])
        await self._cursors.advance(advanced(cursors, fresh_gps, fresh_temps), now)
        PUBLISHED.inc(len(messages))
        failed = tuple(
            k.value for k, p in ((Kind.GPS, gps_payload), (Kind.TEMPERATURE, temp_payload)) if p is None
        )
        POLLS.labels("failed" if len(failed) == 2 else "partial" if failed else "ok").inc()
        return PollResult(len(messages), duplicates, len(gps_errors) + len(temp_errors), failed)
