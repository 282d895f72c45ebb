"""Topic bootstrap: per-topic CreateTopics errors surface, existing topics are checked, not altered."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from coldchain_contracts.topics import all_topic_names
from coldchain_devtools.testing import Infra
from coldchain_devtools.topics import (
    TopicMismatch,
    TopicSetupError,
    compare_topic,
    creation_outcome,
    ensure_topics,
    ensure_topics_report,
)

# ----------------------------------------------------------------------------- unit


@pytest.mark.unit
def test_creation_outcome_separates_created_and_existing() -> None:
    created, existed = creation_outcome(
        [
            {"topic": "a", "error_code": 0, "error_message": None},
            {"topic": "b", "error_code": 36, "error_message": "Topic 'b' already exists."},
        ]
    )
    assert (created, existed) == (["a"], ["b"])


@pytest.mark.unit
def test_creation_outcome_raises_naming_the_topic_and_the_error() -> None:
    with pytest.raises(TopicSetupError, match=r"bad: INVALID_CONFIG \(40\): Invalid value bogus"):
        creation_outcome(
            [
                {"topic": "good", "error_code": 0},
                {"topic": "bad", "error_code": 40, "error_message": "Invalid value bogus"},
            ]
        )


@pytest.mark.unit
def test_compare_topic_reports_partitions_and_cleanup_policy() -> None:
    wanted = NewTopic("t", 6, 1, topic_configs={"cleanup.policy": "compact"})
    assert compare_topic(wanted, 6, "compact") == []
    assert compare_topic(wanted, 3, "delete") == [
        TopicMismatch("t", "partitions", "6", "3"),
        TopicMismatch("t", "cleanup.policy", "compact", "delete"),
    ]
    both = NewTopic("t", 1, 1, topic_configs={"cleanup.policy": "compact,delete"})
    assert compare_topic(both, 1, "delete, compact") == []


# ----------------------------------------------------------------------------- integration


@pytest.fixture
async def admin(infra: Infra) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=infra.kafka)
    await client.start()
    yield client
    await client.close()


@pytest.mark.integration
async def test_ensure_topics_twice_is_idempotent(infra: Infra, admin: AIOKafkaAdminClient) -> None:
    await ensure_topics(infra.kafka)
    assert set(all_topic_names()) <= set(await admin.list_topics())

    second = await ensure_topics_report(infra.kafka)

    assert second.created == []
    assert sorted(second.existing) == sorted(all_topic_names())
    assert second.mismatches == []


@pytest.mark.integration
async def test_an_existing_topic_that_differs_is_reported_and_left_alone(
    infra: Infra, admin: AIOKafkaAdminClient, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix = uuid.uuid4().hex[:8]
    wrong, fresh = f"devtools-it.wrong.{suffix}", f"devtools-it.fresh.{suffix}"
    await admin.create_topics([NewTopic(wrong, 1, 1, topic_configs={"cleanup.policy": "delete"})])
    try:
        report = await ensure_topics_report(
            infra.kafka,
            topics=[
                NewTopic(wrong, 3, 1, topic_configs={"cleanup.policy": "compact"}),
                NewTopic(fresh, 2, 1, topic_configs={"cleanup.policy": "delete"}),
            ],
        )

        assert report.created == [fresh]
        assert report.existing == [wrong]
        assert report.mismatches == [
            TopicMismatch(wrong, "partitions", "3", "1"),
            TopicMismatch(wrong, "cleanup.policy", "compact", "delete"),
        ]
        err = capsys.readouterr().err
        assert f"warning: topic {wrong}: partitions is 1, registry says 3" in err
        assert f"warning: topic {wrong}: cleanup.policy is delete, registry says compact" in err
        (described,) = await admin.describe_topics([wrong])
        assert len(described["partitions"]) == 1  # not altered
    finally:
        await admin.delete_topics([wrong, fresh])


@pytest.mark.integration
async def test_a_topic_kafka_refuses_to_create_raises(infra: Infra, admin: AIOKafkaAdminClient) -> None:
    name = f"devtools-it.invalid.{uuid.uuid4().hex[:8]}"
    with pytest.raises(TopicSetupError, match=rf"{name}: INVALID_CONFIG"):
        await ensure_topics_report(
            infra.kafka, topics=[NewTopic(name, 1, 1, topic_configs={"cleanup.policy": "bogus"})]
        )
    assert name not in await admin.list_topics()
