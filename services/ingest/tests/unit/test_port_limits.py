"""Token buckets and connection slots of the device ports, with time passed in."""

from __future__ import annotations

import pytest

from coldchain_ingest.protocols.limits import ConnectionSlots, Rate, TokenBuckets

pytestmark = pytest.mark.unit


def test_a_burst_is_granted_then_refused_until_the_bucket_refills() -> None:
    buckets = TokenBuckets(Rate(per_s=2.0, burst=3))
    assert [buckets.allow("d1", 0.0) for _ in range(4)] == [True, True, True, False]
    assert buckets.wait_s("d1", 0.0) == pytest.approx(0.5), "one token every 0.5 s"
    assert buckets.allow("d1", 0.5)
    assert not buckets.allow("d1", 0.5)


def test_refill_never_exceeds_the_burst() -> None:
    buckets = TokenBuckets(Rate(per_s=10.0, burst=2))
    assert buckets.allow("d1", 0.0)
    assert [buckets.allow("d1", 1000.0) for _ in range(3)] == [True, True, False]


def test_keys_are_independent() -> None:
    buckets = TokenBuckets(Rate(per_s=1.0, burst=1))
    assert buckets.allow("a", 0.0)
    assert not buckets.allow("a", 0.0)
    assert buckets.allow("b", 0.0)


def test_rate_zero_switches_the_limit_off_and_keeps_no_state() -> None:
    buckets = TokenBuckets(Rate(per_s=0.0, burst=1))
    assert all(buckets.allow("a", 0.0) for _ in range(1000))
    assert len(buckets) == 0


def test_rotating_keys_cannot_grow_the_map_past_its_bound() -> None:
    buckets = TokenBuckets(Rate(per_s=1.0, burst=1), max_keys=100)
    for i in range(10_000):
        buckets.allow(f"forged-{i}", 0.0)
    assert len(buckets) == 100


def test_the_least_recently_used_key_is_the_one_forgotten() -> None:
    buckets = TokenBuckets(Rate(per_s=1.0, burst=1), max_keys=2)
    assert buckets.allow("a", 0.0)
    assert buckets.allow("b", 0.0)
    assert not buckets.allow("a", 0.0)  # touches a: b is now the oldest
    assert buckets.allow("c", 0.0)  # evicts b
    assert not buckets.allow("a", 0.0), "a was kept, still empty"


def test_reserve_paces_instead_of_refusing() -> None:
    buckets = TokenBuckets(Rate(per_s=4.0, burst=2))
    assert [buckets.reserve_s("d", 0.0) for _ in range(4)] == [0.0, 0.0, 0.25, 0.5]
    assert buckets.reserve_s("d", 10.0) == 0.0, "debt repaid, bucket full again"


def test_connection_slots_cap_the_total_and_each_address() -> None:
    slots = ConnectionSlots(total=3, per_address=2)
    assert [slots.admit("10.0.0.1") for _ in range(3)] == [None, None, "max_per_address"]
    assert slots.admit("10.0.0.2") is None
    assert slots.admit("10.0.0.3") == "max_connections"
    slots.release("10.0.0.1")
    assert slots.open == 2
    assert slots.admit("10.0.0.3") is None


def test_releasing_more_than_was_admitted_never_goes_negative() -> None:
    slots = ConnectionSlots(total=1, per_address=1)
    slots.release("10.0.0.1")
    assert slots.open == 0
    assert slots.admit("10.0.0.1") is None
    assert slots.admit("10.0.0.2") == "max_connections"
