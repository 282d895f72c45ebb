"""Failed records go to `<topic>.<service>.dlq`, with the failure in headers."""

from __future__ import annotations

from datetime import UTC, datetime

from faststream.kafka import KafkaBroker
from prometheus_client import Counter

from coldchain_contracts import dlq_topic
from coldchain_servicekit.consumers.records import Record
from coldchain_servicekit.logging import get_logger

log = get_logger(__name__)

DEAD_LETTERED = Counter(
    "coldchain_dead_lettered_total", "Messages sent to a dead-letter topic", ["topic", "reason"]
)


class DeadLetters:
    """Publishes failed records to `<topic>.<service>.dlq` with the failure in headers."""

    def __init__(self, broker: KafkaBroker, service: str) -> None:
        self._broker = broker
        self._service = service

    async def send(self, record: Record, reason: str, error: BaseException | str) -> None:
        headers = {name: value.decode("utf-8", "replace") for name, value in record.headers}
        headers.update(
            {
                "x-dlq-original-topic": record.topic,
                "x-dlq-original-partition": str(record.partition),
                "x-dlq-original-offset": str(record.offset),
                "x-dlq-consumer": self._service,
                "x-dlq-reason": reason,
                "x-dlq-error": str(error)[:2000],
                "x-dlq-error-type": type(error).__name__ if isinstance(error, BaseException) else "str",
                "x-dlq-failed-at": datetime.now(UTC).isoformat(),
            }
        )
        await self._broker.publish(
            record.value or b"",
            topic=dlq_topic(record.topic, self._service),
            key=record.key,
            headers=headers,
        )
        DEAD_LETTERED.labels(record.topic, reason).inc()
        log.warning(
            "dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
            error=str(error)[:300],
            **_ids(record),
        )


def _ids(record: Record) -> dict[str, str]:
    """The event and correlation ids a record carries in its headers, for the log line."""
    wanted = {"event_id", "correlation_id"}
    return {k: v.decode("utf-8", "replace") for k, v in record.headers if k in wanted}
