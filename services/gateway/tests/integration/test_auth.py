"""Login, refresh rotation with reuse detection, logout, disabled users, and the scope of
device tokens and API keys, on real PostgreSQL, Redis and Kafka."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from coldchain_gateway.settings import DEV_ADMIN_PASSWORD, DEV_INGEST_KEY

from .conftest import PASSWORD, Gateway

pytestmark = pytest.mark.integration


def fix(device: str) -> dict[str, Any]:
    return {"device_id": device, "time": "2026-11-26T09:30:00Z", "latitude": 37.5, "longitude": 127.0}


def device() -> str:
    return f"auth-test-{uuid.uuid4().hex[:10]}"


async def refresh(gw: Gateway, token: str) -> Any:
    return await gw.client.post(
        "/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


async def test_login_issues_a_bearer_access_token_and_a_refresh_token(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/v1/auth/token", data={"grant_type": "password", "username": "admin", "password": DEV_ADMIN_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["refresh_token"].startswith("ccr_")
    assert response.headers["cache-control"] == "no-store"
    me = await gateway.client.get("/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["role"] == "admin"
    assert "users:manage" in me.json()["permissions"]


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password", "username": "admin", "password": "wrong password!"}, "invalid_grant"),
        (
            {"grant_type": "password", "username": "nobody-here", "password": "wrong password!"},
            "invalid_grant",
        ),
        ({"grant_type": "password", "username": "admin"}, "invalid_request"),
        ({"username": "admin", "password": DEV_ADMIN_PASSWORD}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": "refresh_token", "refresh_token": "ccr_never-issued"}, "invalid_grant"),
    ],
)
async def test_refused_token_requests_are_rfc6749_errors_as_problems(
    gateway: Gateway, form: dict[str, str], error: str
) -> None:
    response = await gateway.client.post("/v1/auth/token", data=form)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == error
    assert response.json()["status"] == 400


async def test_refresh_rotates_and_reuse_of_a_rotated_token_revokes_the_session(gateway: Gateway) -> None:
    name, _ = await gateway.user("viewer")
    first = await gateway.login(name, PASSWORD)
    second_response = await refresh(gateway, first["refresh_token"])
    assert second_response.status_code == 200
    second = second_response.json()
    assert second["refresh_token"] != first["refresh_token"]
    access = {"Authorization": f"Bearer {second['access_token']}"}
    assert (await gateway.client.get("/v1/auth/me", headers=access)).status_code == 200

    replay = await refresh(gateway, first["refresh_token"])  # a stolen copy of the rotated token
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert (await refresh(gateway, second["refresh_token"])).status_code == 400, "whole family revoked"
    revoked = await gateway.client.get("/v1/auth/me", headers=access)
    assert revoked.status_code == 401, "access tokens of the family stop at once"
    assert 'error="invalid_token"' in revoked.headers["www-authenticate"]

    other = await gateway.login(name, PASSWORD)  # a new login is a new, unaffected session
    assert (await refresh(gateway, other["refresh_token"])).status_code == 200


async def test_logout_revokes_the_access_and_refresh_tokens_of_the_session(gateway: Gateway) -> None:
    name, _ = await gateway.user("dispatcher")
    session = await gateway.login(name, PASSWORD)
    access = {"Authorization": f"Bearer {session['access_token']}"}
    assert (await gateway.client.post("/v1/auth/logout", headers=access)).status_code == 204
    assert (await gateway.client.get("/v1/auth/me", headers=access)).status_code == 401
    assert (await refresh(gateway, session["refresh_token"])).status_code == 400


async def test_a_disabled_user_loses_sessions_and_cannot_log_in(gateway: Gateway) -> None:
    name, access = await gateway.user("viewer")
    admin = await gateway.bearer()
    [user] = [
        u
        for u in (await gateway.client.get("/v1/admin/users", headers=admin)).json()
        if u["username"] == name
    ]
    response = await gateway.client.post(f"/v1/admin/users/{user['id']}/disable", headers=admin)
    assert response.status_code == 204
    assert (await gateway.client.get("/v1/auth/me", headers=access)).status_code == 401
    login = await gateway.client.post(
        "/v1/auth/token", data={"grant_type": "password", "username": name, "password": PASSWORD}
    )
    assert login.status_code == 400
    missing = await gateway.client.post(f"/v1/admin/users/{uuid.uuid4()}/disable", headers=admin)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_weak_passwords_and_taken_usernames_are_refused(gateway: Gateway) -> None:
    admin = await gateway.bearer()
    weak = await gateway.client.post(
        "/v1/admin/users",
        json={"username": "weakling", "password": "aaaaaaaaaaaaaaaa", "role": "viewer"},
        headers=admin,
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "password"
    taken = await gateway.client.post(
        "/v1/admin/users", json={"username": "admin", "password": PASSWORD, "role": "viewer"}, headers=admin
    )
    assert taken.status_code == 409


async def test_usernames_are_case_insensitive(gateway: Gateway) -> None:
    """`Admin` beside `admin` was two users; now it is one: refused as taken, and the user
    logs in whatever the case typed, keeping the name's own case."""
    admin = await gateway.bearer()
    clash = await gateway.client.post(
        "/v1/admin/users", json={"username": "ADMIN", "password": PASSWORD, "role": "viewer"}, headers=admin
    )
    assert clash.status_code == 409, clash.text
    name = f"Kim.{uuid.uuid4().hex[:6]}"
    created = await gateway.client.post(
        "/v1/admin/users", json={"username": name, "password": PASSWORD, "role": "viewer"}, headers=admin
    )
    assert created.status_code == 201, created.text
    again = await gateway.client.post(
        "/v1/admin/users",
        json={"username": name.lower(), "password": PASSWORD, "role": "dispatcher"},
        headers=admin,
    )
    assert again.status_code == 409
    for typed in (name, name.lower(), name.upper()):
        me = await gateway.client.get("/v1/auth/me", headers=await gateway.bearer(typed, PASSWORD))
        assert me.status_code == 200, typed
        assert (me.json()["name"], me.json()["role"]) == (name, "viewer")
    assert (await gateway.bearer("Admin"))["Authorization"].startswith("Bearer ")


