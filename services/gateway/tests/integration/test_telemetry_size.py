"""A batch with one fix too large for Kafka is refused whole before anything is published
(real Kafka: its own size limit is what used to half-publish such a batch)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from coldchain_contracts import RawFixReceived
from coldchain_contracts.topics import TELEMETRY_RAW
from coldchain_devtools.testing import Infra, records_with_key
from coldchain_gateway.settings import DEV_INGEST_KEY

from .conftest import Gateway

pytestmark = pytest.mark.integration
INGEST = {"X-API-Key": DEV_INGEST_KEY}


def fix(device: str, **extra: Any) -> dict[str, Any]:
    return {
        "device_id": device,
        "time": "2026-11-26T09:30:00Z",
        "latitude": 37.5,
        "longitude": 127.0,
        **extra,
    }


async def test_an_oversized_fix_refuses_the_batch_and_publishes_nothing(
    gateway: Gateway, infra: Infra
) -> None:
    good, huge = f"size-good-{uuid.uuid4().hex[:8]}", f"size-huge-{uuid.uuid4().hex[:8]}"
    batch = {"fixes": [fix(good), fix(huge, attributes={"blob": "x" * 1_100_000})]}

    refused = await gateway.client.post("/v1/telemetry/gps", json=batch, headers=INGEST)

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in refused.json()["errors"]] == ["/body/fixes/1"]
    # The good fix alone is then accepted once: the refused batch left nothing of it on Kafka.
    accepted = await gateway.client.post("/v1/telemetry/gps", json={"fixes": [fix(good)]}, headers=INGEST)
    assert accepted.status_code == 202, accepted.text
    records = await records_with_key(
        infra.kafka, TELEMETRY_RAW.name, good.encode(), lambda found: bool(found)
    )
    first = RawFixReceived.model_validate_json(records[0].value)
    assert str(first.correlation_id) == accepted.json()["batch_id"], "the first record is the accepted one"
