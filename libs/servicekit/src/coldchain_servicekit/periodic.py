"""A coroutine run now and then every few seconds in the background, until stopped.

Used for small read models that every replica keeps in memory but only one replica
(the consumer group member that owns the partition) writes to the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)


class Periodic:
    def __init__(self, name: str, action: Callable[[], Awaitable[None]], every_s: float) -> None:
        self._name = name
        self._action = action
        self._every_s = every_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Run once now (failing loudly, so a broken start is seen), then in the background."""
        await self._action()
        self._task = asyncio.create_task(self._loop(), name=self._name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._every_s)
            try:
                await self._action()
            except Exception as exc:  # noqa: BLE001 - keep the last good state; try again next round
                log.warning("periodic action failed", action=self._name, error=repr(exc)[:300])
