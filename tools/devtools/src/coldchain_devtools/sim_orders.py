"""Simulated customers: a site at each simulator anchor and a few orders a day between them.

Pure builders; `sim_seed` posts them through the gateway.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")
HUB = "sim-hub-icheon"
# Seoul-area places the simulated trucks drive between; a store at each.
ANCHORS: dict[str, tuple[float, float]] = {
    "Gangnam": (37.4979, 127.0276),
    "Gangseo": (37.5509, 126.8495),
    "Seongdong": (37.5633, 127.0365),
    "Jongno": (37.5735, 126.9788),
    "Eunpyeong": (37.6176, 126.9227),
    "Goyang": (37.6584, 126.8320),
    "Seongnam": (37.4449, 127.1388),
    "Anyang": (37.3943, 126.9568),
    "Bucheon": (37.5034, 126.7660),
    "Suwon": (37.2636, 127.0286),
    "Yongin": (37.2411, 127.1776),
}
HUB_POSITION = (37.2343, 127.3589)
EXPRESS_STORE = "sim-icheon-town"
EXPRESS_POSITION = (37.2495, 127.3589)


def site_id(anchor: str) -> str:
    return f"sim-{anchor.lower()}"


def sites(
    anchors: dict[str, tuple[float, float]], hub_always_open: bool = False
) -> dict[str, dict[str, Any]]:
    """The Icheon hub (pick-up, every day 05:00-22:00, or around the clock as `make run`'s
    demo has it, so it works at any hour) and one drop-off site per anchor."""
    found: dict[str, dict[str, Any]] = {
        HUB: {
            "name": "Icheon cold storage hub (simulated)",
            "latitude": HUB_POSITION[0],
            "longitude": HUB_POSITION[1],
            "role": "pickup",
            "opening_hours": []
            if hub_always_open
            else [{"weekday": d, "opens": "05:00", "closes": "22:00"} for d in range(7)],
            "loading_minutes": 45,
            "forklift": "available",
        }
    }
    for name, (lat, lon) in anchors.items():
        found[site_id(name)] = {
            "name": f"{name} store (simulated)",
            "latitude": lat,
            "longitude": lon,
            "role": "dropoff",
        }
    found[EXPRESS_STORE] = {
        "name": "Icheon town store (simulated, near the hub)",
        "latitude": EXPRESS_POSITION[0],
        "longitude": EXPRESS_POSITION[1],
        "role": "dropoff",
        "unloading_minutes": 10,
    }
    return found


def express_order(now: datetime) -> dict[str, Any]:
    """A short run for the demo: the hub to a store 1.7 km away, open from now, so a truck
    delivers something within minutes of `make run` starting."""
    day = now.astimezone(SEOUL).date()
    return {
        "order_number": f"SIM-{day:%Y%m%d}-EXPRESS",
        "zone": "chilled",
        "setpoint_celsius": 3,
        "pallets": 2,
        "weight_kg": 200,
        "goods": "simulated express goods",
        "requested_date": day.isoformat(),
        "priority": 1,
        # Tight windows: the plan must take it first and straight to the store.
        "pickup": {
            "site_id": HUB,
            "window": {"start": now.isoformat(), "end": (now + timedelta(minutes=30)).isoformat()},
            "service_minutes": 10,
        },
        "dropoff": {
            "site_id": EXPRESS_STORE,
            "window": {"start": now.isoformat(), "end": (now + timedelta(minutes=60)).isoformat()},
        },
    }


def orders_for(
    day: date, anchors: list[str], count: int, seed: int = 11, earliest: datetime | None = None
) -> list[dict[str, Any]]:
    """`count` orders for `day`: hub to a store, morning pick-up, zone mix 45/40/15; a
    pick-up that would open before `earliest` (today's orders) opens up to 2 h after it."""
    rng = random.Random(f"{seed}-{day.isoformat()}")  # noqa: S311 - simulation, not security
    zones = ["frozen"] * 9 + ["chilled"] * 8 + ["ambient"] * 3
    placed = []
    for index in range(count):
        pickup_start = datetime.combine(day, time(6 + rng.randrange(3)), SEOUL)
        late = timedelta(minutes=rng.randrange(0, 120))
        if earliest is not None and pickup_start < earliest:
            pickup_start = (earliest + late).replace(second=0, microsecond=0)
        drop_start = pickup_start + timedelta(hours=2 + rng.randrange(3))
        pallets = rng.randint(1, 12)
        placed.append(
            {
                "order_number": f"SIM-{day:%Y%m%d}-{index + 1:03d}",
                "zone": rng.choice(zones),
                "pallets": pallets,
                "weight_kg": pallets * rng.randint(80, 120),
                "goods": "simulated goods",
                "requested_date": day.isoformat(),
                "priority": rng.randint(1, 10),
                "pickup": {
                    "site_id": HUB,
                    "window": {
                        "start": pickup_start.isoformat(),
                        "end": (pickup_start + timedelta(hours=2)).isoformat(),
                    },
                },
                "dropoff": {
                    "site_id": site_id(rng.choice(anchors)),
                    "window": {
                        "start": drop_start.isoformat(),
                        "end": (drop_start + timedelta(hours=4)).isoformat(),
                    },
                },
            }
        )
    return placed
