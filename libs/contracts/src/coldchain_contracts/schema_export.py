"""JSON Schema export of every message, and the compatibility check against a snapshot.

The check encodes our versioning rule: within a topic version a property may be
added (with a default, i.e. not required) but never removed, retyped, or made
required.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
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


Schema = dict[str, Any]


@dataclass(frozen=True)
class _Walk:
    """Both documents (for `$ref` look-ups) and the `$ref` pairs entered on the current path."""

    old_root: Schema
    new_root: Schema
    entered: frozenset[tuple[str, str]] = frozenset()

    def enter(self, refs: tuple[str, str]) -> _Walk:
        return replace(self, entered=self.entered | {refs})


def breaking_changes(old: Schema, new: Schema, where: str = "") -> list[str]:
    """Breaking differences between two JSON schemas (empty list: compatible).

    The rule applies at every depth of the schema tree, i.e. to every object reached
    through properties, `$ref`, `anyOf`/`oneOf` branches, array `items` and
    `additionalProperties` schemas:

    - a property must not be removed, nor become required;
    - a value must keep its JSON types (the set of union branches, with `format`
      and `const`); enum values may be added but not removed.

    Paths read like `fix.temperatures[].celsius` (`[]`: array items, `{}`: map values).
    A `$ref` already entered on the current path is not compared again, so recursive
    schemas terminate.
    """
    return _compare(old, new, where, _Walk(old, new))


def _compare(old: Schema, new: Schema, path: str, walk: _Walk) -> list[str]:
    """Compare two schema nodes: their JSON types, then each old union branch with its counterpart."""
    old_alts = _alternatives(old, walk.old_root)
    new_alts = _alternatives(new, walk.new_root)
    old_kinds, new_kinds = {_kind(s) for _, s in old_alts}, {_kind(s) for _, s in new_alts}
    problems: list[str] = []
    if old_kinds != new_kinds:
        problems.append(f"{path or '<root>'}: type changed {_show(old_kinds)} -> {_show(new_kinds)}")
    for old_alt in old_alts:
        candidates = [alt for alt in new_alts if _kind(alt[1]) == _kind(old_alt[1])]
        if candidates:  # several branches of one kind (e.g. two models): the closest one counts
            closest: list[str] = min(
                (_compare_branch(old_alt, alt, path, walk) for alt in candidates), key=len
            )
            problems += closest
    return problems


def _alternatives(schema: Schema, root: Schema, ref: str = "") -> list[tuple[str, Schema]]:
    """The union branches of a schema, flattened and `$ref`-resolved, each with the `$ref` it came from."""
    ref, schema = _resolve(schema, root, ref)
    branches = schema.get("anyOf", schema.get("oneOf"))
    if not isinstance(branches, list):
        return [(ref, schema)]
    return [alt for branch in branches for alt in _alternatives(branch, root, ref)]


def _resolve(schema: Schema, root: Schema, ref: str = "") -> tuple[str, Schema]:
    """Follow local `$ref`s (and single-element `allOf` wrappers) to the schema they name."""
    seen: set[str] = set()
    while True:
        if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        target = schema.get("$ref")
        if not (isinstance(target, str) and target.startswith("#/$defs/")) or target in seen:
            return ref, schema
        seen.add(target)
        ref, schema = target, root["$defs"][target.removeprefix("#/$defs/")]


def _kind(schema: Schema) -> str:
    """What a consumer relies on about one (non-union) schema: its JSON type, format, const or enum-ness."""
    if "const" in schema:
        return f"const {json.dumps(schema['const'])}"
    if "enum" in schema:
        return "enum"
    kind = str(schema.get("type", "any"))
    return f"{kind}({schema['format']})" if "format" in schema else kind


def _show(kinds: set[str]) -> str:
    return " | ".join(sorted(kinds))


def _compare_branch(old: tuple[str, Schema], new: tuple[str, Schema], path: str, walk: _Walk) -> list[str]:
    """Compare two branches of the same kind: enum values, object properties, array items."""
    (old_ref, old_schema), (new_ref, new_schema) = old, new
    if old_ref or new_ref:
        if (old_ref, new_ref) in walk.entered:
            return []
        walk = walk.enter((old_ref, new_ref))
    return [
        *_enum_changes(old_schema, new_schema, path),
        *_object_changes(old_schema, new_schema, path, walk),
        *_array_changes(old_schema, new_schema, path, walk),
    ]


def _enum_changes(old: Schema, new: Schema, path: str) -> list[str]:
    old_values, new_values = old.get("enum", []), new.get("enum", [])
    removed = [value for value in old_values if value not in new_values]
    return [f"{path or '<root>'}: enum values removed {removed}"] if removed else []


def _object_changes(old: Schema, new: Schema, path: str, walk: _Walk) -> list[str]:
    """Removed, changed and newly required properties, then the values of `additionalProperties`."""
    problems: list[str] = []
    new_props: Schema = new.get("properties", {})
    for name, old_prop in old.get("properties", {}).items():
        child = f"{path}.{name}" if path else name
        if name in new_props:
            problems += _compare(old_prop, new_props[name], child, walk)
        else:
            problems.append(f"{child}: removed")
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        problems.append(f"{path + '.' if path else ''}{name}: became required")
    old_values, new_values = _map_values(old), _map_values(new)
    if old_values is not None and new_values is not None:
        problems += _compare(old_values, new_values, f"{path}{{}}", walk)
    return problems


def _map_values(schema: Schema) -> Schema | None:
    """The schema of `additionalProperties` values (`true` meaning any value), if there is one."""
    extra = schema.get("additionalProperties")
    if extra is True:
        return {}
    return extra if isinstance(extra, dict) else None


def _array_changes(old: Schema, new: Schema, path: str, walk: _Walk) -> list[str]:
    old_items, new_items = old.get("items"), new.get("items")
    if not (isinstance(old_items, dict) and isinstance(new_items, dict)):
        return []
    return _compare(old_items, new_items, f"{path}[]", walk)


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
