"""HTTP client of the UVIS terminal service: the access key and the two account-wide lists.

The access key (5 minutes) is fetched from the company serial key and reused until
`key_ttl_s` (default 4 minutes) has passed, or until UVIS refuses it: an HTTP 401/403,
or a JSON object where the list belongs (UVIS answers a refused key with a message
object, not with a list). Each call is tried `attempts` times; timeouts, connection
errors, 5xx and non-JSON answers count in `ingest_uvis_call_failures_total` and are retried.

The serial key and the access key travel in the query string, so they never appear in
logs: httpx's request log is silenced and only the method name is logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
from prometheus_client import Counter
from pydantic import SecretStr

from coldchain_ingest.protocols.uvis.parsing import NotJson, access_key, parse_json
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)
CALL_FAILURES = Counter(
    "ingest_uvis_call_failures_total", "UVIS calls that failed, by call and reason", ["call", "reason"]
)
KEYS_FETCHED = Counter("ingest_uvis_access_keys_total", "UVIS access keys obtained")
GPS, TEMPERATURE = "01", "02"  # GUBUN

logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO line carries the full URL, keys included


class UvisUnavailable(Exception):
    """A call failed on every attempt."""


class _Retry(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class UvisClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        serial_key: SecretStr,
        *,
        key_ttl_s: float = 240.0,
        attempts: int = 3,
        retry_delay_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._serial_key = serial_key
        self._key_ttl_s = key_ttl_s
        self._attempts = max(1, attempts)
        self._retry_delay_s = retry_delay_s
        self._clock = clock
        self._key: str | None = None
        self._key_at = 0.0

    async def gps(self) -> list[Any]:
        return await self._device_list(GPS)

    async def temperatures(self) -> list[Any]:
        return await self._device_list(TEMPERATURE)

    def forget_key(self) -> None:
        self._key = None

    async def _device_list(self, gubun: str) -> list[Any]:
        call = f"getDeviceAPI/{gubun}"
        last = "no attempt"
        for attempt in range(1, self._attempts + 1):
            try:
                key = await self._access_key()
                payload = await self._get_json(
                    call, "SSOAction.do", {"method": "getDeviceAPI", "AccessKey": key, "GUBUN": gubun}
                )
                if isinstance(payload, list):
                    return payload
                self.forget_key()
                raise _Retry(
                    "key_refused", f"a {type(payload).__name__} instead of a list: {str(payload)[:200]}"
                )
            except _Retry as exc:
                last = f"{exc.reason}: {exc}"
                CALL_FAILURES.labels(call, exc.reason).inc()
                log.warning(
                    "uvis call failed", call=call, attempt=attempt, reason=exc.reason, detail=str(exc)[:300]
                )
                if attempt < self._attempts and exc.reason != "key_refused":
                    await asyncio.sleep(self._retry_delay_s)
        raise UvisUnavailable(f"{call} failed {self._attempts} times; last: {last}")

    async def _access_key(self) -> str:
        if self._key is not None and self._clock() - self._key_at < self._key_ttl_s:
            return self._key
        call = "GetAccessKeyWithValues"
        for attempt in range(1, self._attempts + 1):
            try:
                payload = await self._get_json(
                    call,
                    "InterfaceAction.do",
                    {"method": call, "SerialKey": self._serial_key.get_secret_value()},
                )
                key = access_key(payload)
                if key is None:
                    raise _Retry("no_access_key", f"no AccessKey in {str(payload)[:200]}")
            except _Retry as exc:
                CALL_FAILURES.labels(call, exc.reason).inc()
                log.warning(
                    "uvis call failed", call=call, attempt=attempt, reason=exc.reason, detail=str(exc)[:300]
                )
                if attempt < self._attempts:
                    await asyncio.sleep(self._retry_delay_s)
                continue
            self._key, self._key_at = key, self._clock()
            KEYS_FETCHED.inc()
            return key
        raise UvisUnavailable(f"{call} failed {self._attempts} times")

    async def _get_json(self, call: str, action: str, params: dict[str, str]) -> Any:
        try:
            response = await self._http.get(f"{self._base}/{action}", params=params)
        except httpx.TimeoutException:
            raise _Retry("timeout", f"{call} timed out") from None
        except httpx.TransportError as exc:
            raise _Retry("connection", f"{call}: {type(exc).__name__}") from None
        if response.status_code in (401, 403):
            self.forget_key()
            raise _Retry("key_refused", f"{call}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise _Retry("http_status", f"{call}: HTTP {response.status_code}")
        try:
            return parse_json(response.content, response.charset_encoding)
        except NotJson as exc:
            raise _Retry("not_json", str(exc)) from None
