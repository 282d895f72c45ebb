"""The consumer kit: how every service reads Kafka.

Offsets commit only after the handler returned (FastStream `AckPolicy.NACK_ON_ERROR`: an
exception seeks back, so the batch is redelivered). On top of that, `process_batch`
classifies failures (`coldchain_servicekit.failures.is_transient`):

* a record that cannot be decoded into its contract goes to `<topic>.<service>.dlq`
  with the original bytes and the error in headers, and the rest of the batch is
  processed;
* a permanent failure of the handler (`PermanentError`, data the database refuses, a
  bug) is isolated by bisection: the batch is handled again in halves, in record order,
  until the records that fail on their own are found; those alone are dead-lettered,
  every other record takes effect, so one poison record never blocks a partition nor
  drags good records with it;
* a transient failure (a dependency down) redelivers the whole batch after a jittered
  backoff, until the dependency is back (or, if `attempts` is set, until it runs out).

Handlers must therefore be idempotent: a record may be handled more than once.

One call wires a consumer: `Consumers(broker, settings).subscribe(topic, decoder,
handler, group="sites")` subscribes the batch handler with its decoder, consumer group,
dead-letter topic and retry policy. `tombstone_aware` makes a decoder for compacted
topics, where a null value deletes its key.
"""

from coldchain_servicekit.consumers.batches import process_batch
from coldchain_servicekit.consumers.dead_letters import DeadLetters
from coldchain_servicekit.consumers.records import (
    Decoder,
    Delivered,
    Record,
    decode,
    records_of,
    tombstone_aware,
)
from coldchain_servicekit.consumers.retry import RetryPolicy, partition_heads, retry_policy
from coldchain_servicekit.consumers.subscribe import Consumers, batch_subscriber_options, undecoded

__all__ = [
    "Consumers",
    "DeadLetters",
    "Decoder",
    "Delivered",
    "Record",
    "RetryPolicy",
    "batch_subscriber_options",
    "decode",
    "partition_heads",
    "process_batch",
    "records_of",
    "retry_policy",
    "tombstone_aware",
    "undecoded",
]
