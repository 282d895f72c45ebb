"""What every service process is made of, built once by its `create_app`.

`Runtime` holds the connections (database engine, Kafka broker, optional Redis);
`runtime_app` wraps them in the FastAPI shell with a lifespan that migrates the
service's schema, runs the service's start hooks, starts the broker, and on the way
out closes everything in reverse order. `main` is every service's `__main__`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_servicekit.db import make_engine, postgres_check
from coldchain_servicekit.health import ReadinessCheck
from coldchain_servicekit.http import service_app
from coldchain_servicekit.internal_auth import required_token
from coldchain_servicekit.kafka import kafka_check, make_broker
from coldchain_servicekit.lag import lag_sampler
from coldchain_servicekit.logging import configure_logging, get_logger
from coldchain_servicekit.migrations import upgrade, upgrade_async
from coldchain_servicekit.redis import make_redis, redis_check
from coldchain_servicekit.serve import serve
from coldchain_servicekit.settings import ServiceSettings
from coldchain_servicekit.transport_security import postgres_ssl, redis_ssl_options

Hook = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Schema:
    """A service's PostgreSQL schema and the Alembic scripts that build it."""

    name: str
    migrations: Path


@dataclass(frozen=True)
class Runtime:
    settings: ServiceSettings
    engine: AsyncEngine
    broker: KafkaBroker
    redis: Redis | None

    @classmethod
    def build(cls, settings: ServiceSettings, *, with_redis: bool) -> Runtime:
        configure_logging(settings.service_name, settings.log_level, settings.log_json)
        return cls(
            settings=settings,
            engine=make_engine(
                settings.database_url.get_secret_value(),
                tls=postgres_ssl(settings),
                application_name=f"coldchain-{settings.service_name}",
            ),
            broker=make_broker(settings),
            redis=make_redis(
                settings.redis_url,
                settings.redis_max_connections,
                settings.redis_pool_timeout_s,
                redis_ssl_options(settings),
            )
            if with_redis
            else None,
        )

    def checks(self) -> dict[str, ReadinessCheck]:
        checks = {"kafka": kafka_check(self.broker), "postgres": postgres_check(self.engine)}
        if self.redis is not None:
            checks["redis"] = redis_check(self.redis)
        return checks


def runtime_app(
    runtime: Runtime,
    schema: Schema,
    *,
    title: str,
    on_start: Sequence[Hook] = (),
    on_stop: Sequence[Hook] = (),
    asyncapi: bool = True,
    after_broker_start: Sequence[Hook] = (),
    before_broker_stop: Sequence[Hook] = (),
    internal_api: bool = True,
    **fastapi_kwargs: Any,
) -> FastAPI:
    """`after_broker_start` hooks start what publishes on its own (device listeners, pollers);
    `before_broker_stop` hooks stop them while their last publishes can still be acknowledged.
    A stop hook must be harmless for something that never started. `internal_api`: the HTTP
    API needs the service credential (`internal_auth`); only the public gateway says False."""
    settings = runtime.settings
    token = required_token(settings.internal_token) if internal_api else None
    log = get_logger(settings.service_name)
    lag = lag_sampler(runtime.broker)

    async def close() -> None:
        for hook in on_stop:
            await hook()
        if runtime.redis is not None:
            await runtime.redis.aclose()
        await runtime.engine.dispose()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One finally for both ends: a failed start (database or Kafka unreachable) must
        # not leak connections either.
        try:
            if settings.migrate_on_start:
                await upgrade_async(
                    settings.database_url.get_secret_value(),
                    schema.name,
                    schema.migrations,
                    postgres_ssl(settings),
                )
            for hook in on_start:
                await hook()
            await runtime.broker.start()
            await lag.start()
            for hook in after_broker_start:
                await hook()
            log.info("started", port=settings.http_port)
            yield
        finally:
            for hook in before_broker_stop:
                await hook()
            await lag.stop()
            await runtime.broker.stop()
            await close()

    app = service_app(
        title=title,
        lifespan=lifespan,
        checks=runtime.checks(),
        readiness_timeout_s=settings.readiness_timeout_s,
        internal_token=token,
        **fastapi_kwargs,
    )
    app.state.settings = settings
    app.state.broker = runtime.broker
    if asyncapi:
        add_asyncapi_route(app, runtime.broker, title)
    return app


def add_asyncapi_route(app: FastAPI, broker: KafkaBroker, title: str) -> None:
    """`GET /asyncapi.json`: the service's Kafka channels as FastStream describes them (the
    messages' JSON Schemas are in `libs/contracts/schemas/snapshot.json`)."""
    document: dict[str, Any] = {}

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi_document() -> JSONResponse:
        if not document:  # built once: the subscribers and publishers do not change at run time
            spec = AsyncAPI(broker, title=f"{title} (Kafka)", version=app.version)
            document.update(json.loads(spec.to_specification().to_json()))
        return JSONResponse(document)


def main(
    settings_type: Callable[[], ServiceSettings],
    create_app: Callable[[Any], FastAPI],
    schema: Schema,
    argv: Sequence[str] | None = None,
    commands: Mapping[str, Callable[[Any], None]] | None = None,
) -> None:
    """`python -m coldchain_<svc> [serve|migrate|<one of the service's own commands>]`."""
    command = (sys.argv[1:] if argv is None else list(argv))[:1] or ["serve"]
    extra = dict(commands or {})
    settings = settings_type()
    if command == ["migrate"]:
        upgrade(
            settings.database_url.get_secret_value(),
            schema.name,
            schema.migrations,
            tls=postgres_ssl(settings),
        )
    elif command == ["serve"]:
        serve(create_app(settings), settings.http_host, settings.http_port)
    elif command[0] in extra:
        extra[command[0]](settings)
    else:
        known = ", ".join(["serve", "migrate", *extra])
        raise SystemExit(f"unknown command {command[0]!r}; expected one of {known}")
