"""Which handler failures are worth retrying.

A consumer that retries everything lets one bad record block its partition; one that
retries nothing turns a database restart into dead letters. So failures fall in two
families:

* **transient**: a dependency is unreachable, busy or restarting (connection refused or
  lost, timeouts, PostgreSQL's connection, resource and shutdown classes, serialization
  failures and deadlocks, Redis loading or out of memory, Kafka's retriable and timeout
  errors). The same input will succeed later, so the batch backs off and is redelivered.
* **permanent**: everything else, above all `PermanentError` (contract violations and
  domain validation), data the database refuses (SQLSTATE class 22 data exceptions,
  class 23 integrity violations) and programming errors. Retrying cannot help, so the
  record is isolated and dead-lettered at once.

Unknown exceptions count as permanent: a bug then dead-letters the records it touches
(replayable once fixed) instead of stalling a partition.
"""

from __future__ import annotations

from aiokafka import errors as kafka_errors
from asyncpg import exceptions as pg_errors
from redis import exceptions as redis_errors
from sqlalchemy import exc as sa_errors


class PermanentError(Exception):
    """A failure that the same input will always produce: dead-letter, never retry."""


class ContractViolation(PermanentError, ValueError):
    """A record that does not decode into its contract (bad JSON, UTF-8 or field)."""


class TransientError(Exception):
    """A handler's own signal that the same input will succeed later (retry with backoff)."""


# PostgreSQL SQLSTATE classes and codes that mean "try again later".
_TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "40", "53", "57", "58"})
_TRANSIENT_SQLSTATES = frozenset({"55P03", "55006"})  # lock not available, object in use

_PERMANENT_KAFKA = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidTopicError,
    kafka_errors.TopicAuthorizationFailedError,
    kafka_errors.UnsupportedCodecError,
    kafka_errors.IllegalArgumentError,
)
_TRANSIENT_REDIS = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,
    redis_errors.OutOfMemoryError,
    redis_errors.TryAgainError,
    redis_errors.ClusterDownError,
)
_TRANSIENT_REDIS_REPLIES = ("LOADING", "BUSY", "OOM", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN")


def is_transient(error: BaseException) -> bool:
    """True when the failure comes from a dependency that may recover (see module doc)."""
    if isinstance(error, PermanentError):
        return False
    if isinstance(error, TransientError | OSError):  # OSError covers ConnectionError and TimeoutError
        return True
    if isinstance(error, kafka_errors.KafkaError):
        return not isinstance(error, _PERMANENT_KAFKA)
    if isinstance(error, _TRANSIENT_REDIS):
        return True
    if isinstance(error, redis_errors.ResponseError):
        return str(error).startswith(_TRANSIENT_REDIS_REPLIES)
    if isinstance(error, sa_errors.DBAPIError):
        return error.connection_invalidated or _transient_sqlstate(error.orig) or _is_connection_error(error)
    if isinstance(error, pg_errors.PostgresError):  # raw asyncpg (COPY runs on the driver connection)
        return _transient_sqlstate(error)
    if isinstance(error, pg_errors.InterfaceError):  # asyncpg: connection closed under us
        return True
    if isinstance(error, sa_errors.DisconnectionError | sa_errors.TimeoutError):
        return True
    cause = error.__cause__
    return cause is not None and cause is not error and is_transient(cause)


def _transient_sqlstate(error: object) -> bool:
    state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    if not isinstance(state, str):
        return False
    return state in _TRANSIENT_SQLSTATES or state[:2] in _TRANSIENT_SQLSTATE_CLASSES


def _is_connection_error(error: sa_errors.DBAPIError) -> bool:
    """Errors without a SQLSTATE: the driver lost or never had a connection."""
    if getattr(error.orig, "sqlstate", None):
        return False
    return isinstance(error, sa_errors.OperationalError | sa_errors.InterfaceError)
