"""Sites through the gateway: the orders service owns them, writes are forwarded to it.

Site writes are synchronous (unlike orders): they are rare reference data, and the
caller learns at once about an invalid field or a code already taken. The orders
service stores the site and publishes it on `fleet.sites.v1` through its outbox.

Each route names the permission it will require once authentication is integrated.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Header, Path, Query, Request, Response, UploadFile
from pydantic import AfterValidator

from coldchain_contracts import SiteRole
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN, TEXT_PATTERN
from coldchain_gateway.json_bounds import checked_json
from coldchain_gateway.openapi_docs import PROTECTED, problem_responses
from coldchain_gateway.schemas import MAX_OFFSET
from coldchain_gateway.security.guard import RateClass, require
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.settings import GatewaySettings
from coldchain_gateway.uploads import forward_import
from coldchain_gateway.upstream import forward

router = APIRouter(
    prefix="/v1/sites", tags=["sites"], responses=problem_responses(*PROTECTED, 404, 409, 415, 502, 503)
)
SiteId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]
SITE_EXAMPLE: dict[str, Any] = {
    "name": "Icheon cold storage hub",
    "address": "Majang-myeon, Icheon-si, Gyeonggi-do",
    "latitude": 37.2343,
    "longitude": 127.3589,
    "role": "pickup",
    "zones": ["frozen", "chilled"],
    "opening_hours": [{"weekday": 0, "opens": "05:00", "closes": "22:00"}],
    "loading_minutes": 45,
    "forklift": "available",
    "contact": {"name": "Kim", "phone": "+82-31-000-0000"},
}
# Validated by the orders service; here only what could not even reach it intact (json_bounds).
SiteBody = Annotated[dict[str, Any], AfterValidator(checked_json), Body(examples=[SITE_EXAMPLE])]


def _client(request: Request) -> Any:
    return request.app.state.orders


def _trace(traceparent: str | None) -> dict[str, str]:
    return {"traceparent": traceparent} if traceparent else {}


@router.get(
    "", summary="Sites, filtered and paginated", dependencies=[require(Permission.SITES_READ, RateClass.READ)]
)
async def list_sites(
    request: Request,
    q: Annotated[str | None, Query(max_length=100, pattern=TEXT_PATTERN)] = None,
    role: SiteRole | None = None,
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Response:
    params = {
        "q": q,
        "role": role.value if role else None,
        "active": active,
        "limit": limit,
        "offset": offset,
    }
    return await forward(_client(request), "orders", "GET", "/v1/sites", params=params)


@router.post(
    "/import",
    summary="Import sites from a CSV or XLSX file; the answer reports every row",
    dependencies=[require(Permission.SITES_WRITE, RateClass.WRITE)],
    responses=problem_responses(415),
)
async def import_sites(
    request: Request, file: Annotated[UploadFile, File(description="sites.csv or sites.xlsx")]
) -> Response:
    settings: GatewaySettings = request.app.state.settings
    return await forward_import(request, "sites", file, settings)


@router.get(
    "/import/template.{fmt}",
    summary="Template for the sites import",
    dependencies=[require(Permission.SITES_READ, RateClass.READ)],
)
async def sites_template(request: Request, fmt: Literal["csv", "xlsx"]) -> Response:
    return await forward(_client(request), "orders", "GET", f"/v1/imports/sites/template.{fmt}")


@router.get(
    "/export.{fmt}",
    summary="Sites as a sites import file (CSV or XLSX; formula-looking text neutralised)",
    dependencies=[require(Permission.SITES_READ, RateClass.READ)],
)
async def export_sites(request: Request, fmt: Literal["csv", "xlsx"], active: bool | None = True) -> Response:
    return await forward(
        _client(request), "orders", "GET", f"/v1/sites/export.{fmt}", params={"active": active}
    )


@router.get("/{site_id}", summary="One site", dependencies=[require(Permission.SITES_READ, RateClass.READ)])
async def get_site(site_id: SiteId, request: Request) -> Response:
    return await forward(_client(request), "orders", "GET", f"/v1/sites/{site_id}")


@router.put(
    "/{site_id}",
    summary="Create or replace a site (201 created, 200 replaced)",
    dependencies=[require(Permission.SITES_WRITE, RateClass.WRITE)],
)
async def put_site(
    site_id: SiteId, site: SiteBody, request: Request, traceparent: Annotated[str | None, Header()] = None
) -> Response:
    return await forward(
        _client(request), "orders", "PUT", f"/v1/sites/{site_id}", json=site, headers=_trace(traceparent)
    )


@router.patch(
    "/{site_id}",
    summary="Change some fields of a site",
    dependencies=[require(Permission.SITES_WRITE, RateClass.WRITE)],
)
async def patch_site(
    site_id: SiteId, site: SiteBody, request: Request, traceparent: Annotated[str | None, Header()] = None
) -> Response:
    return await forward(
        _client(request), "orders", "PATCH", f"/v1/sites/{site_id}", json=site, headers=_trace(traceparent)
    )


@router.delete(
    "/{site_id}", summary="Deactivate a site", dependencies=[require(Permission.SITES_WRITE, RateClass.WRITE)]
)
async def delete_site(
    site_id: SiteId, request: Request, traceparent: Annotated[str | None, Header()] = None
) -> Response:
    return await forward(
        _client(request), "orders", "DELETE", f"/v1/sites/{site_id}", headers=_trace(traceparent)
    )
