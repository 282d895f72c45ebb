"""What an engine hands back: routes only (client numbers, depot omitted)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EngineSolution:
    engine: str
    routes: tuple[tuple[int, ...], ...]