async def test_a_device_token_posts_only_for_its_own_devices(gateway: Gateway) -> None:
    mine, other = device(), device()
    created = await gateway.credential("device-tokens", {"name": "terminal", "device_ids": [mine]})
    key = {"X-API-Key": created["token"]}
    assert (
        await gateway.client.post("/v1/telemetry/gps", json={"fixes": [fix(mine)]}, headers=key)
    ).status_code == 202
    bearer = {"Authorization": f"Bearer {created['token']}"}
    assert (
        await gateway.client.post("/v1/telemetry/gps", json={"fixes": [fix(mine)]}, headers=bearer)
    ).status_code == 202

    foreign = await gateway.client.post(
        "/v1/telemetry/gps", json={"fixes": [fix(mine), fix(other)]}, headers=key
    )
    assert foreign.status_code == 403
    assert foreign.headers["content-type"] == "application/problem+json"
    assert foreign.json()["devices"] == [other]
    assert (await gateway.client.get(f"/v1/vehicles/{mine}/state", headers=key)).status_code == 403
    assert (await gateway.client.get("/v1/admin/device-tokens", headers=key)).status_code == 403


async def test_revoked_device_tokens_and_api_keys_stop_working(gateway: Gateway) -> None:
    mine = device()
    admin = await gateway.bearer()
    token = await gateway.credential("device-tokens", {"name": "to revoke", "device_ids": [mine]})
    listed = (await gateway.client.get("/v1/admin/device-tokens", headers=admin)).json()
    assert token["id"] in [c["id"] for c in listed]
    assert all("token" not in c for c in listed), "the secret is shown once, on creation"
    assert (
        await gateway.client.delete(f"/v1/admin/device-tokens/{token['id']}", headers=admin)
    ).status_code == 204
    revoked = await gateway.client.post(
        "/v1/telemetry/gps", json={"fixes": [fix(mine)]}, headers={"X-API-Key": token["token"]}
    )
    assert revoked.status_code == 401
    assert revoked.headers["www-authenticate"].startswith("Bearer")

    key = await gateway.credential("api-keys", {"name": "erp", "permissions": ["assignments:read"]})
    assert (await gateway.client.delete(f"/v1/admin/api-keys/{key['id']}", headers=admin)).status_code == 204
    assert (await gateway.client.get("/v1/auth/me", headers={"X-API-Key": key["token"]})).status_code == 401
    assert (
        await gateway.client.delete(f"/v1/admin/api-keys/{uuid.uuid4()}", headers=admin)
    ).status_code == 404


async def test_an_api_key_has_exactly_its_named_permissions(gateway: Gateway) -> None:
    reader = await gateway.credential("api-keys", {"name": "erp", "permissions": ["assignments:read"]})
    key = {"X-API-Key": reader["token"]}
    assert (await gateway.client.get("/v1/vehicles/v1/state", headers=key)).status_code == 403
    assert (
        await gateway.client.post("/v1/telemetry/gps", json={"fixes": [fix(device())]}, headers=key)
    ).status_code == 403
    bound_device = device()
    ingest = await gateway.credential(
        "api-keys", {"name": "telematics", "permissions": ["telemetry:ingest"], "device_ids": [bound_device]}
    )
    ikey = {"X-API-Key": ingest["token"]}
    assert (
        await gateway.client.post("/v1/telemetry/gps", json={"fixes": [fix(bound_device)]}, headers=ikey)
    ).status_code == 202
    assert (
        await gateway.client.post("/v1/telemetry/gps", json={"fixes": [fix(device())]}, headers=ikey)
    ).status_code == 403


