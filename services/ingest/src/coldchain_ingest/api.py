"""Ingest's internal query API: the device registry (the gateway forwards `GET /v1/devices`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from pydantic import BaseModel

from coldchain_contracts import DeviceOptions
from coldchain_contracts.identifiers import ID_MAX_LENGTH, ID_PATTERN
from coldchain_ingest.registry import DeviceEntry, DeviceRegistry

router = APIRouter(prefix="/v1/devices", tags=["devices"])
DeviceId = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]


class DeviceOut(BaseModel):
    device_id: str
    vehicle_id: str | None
    protocol: str
    options: DeviceOptions
    active: bool
    updated_at: datetime

    @classmethod
    def of(cls, entry: DeviceEntry) -> DeviceOut:
        return cls(
            device_id=entry.device_id,
            vehicle_id=entry.vehicle_id,
            protocol=entry.protocol,
            options=entry.options,
            active=entry.active,
            updated_at=entry.updated_at,
        )


class DeviceList(BaseModel):
    devices: list[DeviceOut]


def _registry(request: Request) -> DeviceRegistry:
    registry: DeviceRegistry = request.app.state.device_registry
    return registry


@router.get("", summary="Every registered device")
async def list_devices(request: Request) -> DeviceList:
    return DeviceList(devices=[DeviceOut.of(e) for e in await _registry(request).all()])


@router.get(
    "/{device_id}", summary="One registered device", responses={404: {"description": "Not registered"}}
)
async def get_device(device_id: DeviceId, request: Request) -> DeviceOut:
    entry = await _registry(request).get(device_id)
    if entry is None:
        raise HTTPException(404, f"Device {device_id} is not registered")
    return DeviceOut.of(entry)
