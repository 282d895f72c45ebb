"""Writing sites: the orders service owns them and publishes each change on `fleet.sites.v1`.

A write is synchronous (the gateway forwards it over HTTP) so the caller learns at
once about a taken code. The new record and its outbox row share one transaction; a
write that changes nothing publishes nothing, so a retried PUT is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from coldchain_contracts import SiteUpserted, new_event_id
from coldchain_orders import repository as repo

_ENVELOPE = {"event_id", "occurred_at", "producer", "correlation_id", "causation_id"}


class SiteNotFound(LookupError):
    pass


class SiteCodeTaken(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SiteWrite:
    site: SiteUpserted
    created: bool
    changed: bool


def _content(site: SiteUpserted) -> dict[str, Any]:
    return site.model_dump(exclude=_ENVELOPE)


async def write_site(
    conn: AsyncConnection,
    site_id: str,
    fields: dict[str, Any],
    *,
    partial: bool,
    now: datetime,
    trace: str | None = None,
) -> SiteWrite:
    """Create or replace (`partial=False`) or change some fields of (`partial=True`) a site.

    Raises pydantic's ValidationError for an invalid result, SiteNotFound for a partial
    write to an unknown site, SiteCodeTaken when another site has the code.
    """
    current = await repo.lock_site(conn, site_id)
    if partial and current is None:
        raise SiteNotFound(site_id)
    base = _content(current[0]) if (current and partial) else {}
    record = SiteUpserted.model_validate(
        {
            "code": site_id,
            **base,
            **fields,
            "site_id": site_id,
            "producer": "orders",
            "event_id": new_event_id(),
            "occurred_at": now,
        }
    )
    if current is not None and _content(current[0]) == _content(record):
        return SiteWrite(current[0], created=False, changed=False)
    version = current[1] + 1 if current else 1
    try:
        async with conn.begin_nested():
            await repo.save_site(conn, record, version, trace, now)
    except IntegrityError as exc:
        raise SiteCodeTaken(f"site code {record.code!r} belongs to another site") from exc
    return SiteWrite(record, created=current is None, changed=True)
