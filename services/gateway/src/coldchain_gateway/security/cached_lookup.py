"""A per-replica cache in front of a database lookup: answers are kept for `ttl_s`, and
while a key is being looked up, other callers with that key wait for the same query.

Used for API keys, device tokens and the users behind access tokens, which every request
presents: without it each request would cost a database round trip. `forget()` drops
everything, including answers of lookups still running (they began before the change)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

V = TypeVar("V")
MAX_ENTRIES = 10_000  # bounded: a flood of random keys cannot grow it


class CachedLookup(Generic[V]):
    def __init__(self, look_up: Callable[[str], Awaitable[V]], ttl_s: float) -> None:
        self._look_up = look_up
        self._ttl_s = ttl_s
        self._answers: dict[str, tuple[float, V]] = {}
        self._running: dict[str, asyncio.Task[V]] = {}
        self._generation = 0  # a lookup that began before a forget must not re-cache its answer

    def forget(self) -> None:
        self._answers.clear()
        self._running.clear()
        self._generation += 1

    async def get(self, key: str) -> V:
        cached = self._answers.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        running = self._running.get(key)
        if running is None:
            running = asyncio.create_task(self._fetch(key, self._generation))
            self._running[key] = running
            running.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(running)

    def _finished(self, key: str, done: asyncio.Task[V]) -> None:
        if self._running.get(key) is done:
            del self._running[key]

    async def _fetch(self, key: str, generation: int) -> V:
        started = time.monotonic()
        value = await self._look_up(key)
        if self._ttl_s > 0 and generation == self._generation:
            if len(self._answers) > MAX_ENTRIES:
                self._answers.clear()
            self._answers[key] = (started + self._ttl_s, value)
        return value
