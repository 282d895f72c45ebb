"""The servicekit's clients over real TLS servers: `make test`'s PostgreSQL (ssl=on), Redis's TLS
port with an ACL user and Kafka's SASL_SSL listener (SCRAM-SHA-512), all with a certificate
of the CA that `infra.py up` made. Each also refuses what a managed server would refuse
to trust: a server its CA file does not vouch for, a wrong password."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError
from faststream.kafka import KafkaBroker
from redis.exceptions import AuthenticationError
from sqlalchemy import text

from coldchain_devtools.testing import Infra
from coldchain_devtools.testing_tls import TlsInfra
from coldchain_devtools.topics import ensure_topics_report
from coldchain_servicekit.db import make_engine
from coldchain_servicekit.kafka import make_broker
from coldchain_servicekit.migrations import upgrade_async
from coldchain_servicekit.redis import make_redis
from coldchain_servicekit.settings import ServiceSettings
from coldchain_servicekit.transport_security import kafka_client_options, postgres_ssl, redis_ssl_options

pytestmark = pytest.mark.integration

TRACKING_MIGRATIONS = (
    Path(__file__).resolve().parents[3]
    / "services"
    / "tracking"
    / "src"
    / "coldchain_tracking"
    / "migrations"
)


@pytest.fixture(scope="module")
def tls() -> TlsInfra:
    found = TlsInfra.from_env()
    if found is None:
        pytest.fail("COLDCHAIN_TLS_* not set: run under `make test` (infra.py up serves TLS)")
    return found


def tls_settings(tls: TlsInfra, infra: Infra, **overrides: str) -> ServiceSettings:
    env = {**tls.service_env(), "DATABASE_URL": infra.database_url, **overrides}
    return ServiceSettings(**env)  # type: ignore[arg-type]  # aliases, as from the environment


@pytest.fixture
def other_ca(tmp_path: Path) -> str:
    """A CA file that does not hold the local CA: the system store's certificates."""
    path = tmp_path / "other-ca.pem"
    path.write_text(Path(ssl.get_default_verify_paths().openssl_cafile).read_text())
    return str(path)


async def test_postgres_verify_full_connects_encrypted(tls: TlsInfra, infra: Infra) -> None:
    settings = tls_settings(tls, infra)
    engine = make_engine(infra.database_url, tls=postgres_ssl(settings), application_name="tls-test")
    try:
        async with engine.connect() as conn:
            row = (
                await conn.execute(text("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
            ).one()
    finally:
        await engine.dispose()
    assert row.ssl is True
    assert row.version.startswith("TLSv1.")


async def test_migrations_run_over_tls(tls: TlsInfra, infra: Infra, test_database: str) -> None:
    settings = tls_settings(tls, infra, DATABASE_URL=test_database)
    await upgrade_async(test_database, "tracking", TRACKING_MIGRATIONS, postgres_ssl(settings))
    engine = make_engine(test_database, tls=postgres_ssl(settings))
    try:
        async with engine.connect() as conn:
            version = await conn.scalar(text("SELECT version_num FROM tracking.alembic_version"))
    finally:
        await engine.dispose()
    assert version


async def test_postgres_refuses_a_server_the_ca_file_does_not_vouch_for(
    tls: TlsInfra, infra: Infra, other_ca: str
) -> None:
    settings = tls_settings(tls, infra, DATABASE_SSLROOTCERT=other_ca)
    engine = make_engine(infra.database_url, tls=postgres_ssl(settings))
    try:
        with pytest.raises(ssl.SSLCertVerificationError):
            async with engine.connect():
                pass
    finally:
        await engine.dispose()


async def test_redis_over_tls_with_auth(tls: TlsInfra, infra: Infra, other_ca: str) -> None:
    settings = tls_settings(tls, infra)
    client = make_redis(settings.redis_url, tls=redis_ssl_options(settings))
    try:
        assert await client.ping()
        assert await client.acl_whoami() == tls.username
        info = await client.client_info()
        assert int(info["laddr"].rsplit(":", 1)[1]) == int(tls.redis_url.rsplit(":", 1)[1].split("/")[0])
    finally:
        await client.aclose()
    wrong_password = tls.redis_url.replace(tls.password, WRONG_PASSWORD)
    client = make_redis(
        wrong_password, tls=redis_ssl_options(tls_settings(tls, infra, REDIS_URL=wrong_password))
    )
    try:
        with pytest.raises(AuthenticationError):
            await client.ping()
    finally:
        await client.aclose()
    untrusted = tls_settings(tls, infra, REDIS_SSL_CA_FILE=other_ca)
    client = make_redis(untrusted.redis_url, tls=redis_ssl_options(untrusted))
    try:
        with pytest.raises(Exception, match=r"certificate verify failed"):
            await client.ping()
    finally:
        await client.aclose()


@pytest.fixture
async def tls_broker(tls: TlsInfra, infra: Infra) -> AsyncIterator[KafkaBroker]:
    broker = make_broker(tls_settings(tls, infra))
    yield broker
    await broker.stop()


TLS_TOPIC = "test.transport-security.v1"  # no service reads it


async def test_kafka_sasl_ssl_scram_publishes_and_consumes(
    tls_broker: KafkaBroker, tls: TlsInfra, infra: Infra
) -> None:
    """The topics job's admin client, a service's broker and a raw consumer, all over SASL_SSL."""
    options = kafka_client_options(tls_settings(tls, infra))
    await ensure_topics_report(tls.kafka, topics=[NewTopic(TLS_TOPIC, 1, 1)], kafka_options=options)
    key = f"tls-{uuid.uuid4().hex[:10]}".encode()
    await tls_broker.start()
    await tls_broker.publish(b"over tls", topic=TLS_TOPIC, key=key)
    consumer = AIOKafkaConsumer(
        TLS_TOPIC,
        bootstrap_servers=tls.kafka,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        **options,
    )
    await consumer.start()
    try:
        found = None
        for _ in range(50):
            batch = await consumer.getmany(timeout_ms=200)
            found = next((r for records in batch.values() for r in records if r.key == key), None)
            if found is not None:
                break
    finally:
        await consumer.stop()
    assert found is not None
    assert found.value == b"over tls"


WRONG_PASSWORD = "not-the-password"  # pragma: allowlist secret


async def test_kafka_refuses_a_wrong_scram_password(
    tls: TlsInfra, infra: Infra, caplog: pytest.LogCaptureFixture
) -> None:
    # An admin client: a FastStream broker whose start failed leaks its producer.
    options = kafka_client_options(tls_settings(tls, infra, KAFKA_SASL_PASSWORD=WRONG_PASSWORD))
    admin = AIOKafkaAdminClient(bootstrap_servers=tls.kafka, **options)
    try:
        with pytest.raises(KafkaConnectionError):
            await admin.start()
    finally:
        await admin.close()
    assert "SaslAuthenticationFailed" in caplog.text
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in caplog.text
