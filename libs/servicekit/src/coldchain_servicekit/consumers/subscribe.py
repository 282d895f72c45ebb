"""One call per consumer: topic, decoder, handler, group; dead letters and retries included."""

from __future__ import annotations

from typing import Any, TypeVar

from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from pydantic import BaseModel

from coldchain_servicekit.consumers.batches import Handler, process_batch
from coldchain_servicekit.consumers.dead_letters import DeadLetters
from coldchain_servicekit.consumers.records import Decoder, records_of
from coldchain_servicekit.consumers.retry import retry_policy
from coldchain_servicekit.settings import ServiceSettings

M = TypeVar("M", bound=BaseModel)


def undecoded(_message: Any) -> None:
    """FastStream decoder that decodes nothing.

    Our handlers take the raw records (`records_of`) and validate each with its contract's
    pydantic adapter. FastStream's default decoder would first `json.loads` every record of
    every batch, and nothing reads the result. That was a quarter of the gateway's CPU
    under telemetry load (py-spy during `make bench-telemetry`)."""
    return None


def batch_subscriber_options(settings: ServiceSettings) -> dict[str, Any]:
    """Options for every batch consumer: own group, manual commit, start at the beginning.

    FastStream's batch loop sleeps `batch_timeout_ms` after an empty poll on top of the
    poll itself, so an idle consumer reacts within about twice that: kept short because
    a fix crosses two consumers on its way to live state.
    """
    return {
        "group_id": settings.service_name,
        "batch": True,
        "max_records": settings.consumer_batch_max,
        "batch_timeout_ms": settings.consumer_poll_timeout_ms,
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "decoder": undecoded,
    }


class Consumers:
    """A service's consumers: one dead-letter publisher and one retry policy for all of them."""

    def __init__(self, broker: KafkaBroker, settings: ServiceSettings) -> None:
        self._broker = broker
        self._service = settings.service_name
        self._options = batch_subscriber_options(settings)
        self.dead_letters = DeadLetters(broker, settings.service_name)
        self.retry = retry_policy(settings)

    def subscribe(
        self,
        topic: str,
        decoder: Decoder[M],
        handle: Handler[M],
        *,
        group: str | None = None,
        **options: Any,
    ) -> None:
        """Subscribe `handle` to batches of `topic`, decoded by `decoder`.

        `group` names the consumer group `<service>.<group>` (the service's own group when
        None): a group per projection means a rebalance of one never pauses the others.
        `options` override the batch defaults (e.g. `max_records=1`) or add FastStream's.
        """
        group_id = self._service if group is None else f"{self._service}.{group}"
        dead_letters, retry = self.dead_letters, self.retry

        async def on_batch(msg: KafkaMessage) -> None:
            await process_batch(records_of(msg.raw_message), decoder, handle, dead_letters, retry)

        on_batch.__name__ = on_batch.__qualname__ = (
            f"on_{topic.replace('.', '_').replace('-', '_')}_{group or 'main'}"
        )
        self._broker.subscriber(topic, **{**self._options, "group_id": group_id, **options})(on_batch)
