"""The UVIS client against the fake UVIS server over real HTTP: keys, retries, faults."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from coldchain_ingest.protocols.uvis.client import UvisClient, UvisUnavailable

pytestmark = pytest.mark.component


def failures(call: str, reason: str) -> float:
    value = REGISTRY.get_sample_value("ingest_uvis_call_failures_total", {"call": call, "reason": reason})
    return value or 0.0


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make_client(
    http: httpx.AsyncClient, url: str, serial: str, clock: Clock, attempts: int = 3
) -> UvisClient:
    return UvisClient(
        http, url, SecretStr(serial), key_ttl_s=240, attempts=attempts, retry_delay_s=0.01, clock=clock
    )


async def test_pulls_both_lists_with_one_key(fake_uvis: Any, uvis_rows: Any) -> None:
    fake, url = fake_uvis
    fake.gps = [uvis_rows.gps("T1", "20261126", "083015")]
    fake.temperatures = [uvis_rows.temp("T1", "20261126", "083015")]
    async with httpx.AsyncClient(timeout=0.5) as http:
        client = make_client(http, url, uvis_rows.serial, Clock())
        assert (await client.gps())[0]["CM_NUMBER"] == "서울12가3456"
        assert (await client.temperatures())[0]["TPL_DEGREE_B"] == "NOUSE"
    assert [c for c in fake.calls if c[0] == "GetAccessKeyWithValues"] == [("GetAccessKeyWithValues", "ok")]


async def test_key_is_renewed_before_it_expires(fake_uvis: Any, uvis_rows: Any) -> None:
    fake, url = fake_uvis
    clock = Clock()
    async with httpx.AsyncClient(timeout=0.5) as http:
        client = make_client(http, url, uvis_rows.serial, clock)
        await client.gps()
        clock.now = 239.0
        await client.gps()
        clock.now = 241.0
        await client.gps()
    keys = [c for c in fake.calls if c[0] == "GetAccessKeyWithValues"]
    assert len(keys) == 2
    assert ("getDeviceAPI/01", "key_refused") not in fake.calls


async def test_a_refused_key_is_replaced_at_once(fake_uvis: Any, uvis_rows: Any) -> None:
    fake, url = fake_uvis
    fake.gps = [uvis_rows.gps("T1", "20261126", "083015")]
    async with httpx.AsyncClient(timeout=0.5) as http:
        client = make_client(http, url, uvis_rows.serial, Clock())
        await client.gps()
        fake.expire_keys()  # the server forgot the key before our TTL ran out
        assert len(await client.gps()) == 1
    assert ("getDeviceAPI/01", "key_refused") in fake.calls
    assert len([c for c in fake.calls if c[0] == "GetAccessKeyWithValues"]) == 2


async def test_non_json_answer_and_timeout_are_retried(fake_uvis: Any, uvis_rows: Any) -> None:
    fake, url = fake_uvis
    fake.gps = [uvis_rows.gps("T1", "20261126", "083015")]
    async with httpx.AsyncClient(timeout=0.5) as http:
        client = make_client(http, url, uvis_rows.serial, Clock())
        fake.faults = ["not_json", "timeout", "500"]
        # key: not JSON, then timeout, then 500 => 3 attempts fail
        with pytest.raises(UvisUnavailable):
            await client.gps()
        fake.faults = ["not_json"]
        assert len(await client.gps()) == 1  # key call fails once, is retried, list follows
        fake.faults = ["timeout"]
        before = failures("getDeviceAPI/01", "timeout")
        assert len(await client.gps()) == 1  # list call times out once, is retried
        assert failures("getDeviceAPI/01", "timeout") == before + 1
    assert failures("GetAccessKeyWithValues", "not_json") >= 2


async def test_a_wrong_serial_key_never_yields_a_list(fake_uvis: Any) -> None:
    _fake, url = fake_uvis
    async with httpx.AsyncClient(timeout=0.5) as http:
        client = make_client(http, url, "WRONG", Clock(), attempts=2)
        with pytest.raises(UvisUnavailable, match="GetAccessKeyWithValues failed 2 times"):
            await client.gps()
