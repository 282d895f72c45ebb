"""Settings to client options: what each variable turns on (the real servers: tests/integration)."""

from __future__ import annotations

import base64
import ssl
from urllib.parse import parse_qs, urlparse

import pytest
from faststream.security import BaseSecurity, SASLOAuthBearer, SASLPlaintext, SASLScram512

from coldchain_servicekit.msk_iam import MskIamTokenProvider
from coldchain_servicekit.settings import ServiceSettings
from coldchain_servicekit.transport_security import (
    TransportSecurityError,
    kafka_client_options,
    kafka_security,
    kafka_token_provider,
    postgres_ssl,
    redis_ssl_options,
)

pytestmark = pytest.mark.unit

FAKE_KEY_ID = "AKIAEXAMPLEEXAMPLE00"  # pragma: allowlist secret


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> ServiceSettings:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ServiceSettings()


def test_defaults_are_plaintext_and_leave_the_urls_in_charge(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch)
    assert kafka_security(s) is None
    assert kafka_client_options(s) == {"security_protocol": "PLAINTEXT"}
    assert postgres_ssl(s) is None
    assert redis_ssl_options(s) == {}


def test_kafka_sasl_ssl_with_scram(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
        KAFKA_SASL_USERNAME="coldchain",
        KAFKA_SASL_PASSWORD="pw",  # pragma: allowlist secret
    )
    security = kafka_security(s)
    assert isinstance(security, SASLScram512)
    assert security.use_ssl
    assert security.ssl_context is not None
    assert security.ssl_context.check_hostname
    assert security.ssl_context.verify_mode == ssl.CERT_REQUIRED
    options = kafka_client_options(s)
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("coldchain", "pw")


def test_kafka_plain_over_plaintext_and_tls_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        KAFKA_SASL_MECHANISM="PLAIN",
        KAFKA_SASL_USERNAME="u",
        KAFKA_SASL_PASSWORD="p",  # pragma: allowlist secret
    )
    security = kafka_security(s)
    assert isinstance(security, SASLPlaintext)
    assert not security.use_ssl
    assert "ssl_context" not in kafka_client_options(s)
    tls_only = kafka_security(settings(monkeypatch, KAFKA_SECURITY_PROTOCOL="SSL"))
    assert type(tls_only) is BaseSecurity
    assert tls_only.use_ssl


def test_sasl_without_credentials_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings(monkeypatch, KAFKA_SECURITY_PROTOCOL="SASL_SSL", KAFKA_SASL_MECHANISM="SCRAM-SHA-512")
    with pytest.raises(TransportSecurityError, match="KAFKA_SASL_USERNAME"):
        kafka_security(s)


async def test_msk_iam_signs_a_connect_url_with_the_default_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """AWS's signer works offline: the token is a presigned kafka-cluster:Connect URL."""
    s = settings(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_MECHANISM="AWS_MSK_IAM",
        AWS_REGION="ap-northeast-2",
        AWS_ACCESS_KEY_ID=FAKE_KEY_ID,
        AWS_SECRET_ACCESS_KEY="example-secret-not-real",  # pragma: allowlist secret
    )
    assert isinstance(kafka_security(s), SASLOAuthBearer)
    options = kafka_client_options(s)
    assert options["sasl_mechanism"] == "OAUTHBEARER"
    provider = options["sasl_oauth_token_provider"]
    assert isinstance(provider, MskIamTokenProvider)
    token = await provider.token()
    url = urlparse(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
    assert url.netloc == "kafka.ap-northeast-2.amazonaws.com"
    query = parse_qs(url.query)
    assert query["Action"] == ["kafka-cluster:Connect"]
    assert query["X-Amz-Credential"][0].startswith(f"{FAKE_KEY_ID}/")
    assert await provider.token() == token  # reused until shortly before it expires
    monkeypatch.delenv("AWS_REGION")
    with pytest.raises(TransportSecurityError, match="AWS_REGION"):
        kafka_token_provider(ServiceSettings())


def test_postgres_modes(monkeypatch: pytest.MonkeyPatch) -> None:
    full = postgres_ssl(settings(monkeypatch, DATABASE_SSLMODE="verify-full"))
    assert isinstance(full, ssl.SSLContext)
    assert full.check_hostname
    assert full.verify_mode == ssl.CERT_REQUIRED
    ca = postgres_ssl(settings(monkeypatch, DATABASE_SSLMODE="verify-ca"))
    assert isinstance(ca, ssl.SSLContext)
    assert not ca.check_hostname
    assert ca.verify_mode == ssl.CERT_REQUIRED
    required = postgres_ssl(settings(monkeypatch, DATABASE_SSLMODE="require"))
    assert isinstance(required, ssl.SSLContext)
    assert required.verify_mode == ssl.CERT_NONE
    assert postgres_ssl(settings(monkeypatch, DATABASE_SSLMODE="disable")) == "disable"
    with pytest.raises(ValueError, match=r"DATABASE_SSLMODE|database_sslmode"):
        settings(monkeypatch, DATABASE_SSLMODE="verify")


def test_redis_tls_only_for_rediss_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    tls = settings(monkeypatch, REDIS_URL="rediss://:pw@cache:6379/0", REDIS_SSL_CA_FILE="/ca.pem")
    assert redis_ssl_options(tls) == {
        "ssl_cert_reqs": "required",
        "ssl_check_hostname": True,
        "ssl_ca_certs": "/ca.pem",
    }
    with pytest.raises(TransportSecurityError, match="REDIS_SSL_CA_FILE"):
        redis_ssl_options(settings(monkeypatch, REDIS_URL="redis://cache:6379/0"))