async def test_dev_mode_registers_the_documented_ingest_key(gateway: Gateway) -> None:
    key = {"X-API-Key": DEV_INGEST_KEY}
    assert (
        await gateway.client.post("/v1/telemetry/gps", json={"fixes": [fix(device())]}, headers=key)
    ).status_code == 202
    assert (await gateway.client.get("/v1/admin/api-keys", headers=key)).status_code == 403


async def test_both_credential_headers_at_once_are_refused(gateway: Gateway) -> None:
    headers = {**(await gateway.bearer()), "X-API-Key": DEV_INGEST_KEY}
    response = await gateway.client.get("/v1/auth/me", headers=headers)
    assert response.status_code == 401


async def test_a_tampered_or_foreign_jwt_is_refused(gateway: Gateway) -> None:
    from coldchain_gateway.security.tokens import issue_access

    forged, _ = issue_access(
        "some-other-secret-that-is-long-enough-xx",
        user_id="x",
        username="x",
        role="admin",
        family="f",
        ttl_s=60,
    )
    response = await gateway.client.get("/v1/admin/users", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["status"] == 401


def forged(settings_key: str, *, user_id: str, role: str = "admin", ttl_s: int = 600) -> dict[str, str]:
    """A token signed with the gateway's own (here: the dev) secret, as anyone knowing it could."""
    from coldchain_gateway.security.tokens import issue_access

    token, _ = issue_access(
        settings_key, user_id=user_id, username="forger", role=role, family=str(uuid.uuid4()), ttl_s=ttl_s
    )
    return {"Authorization": f"Bearer {token}"}


async def test_a_signed_token_with_a_ten_year_lifetime_is_refused(gateway: Gateway) -> None:
    key = gateway.app.state.settings.jwt_key()
    admin_id = (await gateway.client.get("/v1/auth/me", headers=await gateway.bearer())).json()["id"]
    assert (
        await gateway.client.get("/v1/admin/users", headers=forged(key, user_id=admin_id))
    ).status_code == 200
    response = await gateway.client.get(
        "/v1/admin/users", headers=forged(key, user_id=admin_id, ttl_s=10 * 365 * 86_400)
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


@pytest.mark.parametrize("subject", ["no-such-user", "00000000-0000-4000-8000-000000000000"])
async def test_a_signed_token_whose_subject_is_no_user_is_refused(gateway: Gateway, subject: str) -> None:
    headers = forged(gateway.app.state.settings.jwt_key(), user_id=subject)
    response = await gateway.client.get("/v1/admin/users", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_signed_token_claiming_another_role_than_the_users_is_refused(gateway: Gateway) -> None:
    _, viewer = await gateway.user("viewer")
    viewer_id = (await gateway.client.get("/v1/auth/me", headers=viewer)).json()["id"]
    headers = forged(gateway.app.state.settings.jwt_key(), user_id=viewer_id, role="admin")
    assert (await gateway.client.get("/v1/admin/users", headers=headers)).status_code == 401


async def test_a_disabled_users_tokens_stop_even_outside_their_session(gateway: Gateway) -> None:
    _, headers = await gateway.user("viewer")
    user_id = (await gateway.client.get("/v1/auth/me", headers=headers)).json()["id"]
    admin = await gateway.bearer()
    assert (await gateway.client.post(f"/v1/admin/users/{user_id}/disable", headers=admin)).status_code == 204
    other_session = forged(gateway.app.state.settings.jwt_key(), user_id=user_id, role="viewer")
    assert (await gateway.client.get("/v1/auth/me", headers=other_session)).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/v1/admin/users",
            {
                "username": "x-by-dev-key",
                "password": "a long passphrase 42",  # pragma: allowlist secret
                "role": "admin",
            },
        ),
        ("POST", "/v1/admin/api-keys", {"name": "x", "permissions": ["orders:read"]}),
        ("POST", "/v1/dispatch/plans", {}),
    ],
)
async def test_the_dev_key_has_only_its_documented_rights(
    gateway: Gateway, method: str, path: str, body: dict[str, object]
) -> None:
    response = await gateway.client.request(method, path, json=body, headers={"X-API-Key": DEV_INGEST_KEY})
    assert response.status_code == 403
    assert response.json()["required"] in {"users:manage", "credentials:manage", "plans:write"}
