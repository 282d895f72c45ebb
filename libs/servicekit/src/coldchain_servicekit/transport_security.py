"""TLS and authentication of the Kafka, PostgreSQL and Redis clients, from settings.

Managed infrastructure refuses plain connections: MSK takes TLS with SASL/SCRAM or IAM,
RDS forces TLS (`rds.force_ssl`), ElastiCache in-transit encryption is TLS with AUTH.
Every client a service builds (`make_broker`, `make_engine`, the migrations, `make_redis`,
the raw aiokafka clients of the gateway and the devtools) takes its options from here, so
one set of variables (docs/deploy.md, "TLS to managed infrastructure") moves them all.
Certificates are verified, host names included, against `*_CA_FILE` or the system store.
"""

from __future__ import annotations

import ssl
from typing import Any

from faststream.security import (
    BaseSecurity,
    SASLOAuthBearer,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

from coldchain_servicekit.settings import ServiceSettings


class TransportSecurityError(ValueError):
    """The TLS/SASL settings contradict each other: the service must not start."""


def tls_context(ca_file: str | None, *, check_hostname: bool = True) -> ssl.SSLContext:
    """A client context that verifies the server: `ca_file`, else the system trust store."""
    context = ssl.create_default_context(cafile=ca_file)
    context.check_hostname = check_hostname
    return context


# --- Kafka -------------------------------------------------------------------------------


def _kafka_uses_tls(settings: ServiceSettings) -> bool:
    return settings.kafka_security_protocol in ("SSL", "SASL_SSL")


def _kafka_uses_sasl(settings: ServiceSettings) -> bool:
    return settings.kafka_security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def _kafka_credentials(settings: ServiceSettings) -> tuple[str, str]:
    username, password = settings.kafka_sasl_username, settings.kafka_sasl_password
    if not username or password is None:
        raise TransportSecurityError(
            f"KAFKA_SASL_MECHANISM={settings.kafka_sasl_mechanism} needs KAFKA_SASL_USERNAME "
            "and KAFKA_SASL_PASSWORD"
        )
    return username, password.get_secret_value()


def kafka_token_provider(settings: ServiceSettings) -> Any | None:
    """MSK IAM's OAUTHBEARER token provider, or None for any other mechanism."""
    if not (_kafka_uses_sasl(settings) and settings.kafka_sasl_mechanism == "AWS_MSK_IAM"):
        return None
    from coldchain_servicekit.msk_iam import MskIamTokenProvider  # botocore only where used

    if not settings.aws_region:
        raise TransportSecurityError("KAFKA_SASL_MECHANISM=AWS_MSK_IAM needs AWS_REGION")
    return MskIamTokenProvider(settings.aws_region)


def kafka_security(settings: ServiceSettings) -> BaseSecurity | None:
    """FastStream's security object for `KafkaBroker(security=...)`; None: plaintext."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    tls = _kafka_uses_tls(settings)
    context = tls_context(settings.kafka_ssl_ca_file) if tls else None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    mechanism = settings.kafka_sasl_mechanism
    if mechanism == "AWS_MSK_IAM":
        return SASLOAuthBearer(ssl_context=context, use_ssl=tls)
    username, password = _kafka_credentials(settings)
    kinds: dict[str, type[SASLPlaintext | SASLScram256 | SASLScram512]] = {
        "PLAIN": SASLPlaintext,
        "SCRAM-SHA-256": SASLScram256,
        "SCRAM-SHA-512": SASLScram512,
    }
    return kinds[mechanism](username, password, ssl_context=context, use_ssl=tls)


def kafka_client_options(settings: ServiceSettings) -> dict[str, Any]:
    """The same as keyword arguments of aiokafka's own clients (consumer, producer, admin)."""
    protocol = settings.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if _kafka_uses_tls(settings):
        options["ssl_context"] = tls_context(settings.kafka_ssl_ca_file)
    if _kafka_uses_sasl(settings):
        mechanism = settings.kafka_sasl_mechanism
        if mechanism == "AWS_MSK_IAM":
            options["sasl_mechanism"] = "OAUTHBEARER"
            options["sasl_oauth_token_provider"] = kafka_token_provider(settings)
        else:
            username, password = _kafka_credentials(settings)
            options.update(
                sasl_mechanism=mechanism, sasl_plain_username=username, sasl_plain_password=password
            )
    return options


# --- PostgreSQL --------------------------------------------------------------------------


def postgres_ssl(settings: ServiceSettings) -> ssl.SSLContext | str | None:
    """asyncpg's `ssl` argument for `DATABASE_SSLMODE`, libpq's modes; None: the URL decides.

    verify-full checks the chain and the host name, verify-ca the chain only, require
    encrypts without checking (as libpq does when no root certificate is given).
    """
    mode, root = settings.database_sslmode, settings.database_sslrootcert
    if mode is None:
        return None
    if mode in ("disable", "prefer", "allow"):
        return mode
    if mode == "require":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return tls_context(root, check_hostname=mode == "verify-full")


# --- Redis -------------------------------------------------------------------------------


def redis_ssl_options(settings: ServiceSettings) -> dict[str, Any]:
    """redis-py's TLS options for a `rediss://` URL (verified, host name included)."""
    if not settings.redis_url.startswith("rediss://"):
        if settings.redis_ssl_ca_file:
            raise TransportSecurityError("REDIS_SSL_CA_FILE is set but REDIS_URL is not rediss://")
        return {}
    return {
        "ssl_cert_reqs": "required",
        "ssl_check_hostname": True,
        "ssl_ca_certs": settings.redis_ssl_ca_file,
    }
