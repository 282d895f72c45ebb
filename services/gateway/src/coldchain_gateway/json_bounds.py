"""What a free-form JSON value (fix attributes, a site body) must respect to be storable
and publishable downstream: no U+0000 (PostgreSQL text and JSONB cannot hold it), no lone
surrogate (not encodable as UTF-8, so neither Kafka nor any HTTP hop can carry it), and a
bounded nesting depth.

The depth bound is far below what the contracts' JSON parser accepts (pydantic refuses a
message nested about 200 deep, and the serializer about 255): a value that passes here
is never refused later, where it could only be dead-lettered, after the client had a 2xx.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 16
"""Levels of objects and arrays in one free-form value, itself included."""


def _string_problem(text: str) -> str | None:
    if "\x00" in text:
        return "must not contain U+0000 in any key or string"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must not contain a lone UTF-16 surrogate (such as \\ud800) in any key or string"
    return None


def json_problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Why `value` (parsed JSON) cannot travel on, or None. Iterative: no recursion limit."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            problem = _string_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict | list):
            if depth + 1 > max_depth:
                return f"must not nest objects and arrays more than {max_depth} levels deep"
            children = item.values() if isinstance(item, dict) else item
            if isinstance(item, dict):
                pending.extend((key, depth) for key in item)
            pending.extend((child, depth + 1) for child in children)
    return None


def checked_json(value: Any) -> Any:
    """A pydantic after-validator: the value unchanged, or a ValueError naming the problem."""
    problem = json_problem(value)
    if problem:
        raise ValueError(problem)
    return value
