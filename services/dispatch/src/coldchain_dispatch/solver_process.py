"""Plan solves in a separate process, so the service's event loop never waits on a solver.

A worker thread was not enough: OR-tools and PyVRP hold the GIL for stretches, and the loop
(Kafka heartbeats, HTTP) stalled up to 368 ms behind a 500-order solve. One spawned
worker (spawn, not fork: the service process runs threads) takes the solves one at a time;
the planner serialises its runs anyway. The problem and the plan cross the boundary
pickled; a worker that dies is replaced on the next solve.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")


class SolverProcess:
    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), fn, *args)
        except BrokenProcessPool:
            self.close()  # the worker died (killed, out of memory): a fresh one next time
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class InThread:
    """The same interface on a worker thread (tests, and `DISPATCH_SOLVE_IN_PROCESS=false`)."""

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        return await asyncio.to_thread(fn, *args)

    def close(self) -> None:
        return None
