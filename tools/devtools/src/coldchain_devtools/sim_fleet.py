"""The simulated operator's vehicles, as the vehicle API takes them. Pure: no I/O.

Fleet mix from DOMAIN.md: frozen 45 %, chilled 40 %, ambient 15 %, with two of the frozen
trucks dual-zone (frozen + chilled); 3.5 t trucks (10 pallets, 3,500 kg) and 5 t trucks
(14 pallets, 5,000 kg) alternating. Each vehicle is bound to the simulator device of the
same number (`sim-0001` -> `sim-truck-01`), based at the Icheon hub.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from coldchain_devtools.sim_orders import SEOUL

BODIES = ["frozen"] * 9 + ["chilled"] * 8 + ["ambient"] * 3  # per 20 trucks: 45/40/15 %
DUAL_SLOTS = {0, 5}  # of every 20, trucks 1 and 6 (frozen by the mix) are dual-zone
SETPOINT = {"frozen": -20.0, "chilled": 3.0, "ambient": None}
# The simulated day's shift (`make simulate-day`): longer than DOMAIN.md's 08:00-18:00;
# max 10 working hours per route as DOMAIN.md says.
SHIFT = {"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "06:00", "end": "22:00"}


def device_id(index: int) -> str:
    return f"sim-{index + 1:04d}"


def vehicle_id(index: int) -> str:
    return f"sim-truck-{index + 1:02d}"


def body_of(index: int) -> str:
    slot = index % len(BODIES)
    return "dual" if slot in DUAL_SLOTS else BODIES[slot]


def _compartments(body: str, pallets: int) -> list[dict[str, Any]]:
    if body == "dual":
        front = pallets // 2
        return [
            {"channel": "A", "zone": "frozen", "setpoint_celsius": SETPOINT["frozen"], "pallets": front},
            {
                "channel": "B",
                "zone": "chilled",
                "setpoint_celsius": SETPOINT["chilled"],
                "pallets": pallets - front,
            },
        ]
    return [{"channel": "A", "zone": body, "setpoint_celsius": SETPOINT[body], "pallets": pallets}]


def compartments(index: int) -> list[dict[str, Any]]:
    """The compartments vehicle `index` is registered with (channel, zone, setpoint, pallets)."""
    return _compartments(body_of(index), 14 if index % 2 == 1 else 10)


def demo_shift(now: datetime, hours: int = 16) -> dict[str, Any]:
    """`make run`'s shift: from the hour before `now` (local time) for `hours`, every day,
    so a demo started at any hour, even at night in Seoul, has its trucks on shift."""
    local = now.astimezone(SEOUL)
    start = (local - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=hours)
    return {"weekdays": list(range(7)), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}


def vehicles(
    count: int, depot_site_id: str, shift: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Vehicle id -> the body of `PUT /v1/fleet/vehicles/{id}` (`shift` default: SHIFT)."""
    found: dict[str, dict[str, Any]] = {}
    for i in range(count):
        body = body_of(i)
        big = i % 2 == 1
        kg = 5000 if big else 3500
        found[vehicle_id(i)] = {
            "name": f"Simulated truck {i + 1:02d} ({'5 t' if big else '3.5 t'} {body})",
            "plate": f"SIM {i + 1:04d}",
            "body_type": body,
            "compartments": compartments(i),
            "weight_capacity_kg": kg,
            "forklift": i % 4 == 0,
            "depot_site_id": depot_site_id,
            "shift": shift or SHIFT,
            "max_route_minutes": 600,
            "cost_per_km": 1.0 if big else 0.8,
            "device_ids": [device_id(i)],
        }
    return found
