from __future__ import annotations

from pydantic import Field, SecretStr

from coldchain_servicekit.settings import ServiceSettings, service_settings_config


class NotifySettings(ServiceSettings):
    model_config = service_settings_config("notify")

    service_name: str = "notify"
    http_port: int = 8005
    deliver_every_s: float = Field(
        default=0.5, gt=0, description="How often the delivery worker looks for due deliveries"
    )
    deliver_batch: int = Field(
        default=100, ge=1, description="Deliveries claimed and sent concurrently per round"
    )
    claim_lease_s: float = Field(
        default=60.0,
        gt=0,
        description="A claimed delivery not finished within this is sent again (crash safety)",
    )
    max_attempts: int = Field(
        default=12, ge=1, description="Attempts of one delivery before it is marked failed"
    )
    retry_base_s: float = Field(
        default=2.0, gt=0, description="First retry delay; doubles per attempt, jittered"
    )
    retry_max_s: float = Field(default=300.0, gt=0, description="Longest delay between two attempts")
    disable_after_failures: int = Field(
        default=20, ge=1, description="Consecutive failed attempts after which a channel is disabled"
    )
    escalate_every_s: float = Field(
        default=5.0, gt=0, description="How often unacknowledged alerts are checked for escalation"
    )
    critical_margin_c: float = Field(
        default=3.0,
        ge=0,
        description="An excursion this many °C or more outside its band is critical; less is a warning",
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one webhook call")
    webhook_old_secret_s: float = Field(
        default=86_400.0,
        ge=0,
        description="After a secret rotation, webhooks carry a signature with the old secret too, this long",
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for e-mail channels")
    smtp_port: int = Field(default=1025, ge=1, le=65535, description="SMTP port (1025: a local mail sink)")
    smtp_starttls: bool = Field(default=False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_username: str | None = Field(default=None, description="SMTP login; unset: no authentication")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password (secret)")
    smtp_from: str = Field(
        default="Coldchain <alerts@coldchain.local>", description="From address of e-mails"
    )
    smtp_timeout_s: float = Field(default=10.0, gt=0, description="Timeout of one SMTP conversation")
    sms_url: str | None = Field(
        default=None,
        description="HTTP SMS gateway: one POST of JSON {to, text} per number, 2xx is sent; unset: SMS "
        "deliveries fail with 'no SMS gateway configured'",
    )
    sms_token: SecretStr | None = Field(default=None, description="Bearer token for the SMS gateway (secret)")
    console_url: str = Field(
        default="http://127.0.0.1:8000", description="Base URL of the console, linked from notifications"
    )
