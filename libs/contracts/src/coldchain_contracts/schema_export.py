"""JSON Schema export of every message, and the compatibility check against a snapshot.

The check encodes our versioning rule: within a topic version a property may be
added (with a default, i.e. not required) but never removed, retyped, or made
required.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from coldchain_contracts.topics import REGISTRY


def export_schemas() -> dict[str, dict[str, Any]]:
    """`{"<topic>/<MessageType>": json_schema}` for every registered message type."""
    schemas: dict[str, dict[str, Any]] = {}
    for topic in REGISTRY:
        for value_type in topic.value_types:
            schemas[f"{topic.name}/{value_type.__name__}"] = value_type.model_json_schema(
                mode="serialization"
            )
    return schemas


def write_snapshot(path: Path) -> None:
    path.write_text(json.dumps(export_schemas(), indent=2, sort_keys=True) + "\n")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(root["$defs"][ref.removeprefix("#/$defs/")], root)
    return schema


def _type_signature(schema: dict[str, Any], root: dict[str, Any]) -> Any:
    """What a consumer relies on: the JSON types a property may take."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        return sorted(json.dumps(_type_signature(s, root), sort_keys=True) for s in schema["anyOf"])
    if "enum" in schema:
        return {"enum": sorted(map(str, schema["enum"]))}
    if "const" in schema:
        return {"const": schema["const"]}
    return {"type": schema.get("type"), "format": schema.get("format")}


def breaking_changes(old: dict[str, Any], new: dict[str, Any], where: str = "") -> list[str]:
    """Breaking differences between two object schemas (empty list: compatible)."""
    problems: list[str] = []
    old_props: dict[str, Any] = old.get("properties", {})
    new_props: dict[str, Any] = new.get("properties", {})
    for name, old_prop in old_props.items():
        path = f"{where}.{name}" if where else name
        if name not in new_props:
            problems.append(f"{path}: removed")
            continue
        old_sig = _type_signature(old_prop, old)
        new_sig = _type_signature(new_props[name], new)
        if isinstance(old_sig, dict) and "enum" in old_sig and isinstance(new_sig, dict):
            missing = set(old_sig["enum"]) - set(new_sig.get("enum") or old_sig["enum"])
            if missing:
                problems.append(f"{path}: enum values removed {sorted(missing)}")
        elif old_sig != new_sig:
            problems.append(f"{path}: type changed {old_sig} -> {new_sig}")
        old_obj, new_obj = _resolve(old_prop, old), _resolve(new_props[name], new)
        if old_obj.get("type") == "object" and "properties" in old_obj:
            problems += breaking_changes(
                {**old_obj, "$defs": old.get("$defs", {})},
                {**new_obj, "$defs": new.get("$defs", {})},
                path,
            )
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    for name in sorted(newly_required):
        problems.append(f"{where + '.' if where else ''}{name}: became required")
    return problems


def compare_with_snapshot(snapshot: dict[str, dict[str, Any]]) -> list[str]:
    current = export_schemas()
    problems: list[str] = []
    for message, old_schema in snapshot.items():
        if message not in current:
            problems.append(f"{message}: message type removed")
            continue
        problems += [f"{message}: {p}" for p in breaking_changes(old_schema, current[message])]
    return problems


def main() -> None:
    """Rewrite the committed snapshot (run after an intentional, compatible change)."""
    target = Path(__file__).resolve().parents[2] / "schemas" / "snapshot.json"
    target.parent.mkdir(exist_ok=True)
    problems = compare_with_snapshot(json.loads(target.read_text())) if target.exists() else []
    if problems:
        raise SystemExit("refusing to overwrite snapshot; breaking changes:\n" + "\n".join(problems))
    write_snapshot(target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
