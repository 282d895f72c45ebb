"""`/readyz` follows the real state of a dependency: 503 while PostgreSQL is stopped.

The test runs its own throwaway PostgreSQL (deploy/local/infra.py in a private state
directory and port) so stopping it cannot disturb any other test.
"""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager

from coldchain_devtools.testing import Infra, PrivatePostgres
from coldchain_gateway.app import create_app
from coldchain_gateway.settings import GatewaySettings

pytestmark = pytest.mark.integration


async def test_readyz_is_503_while_postgres_is_stopped_and_recovers(
    infra: Infra, private_postgres: PrivatePostgres
) -> None:
    settings = GatewaySettings(
        kafka_bootstrap_servers=infra.kafka,
        database_url=private_postgres.url,
        redis_url=infra.redis_url,
        dev_mode=True,
        readiness_timeout_s=5.0,
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            assert (await client.get("/readyz")).status_code == 200

            private_postgres.stop()
            response = await client.get("/readyz")
            assert response.status_code == 503
            checks = response.json()["checks"]
            assert checks["postgres"] != "ok"
            assert checks["kafka"] == "ok"
            assert (await client.get("/healthz")).status_code == 200, "alive while not ready"

            private_postgres.start()
            assert (await client.get("/readyz")).status_code == 200
