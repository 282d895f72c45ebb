"""Redis client construction and readiness check."""

from __future__ import annotations

from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis

from coldchain_servicekit.health import ReadinessCheck


def make_redis(
    url: str,
    max_connections: int = 64,
    pool_timeout_s: float = 5.0,
    tls: dict[str, Any] | None = None,
) -> Redis:
    """A client on a bounded pool that waits for a free connection.

    redis-py's default pool raises `MaxConnectionsError` at once when all its connections
    are busy; under a burst (an event loop that fell behind by a few hundred requests)
    that turned into 503s for requests that only had to wait a millisecond. A blocking
    pool queues them instead, and still fails (after `pool_timeout_s`) when Redis is gone.
    `tls`: options for a rediss:// URL (`transport_security.redis_ssl_options`).
    """
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=pool_timeout_s,
        socket_connect_timeout=3,
        socket_timeout=5,
        health_check_interval=30,
        **(tls or {}),
    )
    return Redis.from_pool(pool)  # the client owns the pool: aclose() closes both


def redis_check(client: Redis) -> ReadinessCheck:
    async def check() -> None:
        await client.ping()

    return check
