"""A throwaway CA and server certificate for the local TLS ports, made once with openssl.

PostgreSQL (ssl=on on its one port), Redis (a second, TLS port) and Kafka (a SASL_SSL
listener) serve this certificate, so the services can be run locally the way they run
against RDS, ElastiCache and MSK: verified TLS, host name included (127.0.0.1 and
localhost are in the certificate), with a password. The CA's key never leaves the state
dir, and nothing trusts this CA but the clients pointed at `ca.pem`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from .apt import require_tool
from .config import STATE
from .processes import run

TLS_DIR = STATE / "tls"
CA_CERT = TLS_DIR / "ca.pem"
SERVER_CERT = TLS_DIR / "server.pem"
SERVER_KEY = TLS_DIR / "server.key"  # PKCS#8, unencrypted: what Kafka's PEM keystore reads
PASSWORD_FILE = TLS_DIR / "password"
USERNAME = "coldchain"  # the SASL user of Kafka and the ACL user of Redis

SERVER_EXTENSIONS = """\
subjectAltName = IP:127.0.0.1, DNS:localhost
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
"""


def ensure_tls_material() -> None:
    """CA, server certificate and the local password, unless an earlier `up` made them."""
    if CA_CERT.exists() and SERVER_CERT.exists() and SERVER_KEY.exists() and PASSWORD_FILE.exists():
        return
    openssl = require_tool("openssl", "openssl")
    TLS_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    ca_key, csr, extensions = TLS_DIR / "ca.key", TLS_DIR / "server.csr", TLS_DIR / "server.ext"
    extensions.write_text(SERVER_EXTENSIONS)
    run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "3650",
            "-keyout", str(ca_key), "-out", str(CA_CERT), "-subj", "/CN=Coldchain local CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ]
    )  # fmt: skip
    run(
        [
            openssl, "req", "-newkey", "rsa:2048", "-nodes", "-sha256",
            "-keyout", str(SERVER_KEY), "-out", str(csr), "-subj", "/CN=localhost",
        ]
    )  # fmt: skip
    run(
        [
            openssl, "x509", "-req", "-in", str(csr), "-CA", str(CA_CERT), "-CAkey", str(ca_key),
            "-CAcreateserial", "-sha256", "-days", "825", "-extfile", str(extensions), "-out", str(SERVER_CERT),
        ]
    )  # fmt: skip
    PASSWORD_FILE.write_text(secrets.token_hex(16) + "\n")
    for path in (ca_key, SERVER_KEY, PASSWORD_FILE):
        path.chmod(0o600)


def password() -> str:
    return PASSWORD_FILE.read_text().strip()


def server_pem_bundle(target: Path) -> Path:
    """Key and certificate in one PEM file (Kafka's `ssl.keystore.type=PEM` location)."""
    target.write_text(SERVER_KEY.read_text() + SERVER_CERT.read_text())
    target.chmod(0o600)
    return target
