"""Every route of the app, called by every kind of caller: anonymous, each role, a device
token and an integration key. A route without a declared permission that is not on the
public allow-list fails this test, so new routes cannot ship unprotected by accident."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant

from coldchain_gateway.app import DOCS_ROUTES, PUBLIC_ROUTES
from coldchain_gateway.security.permissions import DEVICE_PERMISSIONS, ROLE_PERMISSIONS, Permission, Role
from coldchain_gateway.security.tokens import issue_access

from .conftest import Gateway, OpenGateway

pytestmark = pytest.mark.integration
P = Permission
# The permission each current route needs; routes added later are checked from their own
# declaration, but an existing route's requirement cannot change silently.
PINNED: dict[tuple[str, str], Permission] = {
    ("POST", "/v1/telemetry/gps"): P.TELEMETRY_INGEST,
    ("GET", "/v1/vehicles/{vehicle_id}/state"): P.VEHICLES_READ,
    ("GET", "/v1/vehicles/{vehicle_id}/positions"): P.VEHICLES_READ,
    ("POST", "/v1/auth/logout"): P.SESSION,
    ("GET", "/v1/auth/me"): P.SESSION,
    ("POST", "/v1/admin/users"): P.USERS_MANAGE,
    ("GET", "/v1/admin/users"): P.USERS_MANAGE,
    ("POST", "/v1/admin/users/{user_id}/disable"): P.USERS_MANAGE,
    ("POST", "/v1/admin/device-tokens"): P.CREDENTIALS_MANAGE,
    ("GET", "/v1/admin/device-tokens"): P.CREDENTIALS_MANAGE,
    ("DELETE", "/v1/admin/device-tokens/{credential_id}"): P.CREDENTIALS_MANAGE,
    ("POST", "/v1/admin/api-keys"): P.CREDENTIALS_MANAGE,
    ("GET", "/v1/admin/api-keys"): P.CREDENTIALS_MANAGE,
    ("DELETE", "/v1/admin/api-keys/{credential_id}"): P.CREDENTIALS_MANAGE,
    # Vehicle master data: reads for every role, writes for admins only.
    ("GET", "/v1/fleet/vehicles"): P.VEHICLES_READ,
    ("GET", "/v1/fleet/vehicles/{vehicle_id}"): P.VEHICLES_READ,
    ("GET", "/v1/fleet/vehicles/import/template.{fmt}"): P.VEHICLES_READ,
    ("PUT", "/v1/fleet/vehicles/{vehicle_id}"): P.VEHICLES_WRITE,
    ("PATCH", "/v1/fleet/vehicles/{vehicle_id}"): P.VEHICLES_WRITE,
    ("DELETE", "/v1/fleet/vehicles/{vehicle_id}"): P.VEHICLES_WRITE,
    ("POST", "/v1/fleet/vehicles/import"): P.VEHICLES_WRITE,
}
INTEGRATION_PERMISSIONS = frozenset({P.ASSIGNMENTS_READ, P.VEHICLES_READ})
CALLERS: dict[str, frozenset[Permission]] = {
    **{role.value: ROLE_PERMISSIONS[role] for role in Role},
    "device": DEVICE_PERMISSIONS,
    "integration": INTEGRATION_PERMISSIONS,
}


def declared_permissions(dependant: Dependant) -> Iterator[Permission | None]:
    for dep in dependant.dependencies:
        if hasattr(dep.call, "permission"):
            yield getattr(dep.call, "permission")  # noqa: B009 - set by require() on its guard
        yield from declared_permissions(dep)


def flat_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """FastAPI (0.16x) keeps included routers as branches; their effective routes carry the
    full path and the dependencies of every level."""
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from flat_routes(route.effective_candidates())
        else:
            yield route


def endpoints(app: FastAPI) -> Iterator[tuple[str, str, list[Permission | None]]]:
    for route in flat_routes(app.routes):
        dependant = getattr(route, "dependant", None)
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                permissions = list(declared_permissions(dependant)) if dependant else []
                yield method, route.path, permissions


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


async def caller_credentials(gw: Gateway) -> dict[str, Callable[[], dict[str, str]]]:
    """Per caller, a function giving headers for one request. Users are real rows; each
    call gets a fresh session (token family), so a logout in one row does not affect the next."""
    settings = gw.app.state.settings
    made: dict[str, Callable[[], dict[str, str]]] = {}
    for role in Role:
        name, headers = await gw.user(role.value)
        me = (await gw.client.get("/v1/auth/me", headers=headers)).json()

        def fresh(user_id: str = me["id"], username: str = name, role: str = role.value) -> dict[str, str]:
            token, _ = issue_access(
                settings.jwt_key(),
                user_id=user_id,
                username=username,
                role=role,
                family=str(uuid.uuid4()),
                ttl_s=60,
            )
            return {"Authorization": f"Bearer {token}"}

        made[role.value] = fresh
    device = await gw.credential("device-tokens", {"name": "table", "device_ids": ["table-device"]})
    made["device"] = lambda: {"X-API-Key": device["token"]}
    key = await gw.credential("api-keys", {"name": "table", "permissions": sorted(INTEGRATION_PERMISSIONS)})
    made["integration"] = lambda: {"X-API-Key": key["token"]}
    return made


async def test_every_route_is_public_or_declares_a_permission_that_is_enforced(
    open_gateway: OpenGateway,
) -> None:
    async with open_gateway() as gw:
        app = gw.app
        found = list(endpoints(app))
        openapi_paths = {
            (method.upper(), path) for path, ops in app.openapi()["paths"].items() for method in ops
        }
        assert openapi_paths <= {(m, p) for m, p, _ in found}, "the walk covers every OpenAPI route"
        assert {k for k in PINNED} <= {(m, p) for m, p, _ in found}, "pinned routes exist"

        checked: list[tuple[str, str, str, int]] = []
        credentials = await caller_credentials(gw)
        for method, path, permissions in found:
            if not permissions:
                assert path in PUBLIC_ROUTES | DOCS_ROUTES, (
                    f"{method} {path} has no permission and is not public"
                )
                response = await gw.client.request(method, concrete(path), data={"grant_type": "password"})
                assert response.status_code not in (401, 403), f"public {method} {path}"
                continue
            assert len(permissions) == 1, f"{method} {path} declares {permissions}"
            [permission] = permissions
            if (method, path) in PINNED:
                assert permission == PINNED[(method, path)], f"{method} {path} changed its permission"
            url = concrete(path)
            anonymous = await gw.client.request(method, url)
            assert anonymous.status_code == 401, f"anonymous {method} {path}: {anonymous.status_code}"
            assert anonymous.headers["www-authenticate"].startswith("Bearer")
            for caller, granted in CALLERS.items():
                response = await gw.client.request(method, url, headers=credentials[caller]())
                allowed = permission is None or permission in granted
                if allowed:
                    assert response.status_code not in (401, 403), (
                        f"{caller} {method} {path}: {response.text}"
                    )
                else:
                    assert response.status_code == 403, f"{caller} {method} {path}: {response.status_code}"
                    assert response.headers["content-type"] == "application/problem+json"
                checked.append((caller, method, path, response.status_code))
        assert len(checked) == len(CALLERS) * sum(1 for _, _, p in found if p)


def test_vehicle_writes_are_the_admins_alone() -> None:
    """vehicles:write guards every vehicle write, and only the admin role holds it."""
    holders = {role for role, granted in ROLE_PERMISSIONS.items() if P.VEHICLES_WRITE in granted}
    assert holders == {Role.ADMIN}
    writes = [k for k, p in PINNED.items() if p is P.VEHICLES_WRITE]
    assert {m for m, _ in writes} == {"PUT", "PATCH", "DELETE", "POST"}


def test_the_role_table_matches_the_issue() -> None:
    admin, dispatcher, viewer = (ROLE_PERMISSIONS[r] for r in Role)
    assert {P.USERS_MANAGE, P.CREDENTIALS_MANAGE, P.VEHICLES_WRITE, P.SETTINGS_WRITE} <= admin
    assert {P.ORDERS_WRITE, P.SITES_WRITE, P.PLANS_WRITE} <= dispatcher
    assert not {P.USERS_MANAGE, P.CREDENTIALS_MANAGE} & dispatcher
    assert all(p.value.endswith(":read") or p is P.SESSION for p in viewer)
    assert P.TELEMETRY_INGEST not in admin | dispatcher | viewer, "users do not post telemetry"
    assert {P.TELEMETRY_INGEST} == DEVICE_PERMISSIONS
