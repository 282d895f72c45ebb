"""W3C traceparent handling."""

from __future__ import annotations

import pytest

from coldchain_servicekit.tracecontext import child_of, parse, trace_id_of

pytestmark = pytest.mark.unit
PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_a_child_keeps_the_trace_id_and_flags_with_a_new_span_id() -> None:
    child = child_of(PARENT)
    assert trace_id_of(child) == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert child.endswith("-01")
    assert child.split("-")[2] != "00f067aa0ba902b7"


def test_without_a_parent_a_new_valid_trace_starts() -> None:
    first, second = child_of(None), child_of(None)
    assert parse(first) is not None
    assert trace_id_of(first) != trace_id_of(second)


@pytest.mark.parametrize(
    "invalid",
    [
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # zero parent id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # forbidden version
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  # upper case
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  # short trace id
        "garbage",
        "",
    ],
)
def test_an_invalid_parent_is_ignored_and_a_new_trace_starts(invalid: str) -> None:
    assert parse(invalid) is None
    assert trace_id_of(child_of(invalid)) not in (None, "4bf92f3577b34da6a3ce929d0e0e4736")
