"""The test infrastructure's TLS side: where `infra.py up` serves verified TLS with a password.

`infra.py env` exports these next to the plain addresses (deploy/local/localinfra/tls.py):
the same PostgreSQL with ssl=on, Redis's TLS port with an ACL user, Kafka's SASL_SSL
listener with a SCRAM-SHA-512 user, and the CA that signed their certificate. The
`running_system` fixture runs the five services over them, with the settings a
deployment to RDS, ElastiCache and MSK uses (docs/deploy.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class TlsInfra:
    ca_file: str
    kafka: str  # SASL_SSL bootstrap address
    redis_url: str  # rediss:// with the ACL user and its password
    username: str
    password: str

    @classmethod
    def from_env(cls) -> TlsInfra | None:
        """None when the infrastructure predates TLS (an instance not started by infra.py)."""
        try:
            return cls(
                ca_file=os.environ["COLDCHAIN_TLS_CA_FILE"],
                kafka=os.environ["COLDCHAIN_TLS_KAFKA_BOOTSTRAP"],
                redis_url=os.environ["COLDCHAIN_TLS_REDIS_URL"],
                username=os.environ["COLDCHAIN_TLS_USERNAME"],
                password=os.environ["COLDCHAIN_TLS_PASSWORD"],
            )
        except KeyError:
            return None

    def service_env(self) -> dict[str, str]:
        """Every setting a service needs to reach the three servers only over verified TLS."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": self.username,
            "KAFKA_SASL_PASSWORD": self.password,
            "KAFKA_SSL_CA_FILE": self.ca_file,
            "DATABASE_SSLMODE": "verify-full",
            "DATABASE_SSLROOTCERT": self.ca_file,
            "REDIS_URL": self.redis_url,
            "REDIS_SSL_CA_FILE": self.ca_file,
        }
