"""The transient / permanent split that decides between backing off and dead-lettering."""

from __future__ import annotations

import pytest
from aiokafka import errors as kafka_errors
from asyncpg import exceptions as pg_errors
from redis import exceptions as redis_errors
from sqlalchemy import exc as sa_errors

from coldchain_servicekit.failures import ContractViolation, PermanentError, TransientError, is_transient

pytestmark = pytest.mark.unit


class DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter puts in `.orig`: the SQLSTATE as an attribute."""

    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def db_error(kind: type[sa_errors.DBAPIError], sqlstate: str | None) -> sa_errors.DBAPIError:
    return kind("INSERT ...", None, DriverError(sqlstate))


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError("connect"),
        TimeoutError(),
        TransientError("site not known yet"),
        kafka_errors.KafkaTimeoutError(),
        kafka_errors.NotEnoughReplicasError(),
        redis_errors.ConnectionError("down"),
        redis_errors.BusyLoadingError("loading"),
        redis_errors.ResponseError("OOM command not allowed when used memory > 'maxmemory'"),
        db_error(sa_errors.OperationalError, "57P01"),  # admin shutdown
        db_error(sa_errors.OperationalError, "08006"),  # connection failure
        db_error(sa_errors.DBAPIError, "40001"),  # serialization failure
        db_error(sa_errors.DBAPIError, "40P01"),  # deadlock
        db_error(sa_errors.OperationalError, "53300"),  # too many connections
        db_error(sa_errors.InterfaceError, None),  # connection lost, no SQLSTATE
        pg_errors.ConnectionDoesNotExistError("closed in the middle of COPY"),
        pg_errors.CannotConnectNowError("starting up"),
    ],
)
def test_dependency_failures_are_transient(error: BaseException) -> None:
    assert is_transient(error)


@pytest.mark.parametrize(
    "error",
    [
        PermanentError("bad"),
        ContractViolation("bad json"),
        ValueError("bad"),
        KeyError("bug"),
        TypeError("bug"),
        kafka_errors.MessageSizeTooLargeError(),
        redis_errors.ResponseError("ERR Error running script: bad argument"),
        db_error(sa_errors.DataError, "22021"),  # character not in repertoire (NUL)
        db_error(sa_errors.DBAPIError, "22P05"),  # untranslatable character
        db_error(sa_errors.IntegrityError, "23505"),
        db_error(sa_errors.ProgrammingError, "42703"),
        pg_errors.UntranslatableCharacterError("unsupported Unicode escape sequence"),
    ],
)
def test_bad_data_and_bugs_are_permanent(error: BaseException) -> None:
    assert not is_transient(error)


def test_a_wrapped_dependency_failure_is_transient() -> None:
    outer = RuntimeError("publish failed")
    outer.__cause__ = ConnectionResetError("peer")
    assert is_transient(outer)
