from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from pathlib import Path

from pydantic import Field, field_validator

from coldchain_gateway.security.ratelimit import Rate
from coldchain_servicekit.settings import SecretStr, ServiceSettings, service_settings_config

DEV_ADMIN_PASSWORD = "coldchain-dev-admin"  # noqa: S105 - the documented dev-mode default, refused outside it
DEV_JWT_SECRET = "coldchain-dev-jwt-secret-not-for-production-use"  # noqa: S105 - same
DEV_INGEST_KEY = "cci_dev-ingest-key-not-for-production"  # same


class GatewaySettings(ServiceSettings):
    model_config = service_settings_config("gateway")

    service_name: str = "gateway"
    http_port: int = 8000
    tracking_url: str = Field(default="http://127.0.0.1:8002", description="Tracking query API")
    ingest_url: str = Field(default="http://127.0.0.1:8001", description="Ingest query API (device registry)")
    orders_url: str = Field(default="http://127.0.0.1:8003", description="Orders query and import API")
    dispatch_url: str = Field(default="http://127.0.0.1:8004", description="Dispatch query API (plans)")
    notify_url: str = Field(
        default="http://127.0.0.1:8005",
        description="Notify API (notification rules, channels, acknowledgements)",
    )
    upstream_timeout_s: float = 5.0
    report_timeout_s: float = Field(
        default=30.0, description="Max wait for tracking to build a temperature record (a PDF draws a chart)"
    )
    import_timeout_s: float = Field(
        default=60.0, description="Max wait for the orders service to import a file"
    )
    import_max_bytes: int = Field(default=10 * 1024 * 1024, description="Largest import file accepted")
    publish_timeout_s: float = Field(default=10.0, description="Max wait for Kafka acknowledgements")
    max_fix_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=1_000_000,  # below Kafka's default message.max.bytes (1 MiB), which would refuse it mid-batch
        description="Largest single telemetry fix as published (JSON bytes); a batch with a larger "
        "fix is refused whole (422) before anything is published",
    )
    live_auth_timeout_s: float = Field(default=5.0, gt=0, description="Live feed: wait for the auth message")
    live_queue_max: int = Field(
        default=1000,
        ge=1,
        description="Live feed: items buffered per client before it is dropped as too slow",
    )
    live_send_timeout_s: float = Field(
        default=10.0, gt=0, description="Live feed: a frame not written in this time drops the client"
    )
    live_recheck_s: float = Field(
        default=5.0,
        gt=0,
        description="Live feed: each connection re-checks its credentials this often (at once after a "
        "revocation through the same replica) and is closed with 4401 once they are revoked",
    )
    live_max_connections_per_principal: int = Field(
        default=10,
        ge=1,
        description="Live feed: connections one user or key may hold per replica (4429 beyond)",
    )

    # --- security (docs/gateway-security.md) ---
    dev_mode: bool = Field(
        default=False,
        description="Allows the documented dev defaults (admin password, JWT secret, ingest key); "
        "off in production, where the gateway refuses to start without real secrets",
    )
    jwt_secret: SecretStr | None = Field(default=None, description="HS256 key, at least 32 bytes")
    access_token_ttl_s: int = Field(default=900, ge=30, le=86_400)
    credential_cache_s: float = Field(
        default=5.0,
        ge=0,
        description="API keys and device tokens are looked up once per this many seconds per replica; "
        "a revocation reaches other replicas within it (0: every request)",
    )
    session_check_cache_s: float = Field(
        default=1.0,
        ge=0,
        description="A user session found not revoked is believed this long per replica; a logout "
        "reaches other replicas within it (0: Redis is asked on every request)",
    )
    refresh_token_ttl_s: int = Field(default=14 * 86_400, ge=60)
    admin_username: str = Field(default="admin", min_length=1, max_length=64)
    admin_password: SecretStr | None = Field(default=None, description="First admin, created on first start")
    dev_ingest_key: SecretStr | None = Field(
        default=None,
        description="Dev mode only: an integration key (telemetry:ingest for any device, vehicles:read, "
        "sites and orders read and write) registered at start for the simulator; defaults to the "
        "documented dev key",
    )
    public_metrics: bool = Field(default=True, description="False: /metrics needs metrics_token")
    metrics_token: SecretStr | None = Field(default=None, description="Bearer token for /metrics")
    public_docs: bool = Field(default=True, description="False: no /docs and /openapi.json")
    cors_origins: list[str] = Field(default_factory=list, description="JSON list of allowed origins")
    hsts: bool = Field(default=False, description="Send Strict-Transport-Security (behind TLS)")
    console_dir: Path | None = Field(
        default=None,
        description="Built web console (web/dist) served at `/`; default the checkout's web/dist when it exists",
    )
    console_tile_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        max_length=500,
        description="Raster tile URL template of the console's base map; empty: only the bundled Korea outline",
    )
    console_tile_attribution: str = Field(
        default="&copy; OpenStreetMap contributors", max_length=500, description="Attribution of the tiles"
    )
    console_time_zone: str = Field(default="Asia/Seoul", description="IANA zone the console shows times in")
    trusted_proxies: list[IPv4Network | IPv6Network] = Field(
        default_factory=list,
        description="JSON list of proxy addresses or networks (CIDR) whose X-Forwarded-For is believed; "
        "the client IP is then the right-most entry that is not such a proxy. Empty: the peer address",
    )
    max_body_bytes: int = Field(default=64 * 1024, description="Request body limit, except telemetry")
    max_telemetry_body_bytes: int = Field(default=2 * 1024 * 1024, description="Telemetry batch body limit")
    redis_key_prefix: str = "gw:"
    rate_sync_s: float = Field(
        default=0.1,
        ge=0,
        description="Ingest, read and write limits are decided in each replica and debited in Redis "
        "every this many seconds (across N replicas a client may exceed a limit by what the others "
        "granted within one interval); 0: a Redis round trip per request. Login is always exact",
    )
    # Token buckets per route class: "<burst>/<seconds>s" = burst requests, refilled over seconds.
    rate_login_ip: str = "20/60s"
    rate_login_account: str = "5/60s"
    rate_ingest_principal: str = "600/60s"
    rate_ingest_ip: str = "6000/60s"
    rate_read_principal: str = "300/60s"
    rate_read_ip: str = "600/60s"
    rate_write_principal: str = "60/60s"
    rate_write_ip: str = "120/60s"
    rate_live_auth_ip: str = "20/60s"  # live-feed connections (each one a credential check) per IP

    @field_validator(
        "rate_login_ip",
        "rate_login_account",
        "rate_ingest_principal",
        "rate_ingest_ip",
        "rate_read_principal",
        "rate_read_ip",
        "rate_write_principal",
        "rate_write_ip",
        "rate_live_auth_ip",
    )
    @classmethod
    def _rate(cls, value: str) -> str:
        Rate.parse(value)  # fail at start on a malformed rate, not at the first request
        return value

    def rate(self, name: str) -> Rate:
        """`rate("ingest_ip")` → the parsed `rate_ingest_ip`."""
        return Rate.parse(str(getattr(self, f"rate_{name}")))

    def jwt_key(self) -> str:
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return DEV_JWT_SECRET if self.dev_mode else ""

    def first_admin_password(self) -> str:
        if self.admin_password is not None:
            return self.admin_password.get_secret_value()
        return DEV_ADMIN_PASSWORD if self.dev_mode else ""

    def ingest_key(self) -> str | None:
        if not self.dev_mode:
            return None
        return self.dev_ingest_key.get_secret_value() if self.dev_ingest_key else DEV_INGEST_KEY
