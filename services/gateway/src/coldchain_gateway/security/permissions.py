"""Roles and permissions: the one table that says who may do what.

Routes declare the permission they need (`require(Permission.ORDERS_WRITE, ...)`),
never a role, so adding a route never means touching the role logic. API keys carry
permissions directly; device tokens carry only `telemetry:ingest`, limited to their
devices.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    SESSION = "session:self"  # a user's own session: who am I, log out
    TELEMETRY_INGEST = "telemetry:ingest"
    VEHICLES_READ = "vehicles:read"
    VEHICLES_WRITE = "vehicles:write"
    DEVICES_READ = "devices:read"
    DEVICES_WRITE = "devices:write"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"
    SITES_READ = "sites:read"
    SITES_WRITE = "sites:write"
    PLANS_READ = "plans:read"
    PLANS_WRITE = "plans:write"
    ASSIGNMENTS_READ = "assignments:read"
    NOTIFICATIONS_READ = "notifications:read"
    NOTIFICATIONS_WRITE = "notifications:write"
    ALERTS_ACKNOWLEDGE = "alerts:acknowledge"
    SETTINGS_READ = "settings:read"
    SETTINGS_WRITE = "settings:write"
    USERS_MANAGE = "users:manage"
    CREDENTIALS_MANAGE = "credentials:manage"


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    VIEWER = "viewer"


READ_ALL = frozenset(
    {
        Permission.SESSION,
        Permission.VEHICLES_READ,
        Permission.DEVICES_READ,
        Permission.ORDERS_READ,
        Permission.SITES_READ,
        Permission.PLANS_READ,
        Permission.ASSIGNMENTS_READ,
        Permission.NOTIFICATIONS_READ,
        Permission.SETTINGS_READ,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: READ_ALL
    | {
        Permission.USERS_MANAGE,
        Permission.CREDENTIALS_MANAGE,
        Permission.VEHICLES_WRITE,
        Permission.DEVICES_WRITE,
        Permission.SETTINGS_WRITE,
        Permission.NOTIFICATIONS_WRITE,
        Permission.ALERTS_ACKNOWLEDGE,
    },
    Role.DISPATCHER: READ_ALL
    | {
        Permission.ORDERS_WRITE,
        Permission.SITES_WRITE,
        Permission.PLANS_WRITE,
        Permission.NOTIFICATIONS_WRITE,
        Permission.ALERTS_ACKNOWLEDGE,
    },
    Role.VIEWER: READ_ALL,
}

DEVICE_PERMISSIONS = frozenset({Permission.TELEMETRY_INGEST})
"""What a device token may do, whatever else is asked for it."""
