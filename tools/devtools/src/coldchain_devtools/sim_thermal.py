"""A small reefer thermal model for the simulator. Pure: no I/O, time only as `dt_s`.

Each compartment's probe temperature follows first-order (Newtonian) dynamics: a running
unit pulls it towards its setpoint with time constant `pull_down_tau_s` (its thermostat
holds the heat leaking through the walls); an open door adds heat it cannot fully hold (a
pull towards the outside air, `door_tau_s`); a stopped unit lets the compartment warm
towards the outside air (`warm_up_tau_s`). With several pulls acting, the temperature
approaches their weighted equilibrium; `step` integrates that exactly, so any `dt_s` (a
compressed simulated day takes big steps) stays stable.

Events on top:
- **door open** (the truck dwells at a stop): the probe warms slowly, by well under a degree
  at a short demo stop and never past the band on its own (the probe sits in product
  simulant, as EN 12830 probes usually do);
- **defrost**: every `defrost_every_s` (demo-scaled; real units defrost every few hours)
  the unit stops cooling and heats its coil for `defrost_s`; the fix carries the defrost
  flag, which tracking excuses;
- **unit failure** (one chosen truck): `failure_after_s` after its first load the unit stops
  cooling for `failure_lasts_s`, the compartments warm towards the outside air past their
  band for far longer than tracking's excursion grace, then the unit restarts and pulls down.

Readings carry small gaussian sensor noise and are rounded to 0.1 °C like a logger's.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ThermalParams:
    outside_c: float = 20.0
    pull_down_tau_s: float = 300.0
    """Time constant of the unit pulling a compartment to its setpoint (minutes-scale)."""
    warm_up_tau_s: float = 1_800.0
    """A stopped unit's compartment warms towards the outside air this fast (door shut)."""
    door_tau_s: float = 7_500.0
    """Heat of an open door beyond what a running unit holds: at 25x the unit's tau a frozen
    probe settles near -18.5 °C, a chilled one near 3.7 °C, both inside the band."""
    defrost_every_s: float = 3_600.0
    defrost_s: float = 300.0
    defrost_heat_c: float = 6.0
    """While defrosting the coil heater drives the compartment towards setpoint + this."""
    defrost_tau_s: float = 900.0
    failure_after_s: float = 300.0
    failure_lasts_s: float = 900.0
    noise_c: float = 0.1


DEFAULT_PARAMS = ThermalParams()


@dataclass
class Compartment:
    channel: str
    setpoint_c: float | None
    """None: an ambient compartment, not cooled (it follows the outside air)."""
    celsius: float


@dataclass
class ReeferUnit:
    """One refrigeration unit serving every compartment of a truck."""

    compartments: list[Compartment]
    rng: random.Random
    params: ThermalParams = DEFAULT_PARAMS
    defrost_offset_s: float = 0.0
    """Where in the defrost cycle this unit starts, so a fleet does not defrost in step."""
    fails: bool = False
    clock_s: float = 0.0
    loaded_at_s: float | None = field(default=None)

    def load(self) -> None:
        """A load came on board (a pick-up was served); only the first one counts."""
        if self.loaded_at_s is None:
            self.loaded_at_s = self.clock_s

    def failed(self) -> bool:
        if not self.fails or self.loaded_at_s is None:
            return False
        since = self.clock_s - self.loaded_at_s - self.params.failure_after_s
        return 0 <= since < self.params.failure_lasts_s

    def defrosting(self) -> bool:
        p = self.params
        if p.defrost_every_s <= 0 or self.failed():
            return False
        return (self.clock_s + self.defrost_offset_s) % p.defrost_every_s >= p.defrost_every_s - p.defrost_s

    def step(self, dt_s: float, door_open: bool) -> None:
        """Advance `dt_s` seconds with the state (door, defrost, failure) at the step's start."""
        p = self.params
        failed, defrosting = self.failed(), self.defrosting()
        for c in self.compartments:
            pulls = [(p.outside_c, p.door_tau_s)] if door_open else []
            if c.setpoint_c is None or failed:
                pulls.append((p.outside_c, p.warm_up_tau_s))
            elif defrosting:
                pulls.append((c.setpoint_c + p.defrost_heat_c, p.defrost_tau_s))
            else:
                pulls.append((c.setpoint_c, p.pull_down_tau_s))
            c.celsius = settle(c.celsius, pulls, dt_s)
        self.clock_s += dt_s

    def readings(self) -> list[dict[str, Any]]:
        """One reading per channel, as the telemetry API takes them."""
        out: list[dict[str, Any]] = []
        for c in self.compartments:
            reading: dict[str, Any] = {
                "channel": c.channel,
                "celsius": round(c.celsius + self.rng.gauss(0.0, self.params.noise_c), 1),
            }
            if c.setpoint_c is not None:
                reading["setpoint_celsius"] = c.setpoint_c
            out.append(reading)
        return out


def settle(celsius: float, pulls: list[tuple[float, float]], dt_s: float) -> float:
    """Exact solution of dT/dt = sum((target - T) / tau) over `dt_s` for constant targets."""
    rate = sum(1.0 / tau for _, tau in pulls)
    equilibrium = sum(target / tau for target, tau in pulls) / rate
    return equilibrium + (celsius - equilibrium) * math.exp(-rate * dt_s)


def unit_for(
    compartments: list[dict[str, Any]],
    rng: random.Random,
    *,
    fails: bool = False,
    params: ThermalParams = DEFAULT_PARAMS,
) -> ReeferUnit:
    """A unit for a registered vehicle's compartments (`channel`, `setpoint_celsius`), pre-cooled
    to its setpoints as trucks are before loading, at a random point of its defrost cycle."""
    return ReeferUnit(
        compartments=[
            Compartment(
                c["channel"],
                c.get("setpoint_celsius"),
                params.outside_c if c.get("setpoint_celsius") is None else float(c["setpoint_celsius"]),
            )
            for c in compartments
        ],
        rng=rng,
        params=params,
        defrost_offset_s=rng.uniform(0, max(params.defrost_every_s - params.defrost_s, 0.0)),
        fails=fails,
    )
