"""The public edge: rate limits (Redis token buckets), CORS, security headers, body size
limits, problem details for every error, the optional /metrics token, request ids."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from coldchain_devtools.testing import Infra
from coldchain_gateway.security.principal import Sessions
from coldchain_gateway.security.ratelimit import Rate, RedisLimiter
from coldchain_gateway.security.synced_limiter import SyncedLimiter
from coldchain_gateway.settings import DEV_ADMIN_PASSWORD, DEV_INGEST_KEY

from .conftest import Gateway, OpenGateway

pytestmark = pytest.mark.integration
INGEST = {"X-API-Key": DEV_INGEST_KEY}


def is_problem(response: object, status: int) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert "Traceback" not in response.text  # type: ignore[attr-defined]


@pytest.fixture
async def redis(infra: Infra) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url)
    yield client
    await client.aclose()


async def test_token_bucket_allows_the_burst_then_refills(redis: Redis) -> None:
    limiter = RedisLimiter(redis, f"gwtest-{uuid.uuid4().hex[:8]}:")
    rate = Rate.parse("3/1s")
    waits = [await limiter.wait_s("bucket", rate) for _ in range(4)]
    assert waits[:3] == [0, 0, 0]
    assert 0 < waits[3] <= 1 / 3 + 0.05
    await asyncio.sleep(waits[3] + 0.05)
    assert await limiter.wait_s("bucket", rate) == 0, "a token came back"
    assert await limiter.wait_s("other", rate) == 0, "buckets are independent"


async def test_concurrent_hits_never_exceed_the_burst(redis: Redis) -> None:
    limiter = RedisLimiter(redis, f"gwtest-{uuid.uuid4().hex[:8]}:")
    waits = await asyncio.gather(*(limiter.wait_s("b", Rate.parse("10/3600s")) for _ in range(50)))
    assert sum(1 for w in waits if w == 0) == 10, "atomic: exactly the burst passes"


async def test_synced_replicas_share_a_bucket_through_redis(redis: Redis) -> None:
    prefix = f"gwtest-{uuid.uuid4().hex[:8]}:"
    a, b = SyncedLimiter(redis, prefix), SyncedLimiter(redis, prefix)
    rate = Rate.parse("10/3600s")
    assert [await a.wait_s("bucket", rate) for _ in range(7)] == [0] * 7
    await a.sync()
    waits = [await b.wait_s("bucket", rate) for _ in range(4)]
    assert waits[:3] == [0, 0, 0], "the other replica reads what is left before its first hit"
    assert waits[3] > 0
    await b.sync()
    assert await a.wait_s("bucket", rate) == 0, "a has not synced since b took the rest"
    await a.sync()
    assert await a.wait_s("bucket", rate) > 0, "after a sync, a sees the bucket empty"
    assert await RedisLimiter(redis, prefix).wait_s("bucket", rate) > 0, "the exact limiter agrees"


async def test_hits_granted_by_replicas_between_syncs_become_a_debt(redis: Redis) -> None:
    prefix = f"gwtest-{uuid.uuid4().hex[:8]}:"
    a, b = SyncedLimiter(redis, prefix), SyncedLimiter(redis, prefix)
    rate = Rate.parse("4/4s")
    for limiter in (a, b):  # both read a full bucket, then grant it all before syncing
        assert [await limiter.wait_s("bucket", rate) for _ in range(4)] == [0] * 4
    await a.sync()
    await b.sync()
    assert 4 < await b.wait_s("bucket", rate) <= 5, "4 tokens of debt plus the next one, at 1/s"
    assert 4 < await RedisLimiter(redis, prefix).wait_s("bucket", rate) <= 5, "the debt is in Redis"


async def test_synced_limiter_keeps_limiting_known_buckets_while_redis_is_down(redis: Redis) -> None:
    prefix = f"gwtest-{uuid.uuid4().hex[:8]}:"
    limiter = SyncedLimiter(redis, prefix)
    rate = Rate.parse("3/3600s")
    assert await limiter.wait_s("known", rate) == 0
    await limiter.sync()
    gone = SyncedLimiter(Redis.from_url("redis://127.0.0.1:1/0"), prefix)
    gone._buckets = limiter._buckets  # the same view, on a client whose Redis is unreachable
    assert [await gone.wait_s("known", rate) for _ in range(3)][:2] == [0, 0]
    assert await gone.wait_s("known", rate) > 0, "still limited by this replica"
    await gone.sync()  # fails, keeps the hits for later
    assert gone._buckets["known"].unsynced == 2
    with pytest.raises(RedisError):
        await gone.wait_s("new", rate)


async def test_login_is_limited_per_account_with_a_retry_after_problem(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_login_account="3/60s") as gw:
        form = {"grant_type": "password", "username": "admin", "password": "wrong password!"}
        statuses = [(await gw.client.post("/v1/auth/token", data=form)).status_code for _ in range(3)]
        assert statuses == [400, 400, 400]
        limited = await gw.client.post("/v1/auth/token", data={**form, "password": DEV_ADMIN_PASSWORD})
        is_problem(limited, 429)
        assert 1 <= int(limited.headers["retry-after"]) <= 20
        other = await gw.client.post("/v1/auth/token", data={**form, "username": "someone-else"})
        assert other.status_code == 400, "another account is not limited"


async def test_login_is_limited_per_ip(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_login_ip="2/60s") as gw:
        for name in ("a-user", "b-user"):
            form = {"grant_type": "password", "username": name, "password": "wrong password!"}
            assert (await gw.client.post("/v1/auth/token", data=form)).status_code == 400
        form = {"grant_type": "password", "username": "c-user", "password": "wrong password!"}
        is_problem(await gw.client.post("/v1/auth/token", data=form), 429)


async def test_routes_are_limited_per_principal_and_per_class(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_read_principal="2/60s", rate_ingest_principal="1000/60s") as gw:
        admin = await gw.bearer()
        assert [(await gw.client.get("/v1/auth/me", headers=admin)).status_code for _ in range(2)] == [
            200,
            200,
        ]
        limited = await gw.client.get("/v1/auth/me", headers=admin)
        is_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1
        fix = {"device_id": "edge-1", "time": "2026-11-26T09:30:00Z", "latitude": 1, "longitude": 2}
        for _ in range(3):  # ingest is its own, larger class
            assert (
                await gw.client.post("/v1/telemetry/gps", json={"fixes": [fix]}, headers=INGEST)
            ).status_code == 202


async def test_requests_are_limited_per_ip_before_credentials_are_checked(open_gateway: OpenGateway) -> None:
    async with open_gateway(rate_read_ip="2/60s") as gw:
        guesses = [
            (await gw.client.get("/v1/auth/me", headers={"X-API-Key": f"cci_guess{i}"})).status_code
            for i in range(3)
        ]
        assert guesses == [401, 401, 429]


async def test_cors_only_for_configured_origins(open_gateway: OpenGateway) -> None:
    async with open_gateway(cors_origins=["https://ops.example.com"]) as gw:
        preflight = {
            "access-control-request-method": "GET",
            "access-control-request-headers": "authorization",
        }
        allowed = await gw.client.options(
            "/v1/auth/me", headers={"origin": "https://ops.example.com", **preflight}
        )
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://ops.example.com"
        refused = await gw.client.options(
            "/v1/auth/me", headers={"origin": "https://evil.example", **preflight}
        )
        is_problem(refused, 400)
        assert "access-control-allow-origin" not in refused.headers
        simple = await gw.client.get("/healthz", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in simple.headers
        ok = await gw.client.get("/v1/auth/me", headers={"origin": "https://ops.example.com"})
        assert ok.headers["access-control-allow-origin"] == "https://ops.example.com", "on a 401 too"
        assert "retry-after" in ok.headers["access-control-expose-headers"].lower()


async def test_no_cors_headers_without_configured_origins(gateway: Gateway) -> None:
    response = await gateway.client.get("/healthz", headers={"origin": "https://ops.example.com"})
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("path", ["/healthz", "/v1/auth/me", "/v1/nowhere"])
async def test_security_headers_on_every_answer(gateway: Gateway, path: str) -> None:
    response = await gateway.client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers, "HSTS only when configured"


async def test_hsts_when_configured(open_gateway: OpenGateway) -> None:
    async with open_gateway(hsts=True) as gw:
        assert "max-age=" in (await gw.client.get("/healthz")).headers["strict-transport-security"]


async def test_oversized_bodies_are_413_problems(open_gateway: OpenGateway) -> None:
    async with open_gateway(max_body_bytes=1000, max_telemetry_body_bytes=5000) as gw:
        admin = await gw.bearer()
        big = {"username": "x" * 2000, "password": "p" * 20, "role": "viewer"}
        is_problem(await gw.client.post("/v1/admin/users", json=big, headers=admin), 413)
        fix = {"device_id": "edge-2", "time": "2026-11-26T09:30:00Z", "latitude": 1, "longitude": 2}
        assert (
            await gw.client.post("/v1/telemetry/gps", json={"fixes": [fix] * 20}, headers=INGEST)
        ).status_code == 202
        is_problem(
            await gw.client.post("/v1/telemetry/gps", json={"fixes": [fix] * 200}, headers=INGEST), 413
        )

        async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
            yield b'{"fixes": ['
            for _ in range(100):
                yield b'{"device_id": "edge-2", "time": "2026-11-26T09:30:00Z", "latitude": 1, "longitude": 2},'
            yield b"]}"

        streamed = await gw.client.post(
            "/v1/telemetry/gps", content=chunked(), headers={**INGEST, "content-type": "application/json"}
        )
        is_problem(streamed, 413)


async def test_every_error_is_a_problem(gateway: Gateway) -> None:
    unauthenticated = await gateway.client.get("/v1/admin/users")
    is_problem(unauthenticated, 401)
    assert unauthenticated.headers["www-authenticate"] == 'Bearer realm="coldchain"'
    is_problem(await gateway.client.get("/v1/admin/users", headers=INGEST), 403)
    is_problem(await gateway.client.get("/v1/nowhere"), 404)
    is_problem(await gateway.client.put("/v1/auth/me"), 405)
    invalid = await gateway.client.post(
        "/v1/admin/users", json={"username": "ok", "role": "pilot"}, headers=await gateway.bearer()
    )
    is_problem(invalid, 422)
    assert {e["field"] for e in invalid.json()["errors"]} == {"password", "role"}


async def test_metrics_public_by_default(gateway: Gateway) -> None:
    assert (await gateway.client.get("/metrics")).status_code == 200


async def test_metrics_behind_a_token_when_configured(open_gateway: OpenGateway) -> None:
    async with open_gateway(public_metrics=False, metrics_token="scrape-token-0123456789") as gw:
        is_problem(await gw.client.get("/metrics"), 401)
        ok = await gw.client.get("/metrics", headers={"Authorization": "Bearer scrape-token-0123456789"})
        assert ok.status_code == 200
        assert (await gw.client.get("/healthz")).status_code == 200


async def test_request_ids_are_echoed_and_in_the_logs(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    request_id = f"req-{uuid.uuid4().hex}"
    with caplog.at_level(logging.INFO):
        response = await gateway.client.get("/v1/admin/users", headers={"x-request-id": request_id})
    assert response.headers["x-request-id"] == request_id
    events = [r.msg for r in caplog.records if isinstance(r.msg, dict)]
    assert any(e.get("event") == "unauthenticated" and e.get("request_id") == request_id for e in events)


async def test_a_logout_reaches_other_replicas_within_the_session_check_cache(redis: Redis) -> None:
    prefix = f"gwtest-{uuid.uuid4().hex[:8]}:"
    here, there = (
        Sessions(redis, prefix, 900, check_cache_s=0.3),
        Sessions(redis, prefix, 900, check_cache_s=0.3),
    )
    assert not await here.is_revoked("family")
    assert not await there.is_revoked("family")
    await here.revoke("family")
    assert await here.is_revoked("family"), "the replica that revoked forgets its cached answer"
    assert not await there.is_revoked("family"), "another replica believes its answer a while"
    await asyncio.sleep(0.35)
    assert await there.is_revoked("family")
