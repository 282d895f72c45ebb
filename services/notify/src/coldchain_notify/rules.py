"""What an operator configures: notification rules and channels (validated request bodies).

A rule says which events reach whom: event types, filters (vehicles, temperature zones,
minimum severity), quiet hours, and an escalation chain of channels: the first is told at
once, each next one when the alert stays unacknowledged for `escalate_after_minutes`.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from coldchain_contracts import TemperatureZone
from coldchain_contracts.identifiers import Identifier


class EventKind(StrEnum):
    EXCURSION_OPENED = "excursion_opened"
    EXCURSION_CLOSED = "excursion_closed"
    PROBE_DISCONNECTED = "probe_disconnected"
    SLOW_OR_STUCK = "slow_or_stuck"
    LOADED_TOO_LONG = "loaded_too_long"
    OFFLINE = "offline"
    ALERT_CLOSED = "alert_closed"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QuietHours(Strict):
    """Local time window (may cross midnight) in which only critical notices go out at once;
    the others wait for its end."""

    start: time
    end: time
    timezone: str = "Asia/Seoul"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value


class RuleSpec(Strict):
    name: str = Field(min_length=1, max_length=200)
    event_types: list[EventKind] = Field(min_length=1)
    vehicle_ids: list[Identifier] = Field(default_factory=list, description="Empty: every vehicle")
    zones: list[TemperatureZone] = Field(
        default_factory=list, description="Temperature zones of the compartment; empty: any"
    )
    min_severity: Severity = Severity.INFO
    quiet_hours: QuietHours | None = None
    recipients: list[Identifier] = Field(
        min_length=1, max_length=10, description="Channel ids: the escalation chain, first told at once"
    )
    escalate_after_minutes: float | None = Field(
        default=None, gt=0, le=7 * 24 * 60, description="Unacknowledged this long: tell the next recipient"
    )
    enabled: bool = True

    @field_validator("recipients")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a channel appears twice in recipients")
        return value


# A plausibility check only; the SMTP server is the judge of an address.
EmailAddress = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
]


class Language(StrEnum):
    KO = "ko"
    EN = "en"


class WebhookSpec(Strict):
    kind: Literal["webhook"]
    name: str = Field(min_length=1, max_length=200)
    url: AnyHttpUrl
    enabled: bool = True


class EmailSpec(Strict):
    kind: Literal["email"]
    name: str = Field(min_length=1, max_length=200)
    to: list[EmailAddress] = Field(min_length=1, max_length=20)
    language: Language = Language.KO
    enabled: bool = True


PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{6,15}$")]


class SmsSpec(Strict):
    """Text messages through the configured HTTP SMS gateway (`NOTIFY_SMS_URL`)."""

    kind: Literal["sms"]
    name: str = Field(min_length=1, max_length=200)
    to: list[PhoneNumber] = Field(min_length=1, max_length=20, description="E.164 digits, e.g. +821012345678")
    language: Language = Language.KO
    enabled: bool = True


ChannelSpec = Annotated[WebhookSpec | EmailSpec | SmsSpec, Field(discriminator="kind")]
