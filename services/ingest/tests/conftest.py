"""A fake UVIS terminal service speaking the format of shared/DOMAIN.md over real HTTP.

It issues access keys that expire after `key_ttl_s`, answers a refused or expired key
with a message object instead of the list (as UVIS does), and can be told to answer the
next calls with something that is not JSON, an HTTP 500, or nothing in time.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from coldchain_devtools.testing import free_port
from coldchain_ingest.protocols.osmand.server import EmbeddedServer

SERIAL = "SERIAL-TEST-0001"


class FakeUvis:
    def __init__(self, key_ttl_s: float = 300.0) -> None:
        self.key_ttl_s = key_ttl_s
        self.keys: dict[str, float] = {}
        self.gps: list[dict[str, str]] = []
        self.temperatures: list[dict[str, str]] = []
        self.faults: list[str] = []  # "not_json", "timeout", "500", "none": one per call
        self.calls: list[tuple[str, str]] = []  # (method, outcome)
        self.timeout_s = 2.0
        self._serial = itertools.count(1)
        self.app = Starlette(
            routes=[
                Route("/uvis/InterfaceAction.do", self.interface_action),
                Route("/uvis/SSOAction.do", self.sso_action),
            ]
        )

    def expire_keys(self) -> None:
        self.keys.clear()

    async def _fault(self, method: str) -> Response | None:
        if not self.faults:
            return None
        fault = self.faults.pop(0)
        if fault == "none":
            return None
        self.calls.append((method, fault))
        if fault == "timeout":
            await asyncio.sleep(self.timeout_s)
            return Response("[]", media_type="application/json")
        if fault == "500":
            return Response("Internal Server Error", status_code=500, media_type="text/plain")
        return Response("<html><body>잠시 후 다시 시도해 주세요</body></html>", media_type="text/html")

    async def interface_action(self, request: Request) -> Response:
        method = request.query_params.get("method", "")
        fault = await self._fault(method)
        if fault is not None:
            return fault
        if method != "GetAccessKeyWithValues" or request.query_params.get("SerialKey") != SERIAL:
            self.calls.append((method, "refused"))
            return JSONResponse({"RESULT": "FAIL", "MSG": "invalid serial key"})
        key = f"KEY{next(self._serial):04d}"
        self.keys[key] = time.monotonic() + self.key_ttl_s
        self.calls.append((method, "ok"))
        body: Any = [{"AccessKey": key}] if len(self.keys) % 2 else {"AccessKey": key}
        return JSONResponse(body)

    async def sso_action(self, request: Request) -> Response:
        params = request.query_params
        method = f"getDeviceAPI/{params.get('GUBUN')}"
        fault = await self._fault(method)
        if fault is not None:
            return fault
        expires = self.keys.get(params.get("AccessKey", ""))
        if params.get("method") != "getDeviceAPI" or expires is None or expires < time.monotonic():
            self.calls.append((method, "key_refused"))
            return JSONResponse({"RESULT": "FAIL", "MSG": "AccessKey is not valid"})
        self.calls.append((method, "ok"))
        rows = {"01": self.gps, "02": self.temperatures}.get(params.get("GUBUN", ""), [])
        # A Korean server: CP949, declared in the header.
        return Response(
            json.dumps(rows, ensure_ascii=False).encode("cp949"),
            media_type="application/json; charset=cp949",
        )


@pytest.fixture
async def fake_uvis() -> AsyncIterator[tuple[FakeUvis, str]]:
    fake = FakeUvis()
    server = EmbeddedServer("fake-uvis", fake.app, "127.0.0.1", free_port())
    await server.start()
    try:
        yield fake, f"http://127.0.0.1:{server.port}/uvis"
    finally:
        await server.stop()


def gps_row(
    terminal: str, date: str, time_: str, lat: str = "37.4979", lon: str = "127.0276", speed: str = "42"
) -> dict[str, str]:
    return {
        "TID_ID": terminal,
        "CM_NUMBER": "서울12가3456",
        "BI_DATE": date,
        "BI_TIME": time_,
        "BI_TURN_ONOFF": "1",
        "BI_X_POSITION": lat,
        "BI_Y_POSITION": lon,
        "BI_GPS_SPEED": speed,
    }


def temp_row(terminal: str, date: str, time_: str, a: tuple[str, str] = ("1", "18.5")) -> dict[str, str]:
    return {
        "OFF_KEY": "C0042     ",
        "TID_ID": terminal,
        "CM_NUMBER": "서울12가3456",
        "TPL_DATE": date,
        "TPL_TIME": time_,
        "TPL_X_POSITION": "37.4979",
        "TPL_Y_POSITION": "127.0276",
        "TPL_SIGNAL_A": a[0],
        "TPL_DEGREE_A": a[1],
        "TPL_SIGNAL_B": "0",
        "TPL_DEGREE_B": "NOUSE",
    }


@pytest.fixture
def uvis_rows() -> Any:
    """The row builders, for tests (conftest modules cannot be imported under importlib mode)."""
    return type("Rows", (), {"gps": staticmethod(gps_row), "temp": staticmethod(temp_row), "serial": SERIAL})
