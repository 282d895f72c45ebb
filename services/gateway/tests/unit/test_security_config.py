"""Fail-fast configuration, JWT claims, rate strings, password rules: pure logic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from coldchain_gateway.app import create_app
from coldchain_gateway.security.bootstrap import InsecureConfiguration, configuration_problems
from coldchain_gateway.security.passwords import weakness
from coldchain_gateway.security.permissions import Permission
from coldchain_gateway.security.principal import Principal
from coldchain_gateway.security.ratelimit import Rate, retry_after
from coldchain_gateway.security.tokens import InvalidToken, decode_access, issue_access, looks_like_jwt
from coldchain_gateway.settings import DEV_ADMIN_PASSWORD, DEV_JWT_SECRET, GatewaySettings
from coldchain_servicekit.internal_auth import DEV_INTERNAL_TOKEN

pytestmark = pytest.mark.unit
SECRET = "0123456789abcdef0123456789abcdef-production"
STRONG = "a long and unguessable passphrase"
INTERNAL = "a-production-service-credential"  # pragma: allowlist secret


def production(**overrides: object) -> GatewaySettings:
    values: dict[str, object] = {
        "dev_mode": False,
        "jwt_secret": SECRET,
        "admin_password": STRONG,
        "internal_token": INTERNAL,
    }
    values.update(overrides)
    return GatewaySettings(**values)  # type: ignore[arg-type]


def test_production_settings_with_real_secrets_are_accepted() -> None:
    assert configuration_problems(production()) == []


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"jwt_secret": None}, "GATEWAY_JWT_SECRET"),
        ({"jwt_secret": "short"}, "GATEWAY_JWT_SECRET"),
        ({"jwt_secret": DEV_JWT_SECRET}, "GATEWAY_JWT_SECRET"),
        ({"admin_password": None}, "GATEWAY_ADMIN_PASSWORD must be set"),
        ({"admin_password": DEV_ADMIN_PASSWORD}, "dev-mode default"),
        ({"admin_password": "short"}, "weak"),
        ({"admin_password": "aaaaaaaaaaaaaaaaaaaa"}, "weak"),
        ({"admin_password": "admin-and-more-letters"}, "weak"),
        ({"dev_ingest_key": "cci_whatever"}, "dev mode only"),
        ({"public_metrics": False}, "GATEWAY_METRICS_TOKEN"),
        ({"internal_token": None}, "COLDCHAIN_INTERNAL_TOKEN"),
        ({"internal_token": "short"}, "COLDCHAIN_INTERNAL_TOKEN"),
        ({"internal_token": DEV_INTERNAL_TOKEN}, "COLDCHAIN_INTERNAL_TOKEN"),
    ],
)
def test_insecure_production_settings_are_refused(overrides: dict[str, object], complaint: str) -> None:
    problems = configuration_problems(production(**overrides))
    assert any(complaint in p for p in problems), problems


def test_create_app_fails_fast_outside_dev_mode_without_secrets() -> None:
    with pytest.raises(InsecureConfiguration, match=r"GATEWAY_JWT_SECRET.*GATEWAY_ADMIN_PASSWORD"):
        create_app(GatewaySettings(dev_mode=False))


def test_dev_mode_accepts_the_documented_defaults() -> None:
    settings = GatewaySettings(dev_mode=True)
    assert configuration_problems(settings) == []
    assert settings.jwt_key() == DEV_JWT_SECRET
    assert settings.first_admin_password() == DEV_ADMIN_PASSWORD
    assert GatewaySettings(dev_mode=False).ingest_key() is None


def test_access_tokens_round_trip_and_expire() -> None:
    token, claims = issue_access(SECRET, user_id="u1", username="kim", role="viewer", family="f1", ttl_s=60)
    assert looks_like_jwt(token)
    assert decode_access(SECRET, token) == claims
    with pytest.raises(InvalidToken):
        decode_access(SECRET + "x", token)
    old, _ = issue_access(
        SECRET,
        user_id="u1",
        username="kim",
        role="viewer",
        family="f1",
        ttl_s=60,
        now=datetime.now(UTC) - timedelta(minutes=5),
    )
    with pytest.raises(InvalidToken, match="expired"):
        decode_access(SECRET, old)
    header, payload, signature = token.split(".")
    with pytest.raises(InvalidToken):
        decode_access(SECRET, f"{header}.{payload}x.{signature}")


def test_tokens_made_to_live_longer_than_the_maximum_are_refused() -> None:
    ten_years = 10 * 365 * 86_400
    token, _ = issue_access(SECRET, user_id="u1", username="kim", role="admin", family="f1", ttl_s=ten_years)
    assert decode_access(SECRET, token).user_id == "u1", "valid by signature and expiry alone"
    with pytest.raises(InvalidToken, match="lifetime over the maximum"):
        decode_access(SECRET, token, max_ttl_s=900)
    normal, _ = issue_access(SECRET, user_id="u1", username="kim", role="admin", family="f1", ttl_s=900)
    assert decode_access(SECRET, normal, max_ttl_s=900).user_id == "u1"
    future, _ = issue_access(
        SECRET,
        user_id="u1",
        username="kim",
        role="admin",
        family="f1",
        ttl_s=900,
        now=datetime.now(UTC) + timedelta(days=1),
    )
    with pytest.raises(InvalidToken, match="not yet valid"):
        decode_access(SECRET, future, max_ttl_s=900)


def test_unsigned_tokens_are_refused() -> None:
    import jwt

    unsigned = jwt.encode({"sub": "u", "role": "admin"}, None, algorithm="none")
    with pytest.raises(InvalidToken):
        decode_access(SECRET, unsigned)


@pytest.mark.parametrize(
    ("text", "burst", "per_s"), [("600/60s", 600, 10.0), ("5/1s", 5, 5.0), (" 3 / 0.5s ", 3, 6.0)]
)
def test_rates_parse(text: str, burst: int, per_s: float) -> None:
    rate = Rate.parse(text)
    assert (rate.burst, rate.per_s) == (burst, per_s)


@pytest.mark.parametrize("text", ["", "10", "10/60", "0/60s", "10/0s", "-1/5s", "ten/60s"])
def test_malformed_rates_are_refused_at_start(text: str) -> None:
    with pytest.raises(ValueError, match="rate"):
        GatewaySettings(rate_read_ip=text)


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert [retry_after(w) for w in (0.01, 1.0, 1.2, 59.9)] == ["1", "1", "2", "60"]


def test_password_rules() -> None:
    assert weakness(STRONG, "admin") is None
    assert weakness("short") is not None
    assert weakness("kimkimkimkimkim", "kim") is not None


def test_device_scope() -> None:
    device = Principal("d", "device", "t", frozenset({Permission.TELEMETRY_INGEST}), devices=frozenset({"a"}))
    assert device.may_post_for("a")
    assert not device.may_post_for("b")
    integration = Principal("i", "integration", "k", frozenset({Permission.TELEMETRY_INGEST}))
    assert integration.may_post_for("anything")
    reader = Principal("r", "integration", "k", frozenset({Permission.VEHICLES_READ}))
    assert not reader.may_post_for("a")


@pytest.mark.parametrize(
    ("header", "kept"),
    [
        ("req-1:a.b_c", True),
        ("x" * 128, True),
        ("x" * 129, False),
        ("a b", False),
        ("a\nlevel=error", False),
        ("", False),
    ],
)
def test_only_plain_request_ids_are_taken_over_into_logs(header: str, kept: bool) -> None:
    from coldchain_servicekit.http import request_id_of

    assert (request_id_of(header) == header) is kept
    assert request_id_of(header)


def test_the_attribute_depth_limit_is_one_downstream_accepts() -> None:
    """A fix the gateway accepts must never be refused by ingest's contract parser."""
    from coldchain_contracts import RawFix, RawFixReceived, utcnow
    from coldchain_gateway.json_bounds import MAX_DEPTH, json_problem

    deepest: Any = 1
    for _ in range(MAX_DEPTH - 1):
        deepest = {"a": deepest}
    attributes = {"x": deepest}
    assert json_problem(attributes) is None
    raw = RawFixReceived(
        device_id="d",
        source="http-batch",
        received_at=utcnow(),
        producer="gateway",
        fix=RawFix(device_time=utcnow(), latitude=1, longitude=1, attributes=attributes),
    )
    assert RawFixReceived.model_validate_json(raw.model_dump_json()).fix.attributes == attributes
