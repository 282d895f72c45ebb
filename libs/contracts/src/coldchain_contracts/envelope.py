"""The envelope every Coldchain message carries.

`event_id` is the only identity consumers dedupe on (FastStream's Kafka message id is
`offset-timestamp` and useless for that). Consumers ignore unknown fields, so
producers may add defaulted fields without breaking anyone.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_event_id() -> uuid.UUID:
    return uuid.uuid4()


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware instant, normalised to UTC. Naive datetimes are refused."""


class Envelope(BaseModel):
    """Fields shared by every command and event."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: uuid.UUID = Field(default_factory=new_event_id)
    occurred_at: UtcDatetime = Field(default_factory=utcnow)
    producer: str = Field(default="unknown", description="Service that wrote the message")
    correlation_id: uuid.UUID | None = None
    causation_id: uuid.UUID | None = None
