"""The contracts package: registry consistency and the schema compatibility rule."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from coldchain_contracts import RawFix, RawFixReceived, is_identifier
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


def _raw_fix_schema() -> dict[str, Any]:
    return copy.deepcopy(export_schemas()["telemetry.gps.raw.v1/RawFixReceived"])


def test_removing_a_field_of_array_items_is_breaking() -> None:
    new = _fix_schema()
    del new["$defs"]["ReeferReading"]["properties"]["celsius"]
    assert breaking_changes(_fix_schema(), new) == ["temperatures[].celsius: removed"]


def test_a_field_of_array_items_becoming_required_is_breaking() -> None:
    new = _fix_schema()
    new["$defs"]["ReeferReading"]["required"].append("celsius")
    assert breaking_changes(_fix_schema(), new) == ["temperatures[].celsius: became required"]


def test_removing_an_enum_value_deep_in_the_tree_is_breaking() -> None:
    new = _raw_fix_schema()
    new["$defs"]["ChannelState"]["enum"].remove("unused")
    assert breaking_changes(_raw_fix_schema(), new) == [
        "fix.temperatures[].state: enum values removed ['unused']"
    ]


def test_adding_an_enum_value_is_compatible() -> None:
    new = _raw_fix_schema()
    new["$defs"]["ChannelState"]["enum"].append("defrosting")
    assert breaking_changes(_raw_fix_schema(), new) == []


def test_a_new_optional_nested_field_is_compatible() -> None:
    new = _raw_fix_schema()
    new["$defs"]["ReeferReading"]["properties"]["humidity"] = {
        "anyOf": [{"type": "number"}, {"type": "null"}],
        "default": None,
    }
    assert breaking_changes(_raw_fix_schema(), new) == []


def test_retyping_a_field_of_array_items_is_breaking() -> None:
    new = _fix_schema()
    new["$defs"]["ReeferReading"]["properties"]["channel"] = {"type": "integer"}
    assert breaking_changes(_fix_schema(), new) == ["temperatures[].channel: type changed string -> integer"]


def test_retyping_array_items_is_breaking() -> None:
    new = _fix_schema()
    new["properties"]["temperatures"]["items"] = {"type": "number"}
    assert breaking_changes(_fix_schema(), new) == ["temperatures[]: type changed object -> number"]


def test_changes_inside_an_optional_model_are_found() -> None:
    old: dict[str, Any] = {
        "$defs": {"Probe": {"type": "object", "properties": {"serial": {"type": "string"}}}},
        "type": "object",
        "properties": {"probe": {"anyOf": [{"$ref": "#/$defs/Probe"}, {"type": "null"}], "default": None}},
    }
    new = copy.deepcopy(old)
    new["$defs"]["Probe"]["properties"]["serial"] = {"type": "integer"}
    new["$defs"]["Probe"]["required"] = ["serial"]
    assert breaking_changes(old, new) == [
        "probe.serial: type changed string -> integer",
        "probe.serial: became required",
    ]


def test_making_a_field_nullable_is_breaking() -> None:
    new = _fix_schema()
    new["properties"]["latitude"] = {"anyOf": [{"type": "number"}, {"type": "null"}], "default": None}
    assert breaking_changes(_fix_schema(), new) == ["latitude: type changed number -> null | number"]


def test_changes_inside_map_values_are_found() -> None:
    old: dict[str, Any] = {
        "$defs": {"Zone": {"type": "object", "properties": {"celsius": {"type": "number"}}}},
        "type": "object",
        "properties": {"zones": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Zone"}}},
    }
    new = copy.deepcopy(old)
    del new["$defs"]["Zone"]["properties"]["celsius"]
    assert breaking_changes(old, new) == ["zones{}.celsius: removed"]


def test_recursive_schemas_terminate() -> None:
    old: dict[str, Any] = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                    "parent": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
                },
            }
        },
        "$ref": "#/$defs/Node",
    }
    new = copy.deepcopy(old)
    del new["$defs"]["Node"]["properties"]["name"]
    assert breaking_changes(old, new) == ["name: removed"]
    assert breaking_changes(old, copy.deepcopy(old)) == []


@pytest.mark.parametrize("topic", REGISTRY, ids=lambda t: t.name)
def test_the_partition_key_is_a_field_of_every_value_type(topic: Any) -> None:
    for value_type in topic.value_types:
        assert topic.key in value_type.model_fields


def test_topic_names_carry_a_version_and_are_unique() -> None:
    names = all_topic_names()
    assert len(names) == len(set(names))
    assert all(".v1" in n for n in names)


@pytest.mark.parametrize("device_id", ["abc\x00def", "a/b", "truck 7", "", "x" * 65])
def test_identifiers_on_the_telemetry_topics_follow_one_rule(device_id: str) -> None:
    with pytest.raises(ValidationError):
        RawFixReceived(
            device_id=device_id,
            received_at=datetime.now(UTC),
            fix=RawFix(device_time=datetime.now(UTC), latitude=1, longitude=1),
        )
    assert not is_identifier(device_id)
