"""Redis client construction and readiness check."""

from __future__ import annotations

from redis.asyncio import Redis

from coldchain_servicekit.health import ReadinessCheck


def make_redis(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5, health_check_interval=30)


def redis_check(client: Redis) -> ReadinessCheck:
    async def check() -> None:
        await client.ping()

    return check
