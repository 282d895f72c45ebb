"""Start-up of the security side: refuse insecure configuration, create the first admin,
and in dev mode register the documented ingest key for the simulator."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from coldchain_gateway.security import store
from coldchain_gateway.security.passwords import hash_password, weakness
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.settings import DEV_ADMIN_PASSWORD, DEV_INGEST_KEY, DEV_JWT_SECRET, GatewaySettings
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN, MIN_TOKEN_LENGTH
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
MIN_JWT_SECRET_BYTES = 32
# The simulator posts telemetry and seeds sites and orders with it.
DEV_INGEST_PERMISSIONS = [
    Permission.TELEMETRY_INGEST.value,
    Permission.VEHICLES_READ.value,
    Permission.SITES_READ.value,
    Permission.SITES_WRITE.value,
    Permission.ORDERS_READ.value,
    Permission.ORDERS_WRITE.value,
]


class InsecureConfiguration(RuntimeError):
    """The gateway must not start like this; the message lists every problem and its fix."""


def configuration_problems(settings: GatewaySettings) -> list[str]:
    """Empty in dev mode, where the documented defaults are allowed."""
    if settings.dev_mode:
        return []
    problems = []
    secret = settings.jwt_key()
    if len(secret.encode()) < MIN_JWT_SECRET_BYTES or secret == DEV_JWT_SECRET:
        problems.append(f"GATEWAY_JWT_SECRET must be set to at least {MIN_JWT_SECRET_BYTES} random bytes")
    password = settings.first_admin_password()
    if not password:
        problems.append("GATEWAY_ADMIN_PASSWORD must be set (the first admin is created from it)")
    elif password == DEV_ADMIN_PASSWORD:
        problems.append("GATEWAY_ADMIN_PASSWORD is the dev-mode default")
    elif reason := weakness(password, settings.admin_username):
        problems.append(f"GATEWAY_ADMIN_PASSWORD is weak: {reason}")
    if settings.dev_ingest_key is not None:
        problems.append("GATEWAY_DEV_INGEST_KEY is for dev mode only; create keys with /v1/admin/api-keys")
    if not settings.public_metrics and settings.metrics_token is None:
        problems.append("GATEWAY_PUBLIC_METRICS=false needs GATEWAY_METRICS_TOKEN")
    internal = settings.internal_token.get_secret_value() if settings.internal_token else ""
    if len(internal) < MIN_TOKEN_LENGTH or internal == DEV_INTERNAL_TOKEN:
        problems.append(
            f"COLDCHAIN_INTERNAL_TOKEN must be a secret of at least {MIN_TOKEN_LENGTH} characters "
            "(not the dev one), the same for every service"
        )
    return problems


def check_configuration(settings: GatewaySettings) -> None:
    problems = configuration_problems(settings)
    if problems:
        raise InsecureConfiguration(
            "refusing to start outside dev mode (GATEWAY_DEV_MODE=false): " + "; ".join(problems)
        )
    if settings.dev_mode:
        log.warning("DEV MODE: documented default secrets are accepted; never expose this gateway")


async def ensure_first_admin(engine: AsyncEngine, settings: GatewaySettings) -> None:
    if await store.any_admin(engine):
        return
    password = settings.first_admin_password()
    created = await store.create_user(engine, settings.admin_username, await hash_password(password), "admin")
    if created is not None:
        dev_note = " with the dev-mode default password" if password == DEV_ADMIN_PASSWORD else ""
        log.warning(f"first admin created{dev_note}", username=settings.admin_username)


async def ensure_dev_ingest_key(engine: AsyncEngine, settings: GatewaySettings) -> None:
    key = settings.ingest_key()
    if key is None:
        return
    created = await store.create_credential(
        engine,
        kind="integration",
        name="dev ingest key (simulator)",
        token=key,
        permissions=DEV_INGEST_PERMISSIONS,
        device_ids=[],
    )
    if created is not None:
        note = "the documented default" if key == DEV_INGEST_KEY else "GATEWAY_DEV_INGEST_KEY"
        log.warning(f"dev ingest key registered ({note})", id=str(created.id))
