"""The contracts package: registry consistency and the schema compatibility rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from coldchain_contracts.schema_export import breaking_changes, compare_with_snapshot, export_schemas
from coldchain_contracts.topics import REGISTRY, all_topic_names

pytestmark = pytest.mark.unit
SNAPSHOT = Path(__file__).resolve().parents[1] / "schemas" / "snapshot.json"


def _fix_schema() -> dict[str, Any]:
    return copy.deepcopy(export_schemas()["telemetry.gps.v1/FixAccepted"])


def test_current_schemas_are_compatible_with_the_committed_snapshot() -> None:
    assert compare_with_snapshot(json.loads(SNAPSHOT.read_text())) == []


def test_every_message_type_of_the_registry_is_in_the_snapshot() -> None:
    assert set(export_schemas()) == set(json.loads(SNAPSHOT.read_text()))


def test_removing_a_field_is_breaking() -> None:
    new = _fix_schema()
    del new["properties"]["speed_kmh"]
    assert breaking_changes(_fix_schema(), new) == ["speed_kmh: removed"]


def test_retyping_a_field_is_breaking() -> None:
    new = _fix_schema()
    new["properties"]["latitude"] = {"type": "string"}
    assert any("latitude: type changed" in p for p in breaking_changes(_fix_schema(), new))


def test_a_new_required_field_is_breaking() -> None:
    new = _fix_schema()
    new["properties"]["fleet"] = {"type": "string"}
    new["required"] = [*new["required"], "fleet"]
    assert breaking_changes(_fix_schema(), new) == ["fleet: became required"]


def test_a_new_optional_field_is_compatible() -> None:
    new = _fix_schema()
    new["properties"]["fleet"] = {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None}
    assert breaking_changes(_fix_schema(), new) == []


def test_removing_an_enum_value_is_breaking() -> None:
    old = export_schemas()["telemetry.rejected.v1/FixRejected"]
    new = copy.deepcopy(old)
    new["$defs"]["RejectReason"]["enum"].remove("null_island")
    assert any("enum values removed" in p for p in breaking_changes(old, new))


def test_removing_a_nested_field_is_breaking() -> None:
    old = export_schemas()["telemetry.gps.raw.v1/RawFixReceived"]
    new = copy.deepcopy(old)
    del new["$defs"]["RawFix"]["properties"]["heading"]
    assert "fix.heading: removed" in breaking_changes(old, new)


@pytest.mark.parametrize("topic", REGISTRY, ids=lambda t: t.name)
def test_the_partition_key_is_a_field_of_every_value_type(topic: Any) -> None:
    for value_type in topic.value_types:
        assert topic.key in value_type.model_fields


def test_topic_names_carry_a_version_and_are_unique() -> None:
    names = all_topic_names()
    assert len(names) == len(set(names))
    assert all(".v1" in n for n in names)
