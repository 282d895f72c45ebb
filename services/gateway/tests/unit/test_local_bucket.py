"""A replica's view of a token bucket between two syncs with Redis."""

from __future__ import annotations

import pytest

from coldchain_gateway.security.ratelimit import Rate
from coldchain_gateway.security.synced_limiter import LocalBucket

pytestmark = pytest.mark.unit


def test_grants_the_tokens_it_holds_then_says_when_the_next_comes() -> None:
    bucket = LocalBucket(Rate.parse("3/3s"), tokens=3, at=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0, 0, 0]
    assert bucket.take(0.0) == pytest.approx(1.0)
    assert bucket.unsynced == 3, "a denied hit is not debited"
    assert bucket.take(1.0) == 0, "refilled one token in a second"


def test_refill_never_exceeds_the_burst() -> None:
    bucket = LocalBucket(Rate.parse("2/1s"), tokens=0, at=0.0)
    bucket.take(100.0)
    assert bucket.tokens == pytest.approx(1.0)


def test_sync_takes_redis_view_minus_hits_granted_since_the_round_was_sent() -> None:
    bucket = LocalBucket(Rate.parse("10/10s"), tokens=10, at=0.0)
    for _ in range(4):
        bucket.take(0.0)
    bucket.in_flight, bucket.unsynced = bucket.unsynced, 0  # the round leaves with 4 hits
    bucket.take(0.0)  # granted while the round is out
    bucket.synced(redis_tokens=2.0, now=0.0)  # other replicas took 4 more meanwhile
    assert bucket.tokens == pytest.approx(1.0)
    assert (bucket.unsynced, bucket.in_flight) == (1, 0)


def test_a_bucket_in_debt_grants_nothing_until_refills_pay_it_back() -> None:
    bucket = LocalBucket(Rate.parse("5/5s"), tokens=5, at=0.0)
    bucket.synced(redis_tokens=-5.0, now=0.0)
    assert bucket.take(0.0) == pytest.approx(6.0)
    assert bucket.take(6.0) == 0


def test_idle_once_refilled_and_nothing_left_to_send() -> None:
    bucket = LocalBucket(Rate.parse("5/5s"), tokens=5, at=0.0)
    bucket.take(1.0)
    assert not bucket.idle(100.0), "a hit is still to be debited"
    bucket.in_flight, bucket.unsynced = 1, 0
    bucket.synced(4.0, 1.0)
    assert not bucket.idle(5.0)
    assert bucket.idle(6.5)
