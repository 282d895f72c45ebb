"""Settings shared by every service.

Infrastructure addresses come from the conventional variables (`KAFKA_BOOTSTRAP_SERVERS`,
`DATABASE_URL`, `REDIS_URL`) so the same code runs against local processes, MSK, RDS
and ElastiCache. Everything else is prefixed per service (`TRACKING_HTTP_PORT`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Base class; each service subclasses it and sets `service_name` and its env prefix."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: str = "service"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    database_url: SecretStr = Field(
        default=SecretStr("postgresql+asyncpg://coldchain@127.0.0.1:15432/coldchain"),
        validation_alias=AliasChoices("DATABASE_URL"),
    )
    redis_url: str = Field(default="redis://127.0.0.1:16379/0", validation_alias=AliasChoices("REDIS_URL"))
    redis_max_connections: int = Field(
        default=64, ge=1, description="Redis pool size; requests beyond it wait for a free connection"
    )
    redis_pool_timeout_s: float = Field(
        default=5.0, gt=0, description="How long a request waits for a pooled Redis connection"
    )
    # TLS and authentication to managed infrastructure (transport_security, docs/deploy.md).
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        validation_alias=AliasChoices("KAFKA_SECURITY_PROTOCOL"),
        description="Kafka's security protocol: SASL_SSL for MSK with SCRAM or IAM",
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "AWS_MSK_IAM"] = Field(
        default="SCRAM-SHA-512",
        validation_alias=AliasChoices("KAFKA_SASL_MECHANISM"),
        description="SASL mechanism when the protocol is SASL_*; AWS_MSK_IAM signs with the task's "
        "AWS credentials (OAUTHBEARER, aws-msk-iam-sasl-signer-python)",
    )
    kafka_sasl_username: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SASL_USERNAME")
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_SASL_PASSWORD")
    )
    kafka_ssl_ca_file: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_SSL_CA_FILE"),
        description="PEM file of the CA that signed the brokers' certificates; unset: the system store",
    )
    aws_region: str | None = Field(
        default=None,
        validation_alias=AliasChoices("AWS_REGION", "AWS_DEFAULT_REGION"),
        description="Region of the MSK cluster, for KAFKA_SASL_MECHANISM=AWS_MSK_IAM",
    )
    database_sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] | None = (
        Field(
            default=None,
            validation_alias=AliasChoices("DATABASE_SSLMODE"),
            description="libpq's sslmode for every PostgreSQL connection (verify-full for RDS); unset: "
            "what DATABASE_URL says (asyncpg's default is prefer)",
        )
    )
    database_sslrootcert: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_SSLROOTCERT"),
        description="PEM file of the CA(s) for verify-ca/verify-full (the RDS bundle); unset: the system store",
    )
    redis_ssl_ca_file: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_SSL_CA_FILE"),
        description="PEM file of the CA for a rediss:// REDIS_URL; unset: the system store",
    )
    internal_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("COLDCHAIN_INTERNAL_TOKEN"),
        description="Service credential of the internal HTTP APIs (at least 16 characters, the same "
        "everywhere): the gateway sends it as a bearer token, tracking, ingest, orders and dispatch "
        "refuse to start without it and answer 401 to a call without it",
    )
    migrate_on_start: bool = True
    log_level: str = "INFO"
    log_json: bool | None = Field(default=None, description="None: JSON unless on a TTY")
    message_log_level: str = Field(
        default="DEBUG",
        description="Level of FastStream's per-message 'Received'/'Processed' lines: one line "
        "per Kafka message or batch is noise (and CPU) at thousands of messages per second",
    )
    readiness_timeout_s: float = 2.0
    consumer_batch_max: int = 500
    consumer_poll_timeout_ms: int = 50
    retry_base_delay_s: float = 0.5
    retry_max_delay_s: float = 30.0
    dlq_transient_attempts: int = Field(
        default=0,
        ge=0,
        description="Attempts (backoff doubling from 0.5 s to 30 s) for a batch failing with a "
        "transient error (a dependency down) before it is dead-lettered; 0 retries until the "
        "dependency is back. Permanent errors are isolated and dead-lettered at once",
    )


def service_settings_config(service: str) -> SettingsConfigDict:
    """Env prefix per service, while the shared infrastructure variables stay unprefixed."""
    return SettingsConfigDict(env_prefix=f"{service.upper()}_", extra="ignore", populate_by_name=True)


__all__ = ["SecretStr", "ServiceSettings", "service_settings_config"]
