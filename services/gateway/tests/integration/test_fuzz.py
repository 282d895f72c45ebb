"""Property-based fuzz of the whole OpenAPI surface with Schemathesis, through ASGI.

Every operation gets schema-valid (positive) and schema-violating (negative) requests,
sent anonymously, as an admin, and with the dev ingest key. Whatever the input, the
gateway must never answer 5xx, and every answer must match what the OpenAPI document
declares (status code, content type, headers, body schema), and an authenticated success
must fail when replayed without credentials or with invalid ones. Tracking is replaced by a
stub that knows no vehicle, and accepted telemetry is counted instead of published
(thousands of generated fixes would otherwise be a backlog for the e2e tests that share
the topic), so the fuzz stays inside the gateway. Bounded: a fixed number
of examples per operation, derandomised so CI runs are repeatable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coldchain_devtools.testing import Infra
from coldchain_gateway.app import create_app
from coldchain_gateway.security.tokens import issue_access
from coldchain_gateway.settings import DEV_ADMIN_PASSWORD, DEV_INGEST_KEY

from .conftest import gateway_settings

pytestmark = [
    pytest.mark.integration,
    # Raised from inside schemathesis' own data generation for some of our schemas (not our
    # code): a deprecation notice, not a finding about the API.
    pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies"),
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 10, GenerationMode.NEGATIVE: 8}
# Anonymous requests stop at authentication, before their input is looked at: positive only.
RUNS = [
    ("anonymous", GenerationMode.POSITIVE),
    ("admin", GenerationMode.POSITIVE),
    ("admin", GenerationMode.NEGATIVE),
    ("ingest-key", GenerationMode.POSITIVE),
    ("ingest-key", GenerationMode.NEGATIVE),
]


class CountingBroker:
    """Stands in for Kafka on the publishing side; acknowledges every message."""

    def __init__(self) -> None:
        self.published = 0

    async def publish(self, *args: Any, **kwargs: Any) -> None:
        self.published += 1


def tracking_stub(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        404,
        json={"type": "about:blank", "title": "Unknown vehicle", "status": 404},
        headers={"content-type": "application/problem+json"},
    )


@pytest.fixture(scope="module")
def fuzzed(infra: Infra, test_database: str) -> Iterator[tuple[Any, dict[str, Callable[[], dict[str, str]]]]]:
    app = create_app(gateway_settings(infra, test_database))
    app.state.tracking = httpx.AsyncClient(
        transport=httpx.MockTransport(tracking_stub), base_url="http://tracking"
    )
    app.state.ingest = httpx.AsyncClient(
        transport=httpx.MockTransport(tracking_stub), base_url="http://ingest"
    )
    app.state.orders = httpx.AsyncClient(
        transport=httpx.MockTransport(tracking_stub), base_url="http://orders"
    )
    app.state.dispatch = httpx.AsyncClient(
        transport=httpx.MockTransport(tracking_stub), base_url="http://dispatch"
    )
    app.state.notify = httpx.AsyncClient(
        transport=httpx.MockTransport(tracking_stub), base_url="http://notify"
    )
    broker = CountingBroker()
    app.state.broker = broker
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the app's lifespan
    try:
        client = asgi.get_client(app)
        login = client.post(
            "/v1/auth/token",
            data={"grant_type": "password", "username": "admin", "password": DEV_ADMIN_PASSWORD},
        )
        assert login.status_code == 200, login.text
        admin_id = client.get(
            "/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        ).json()["id"]
        key = app.state.settings.jwt_key()

        def admin() -> dict[str, str]:
            # A fresh session per case: a fuzzed logout must not log the next case out.
            token, _ = issue_access(
                key, user_id=admin_id, username="admin", role="admin", family=str(uuid.uuid4()), ttl_s=600
            )
            return {"Authorization": f"Bearer {token}"}

        callers: dict[str, Callable[[], dict[str, str]]] = {
            "anonymous": dict,
            "admin": admin,
            "ingest-key": lambda: {"X-API-Key": DEV_INGEST_KEY},
        }
        yield schema, callers
        assert broker.published > 0, "accepted telemetry reached the (counting) broker"
    finally:
        asgi.shutdown_lifespans()


def operations(schema: Any) -> list[Any]:
    found = [result.ok() for result in schema.get_all_operations()]
    assert found, "the schema has operations"
    return found


@pytest.mark.parametrize(("caller", "mode"), RUNS)
def test_no_5xx_and_no_response_outside_the_schema(
    fuzzed: tuple[Any, dict[str, Callable[[], dict[str, str]]]], caller: str, mode: GenerationMode
) -> None:
    schema, callers = fuzzed
    headers = callers[caller]
    checks = [*CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else list(CHECKS)
    if caller != "anonymous":
        checks.append(ignored_auth)  # each success is replayed without and with bad credentials
    fuzzed_operations = 0
    for operation in operations(schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES[mode],
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers=headers(), checks=checks)

        try:
            fuzz()
        except Unsatisfiable:
            # No input violates the schema (e.g. a GET without parameters): nothing to negate.
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        fuzzed_operations += 1
    assert fuzzed_operations >= 8, "most operations take input that can be fuzzed"
