"""Simulated customers: a site at each simulator anchor and a few orders a day between them.

Pure builders (`sites`, `orders_for`) apart from `seed`, which posts them through the
gateway. Orders carry an Idempotency-Key made of the date and their index, so a restarted
simulator places the same orders again and the system keeps one of each.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

SEOUL = ZoneInfo("Asia/Seoul")
HUB = "sim-hub-icheon"
HUB_POSITION = (37.2343, 127.3589)


def site_id(anchor: str) -> str:
    return f"sim-{anchor.lower()}"


def sites(anchors: dict[str, tuple[float, float]]) -> dict[str, dict[str, Any]]:
    """The Icheon hub (pick-up, every day 05:00-22:00) and one drop-off site per anchor."""
    found: dict[str, dict[str, Any]] = {
        HUB: {
            "name": "Icheon cold storage hub (simulated)",
            "latitude": HUB_POSITION[0],
            "longitude": HUB_POSITION[1],
            "role": "pickup",
            "opening_hours": [{"weekday": d, "opens": "05:00", "closes": "22:00"} for d in range(7)],
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
    return found


def orders_for(day: date, anchors: list[str], count: int, seed: int = 11) -> list[dict[str, Any]]:
    """`count` orders for `day`: hub to a store, morning pick-up, zone mix 45/40/15."""
    rng = random.Random(f"{seed}-{day.isoformat()}")  # noqa: S311 - simulation, not security
    zones = ["frozen"] * 9 + ["chilled"] * 8 + ["ambient"] * 3
    placed = []
    for index in range(count):
        pickup_start = datetime.combine(day, time(6 + rng.randrange(3)), SEOUL)
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


async def seed(client: httpx.AsyncClient, anchors: dict[str, tuple[float, float]], count: int) -> None:
    """Create the sites and place tomorrow's orders; problems are printed, never fatal."""
    try:
        for sid, body in sites(anchors).items():
            response = await client.put(f"/v1/sites/{sid}", json=body)
            if response.status_code >= 300:
                print(f"simulator: site {sid}: {response.status_code} {response.text[:200]}", flush=True)
        tomorrow = datetime.now(SEOUL).date() + timedelta(days=1)
        for index, order in enumerate(orders_for(tomorrow, list(anchors), count)):
            key = f"simulator-{tomorrow.isoformat()}-{index}"
            response = await client.post("/v1/orders", json=order, headers={"Idempotency-Key": key})
            if response.status_code != 202:
                print(f"simulator: order {order['order_number']}: {response.status_code}", flush=True)
    except httpx.HTTPError as exc:
        print(f"simulator: could not seed sites and orders ({exc!r})", flush=True)
