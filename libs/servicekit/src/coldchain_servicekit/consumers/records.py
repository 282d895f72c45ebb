"""Consumer records, and decoding them into contract messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, TypeAdapter

M = TypeVar("M", bound=BaseModel)


class Record(Protocol):
    """The parts of an aiokafka ConsumerRecord we rely on."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Delivered(Generic[M]):
    record: Record
    message: M

    def header(self, name: str) -> str | None:
        for key, value in self.record.headers:
            if key == name:
                return value.decode("utf-8", "replace")
        return None


Decoder = TypeAdapter[M] | Callable[[Record], M]
"""A message type's adapter (JSON value), or a function of the whole record (e.g. tombstones)."""


def tombstone_aware(adapter: TypeAdapter[M], deleted: Callable[[str], M]) -> Callable[[Record], M]:
    """A decoder for a compacted topic: a value decodes with `adapter`; a tombstone (null
    value) becomes `deleted(key)`, the message that tells the consumer the key is gone."""

    def decoder(record: Record) -> M:
        if record.value is not None:
            return adapter.validate_json(record.value)
        if record.key is None:
            raise ValueError("tombstone without a key")
        return deleted(record.key.decode())

    return decoder


def decode(
    records: Sequence[Record], decoder: Decoder[M]
) -> tuple[list[Delivered[M]], list[tuple[Record, Exception]]]:
    """Split records into decoded messages and contract violations (any ValueError)."""
    good: list[Delivered[M]] = []
    bad: list[tuple[Record, Exception]] = []
    for record in records:
        try:
            if isinstance(decoder, TypeAdapter):
                message = decoder.validate_json(record.value or b"")
            else:
                message = decoder(record)
            good.append(Delivered(record, message))
        except ValueError as exc:  # pydantic's ValidationError, bad UTF-8, bad JSON
            bad.append((record, exc))
    return good, bad


def records_of(raw_message: object) -> list[Record]:
    """The consumer records behind a FastStream batch message (a tuple live, a list in tests)."""
    if isinstance(raw_message, (tuple, list)):
        return list(raw_message)
    return [raw_message]  # type: ignore[list-item]
