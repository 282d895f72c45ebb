"""Which body may carry which goods, and in which compartment.

One configurable matrix (body type -> zones of goods it may carry). Default, as the
operator states it: frozen goods on frozen or dual bodies; chilled goods on chilled,
dual, or a frozen body set to a chilled setpoint; ambient goods on any body.

A refrigerated compartment holds one setpoint at a time. The planner fixes one
setpoint per compartment for a whole route (see `setpoints.py`), so frozen and chilled
goods never share a compartment. Ambient goods need no setpoint: they ride in any
compartment of a body that may carry them (on a dual body, the chilled one, so the
frozen compartment keeps its capacity for frozen goods).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coldchain_contracts.fleet import BodyType, TemperatureZone

F, C, A = TemperatureZone.FROZEN, TemperatureZone.CHILLED, TemperatureZone.AMBIENT
REFRIGERATED = (F, C)


@dataclass(frozen=True, slots=True)
class CompatibilityMatrix:
    carries: tuple[tuple[BodyType, frozenset[TemperatureZone]], ...]

    @classmethod
    def of(cls, mapping: Mapping[BodyType, frozenset[TemperatureZone]]) -> CompatibilityMatrix:
        missing = set(BodyType) - set(mapping)
        if missing:
            raise ValueError(f"compatibility matrix must list every body type, missing {sorted(missing)}")
        return cls(tuple((body, frozenset(mapping[body])) for body in BodyType))

    def zones_for(self, body: BodyType) -> frozenset[TemperatureZone]:
        for b, zones in self.carries:
            if b is body:
                return zones
        return frozenset()

    def allows(self, body: BodyType, zone: TemperatureZone) -> bool:
        return zone in self.zones_for(body)


DEFAULT_MATRIX = CompatibilityMatrix.of(
    {
        BodyType.FROZEN: frozenset({F, C, A}),
        BodyType.CHILLED: frozenset({C, A}),
        BodyType.DUAL: frozenset({F, C, A}),
        BodyType.AMBIENT: frozenset({A}),
    }
)


def setpoint_options(body: BodyType, matrix: CompatibilityMatrix) -> tuple[tuple[TemperatureZone, ...], ...]:
    """The setpoint tuples (one zone per compartment) a body may be run at."""
    if body is BodyType.DUAL:
        return ((F, C),)
    if body is BodyType.AMBIENT:
        return ((A,),)
    cold = [z for z in REFRIGERATED if matrix.allows(body, z)]
    return tuple((z,) for z in cold) or ((A,),)


def compartment_for(
    body: BodyType, setpoints: tuple[TemperatureZone, ...], zone: TemperatureZone, matrix: CompatibilityMatrix
) -> int | None:
    """Index of the compartment that takes goods of `zone`, or None if none may."""
    if not matrix.allows(body, zone):
        return None
    if zone is A:
        return len(setpoints) - 1
    for index, setpoint in enumerate(setpoints):
        if setpoint is zone:
            return index
    return None
