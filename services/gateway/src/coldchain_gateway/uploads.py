"""Import uploads: the file is forwarded to the orders service, which validates every row."""

from __future__ import annotations

from typing import Literal

from fastapi import HTTPException, Request, Response, UploadFile

from coldchain_gateway.idempotency import operator_of, principal_of
from coldchain_gateway.settings import GatewaySettings
from coldchain_gateway.upstream import forward


async def forward_import(
    request: Request,
    kind: Literal["orders", "sites", "vehicles"],
    file: UploadFile,
    settings: GatewaySettings,
) -> Response:
    """Send the uploaded file to the orders service, which validates every row synchronously."""
    name = (file.filename or "").lower()
    if name.endswith(".xlsx"):
        fmt = "xlsx"
    elif name.endswith(".csv") or (file.content_type or "").startswith("text/"):
        fmt = "csv"
    else:
        raise HTTPException(415, "Upload a .csv or .xlsx file")
    data = await file.read(settings.import_max_bytes + 1)
    if len(data) > settings.import_max_bytes:
        raise HTTPException(413, f"The file is larger than {settings.import_max_bytes} bytes")
    params = {"format": fmt, "operator_id": operator_of(request), "requested_by": principal_of(request)}
    return await forward(
        request.app.state.orders,
        "orders",
        "POST",
        f"/v1/imports/{kind}",
        params=params,
        content=data,
        headers={"content-type": "application/octet-stream"},
        timeout_s=settings.import_timeout_s,
    )
