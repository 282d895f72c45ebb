"""Li & Lim reader and evaluator: the format, pair checks, and every rule the evaluator enforces."""

from __future__ import annotations

import math

import pytest

from coldchain_benchkit.pdptw.evaluate import ViolationKind, evaluate
from coldchain_benchkit.pdptw.instance import FormatError, PdptwInstance, load, parse
from coldchain_devtools.shared_data import pdptw_dir

pytestmark = pytest.mark.unit

# Depot at the origin; request 1 -> 2 along the x axis, request 3 -> 4 along the y axis.
TINY = """2 10 1
0 0 0 0 0 100 0 0 0
1 1 0 5 0 100 1 0 2
2 2 0 -5 0 100 1 1 0
3 0 1 5 0 100 1 0 4
4 0 2 -5 0 {due4} 1 3 0
"""


def tiny(capacity: int = 10, due4: int = 100, vehicles: int = 2) -> PdptwInstance:
    text = TINY.format(due4=due4).replace("2 10 1", f"{vehicles} {capacity} 1", 1)
    return parse(text, "tiny")


def kinds(instance: PdptwInstance, routes: list[list[int]]) -> set[ViolationKind]:
    return {v.kind for v in evaluate(instance, routes).violations}


def test_parse_reads_tasks_and_pairs() -> None:
    inst = tiny()
    assert (inst.vehicles, inst.capacity, inst.horizon) == (2, 10, 100.0)
    assert inst.pairs == ((1, 2), (3, 4))
    assert inst.distance[1, 4] == pytest.approx(math.sqrt(5))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 10 1\n0 0 0 0 0 100 0 0 0\n1 1 0 5 0 100 1 0 2\n2 2 0 -5 0 100 1 3 0\n", "names"),
        ("2 10 1\n0 0 0 0 0 100 0 0\n", "9 fields"),
        ("2 10 1\n0 0 0 0 0 100 0 0 0\n2 1 0 5 0 100 1 0 2\n", "numbered"),
        ("", "first line"),
    ],
)
def test_parse_rejects_malformed_files(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse(text, "bad")


def test_the_shared_instances_load() -> None:
    inst = load(pdptw_dir() / "lc101.txt")
    assert (inst.vehicles, inst.capacity, len(inst.tasks), len(inst.pairs)) == (25, 200, 107, 53)


def test_a_valid_answer_has_its_double_precision_distance() -> None:
    inst = tiny()
    two = evaluate(inst, [[1, 2], [3, 4]])
    assert two.feasible
    assert two.vehicles == 2
    assert two.distance == pytest.approx(8.0)
    one = evaluate(inst, [[1, 2, 3, 4]])
    # 1 + 1 + sqrt(5) from (2, 0) to (0, 1) + 1 + 2 back.
    assert one.feasible
    assert one.distance == pytest.approx(5 + math.sqrt(5))


@pytest.mark.parametrize(
    ("instance", "routes", "expected"),
    [
        (tiny(), [[2, 1], [3, 4]], {ViolationKind.PRECEDENCE}),
        (tiny(), [[1, 4], [3, 2]], {ViolationKind.PAIRING}),
        (tiny(capacity=8), [[1, 3, 2, 4]], {ViolationKind.CAPACITY}),
        (tiny(due4=3), [[1, 2, 3, 4]], {ViolationKind.TIME_WINDOW}),
        (tiny(), [[1, 2]], {ViolationKind.MISSING_TASK}),
        (tiny(), [[1, 2], [3, 4, 3]], {ViolationKind.DUPLICATE_TASK}),
        (tiny(vehicles=1), [[1, 2], [3, 4]], {ViolationKind.FLEET_SIZE}),
    ],
)
def test_each_broken_rule_is_reported(
    instance: PdptwInstance, routes: list[list[int]], expected: set[ViolationKind]
) -> None:
    assert expected <= kinds(instance, routes)


def test_service_time_counts_towards_the_next_window() -> None:
    # Request 3 -> 4 alone: reach 3 at 1, serve until 2, reach 4 at 3; due 2.5 is missed only
    # because of the service time at 3.
    text = TINY.format(due4=100).replace("4 0 2 -5 0 100 1 3 0", "4 0 2 -5 0 2.5 1 3 0")
    assert ViolationKind.TIME_WINDOW in kinds(parse(text, "svc"), [[1, 2], [3, 4]])


def test_late_return_and_unknown_tasks() -> None:
    text = TINY.format(due4=100).replace("0 0 0 0 0 100 0 0 0", "0 0 0 0 0 5 0 0 0")
    assert ViolationKind.DEPOT_RETURN in kinds(parse(text, "late"), [[1, 2, 3, 4]])
    result = evaluate(tiny(), [[1, 2], [3, 4, 9]])
    assert ViolationKind.UNKNOWN_TASK in {v.kind for v in result.violations}
    assert math.isnan(result.distance)
