"""The orders of one simulated operating day (pure): hub to stores, spread over the day.

Unlike `sim_orders` (the demo's morning rush), a day's orders are sized so that a 20-truck
fleet can serve most of 150: pick-ups open between 06:00 and 13:45 at the Icheon hub
(10 minutes' loading each, a 2-hour window), drop-offs at the Seoul-area stores 1 to 3 hours
later (15 minutes' unloading, a 3-hour window), 1 to 4 pallets, zones 45/40/15 % frozen /
chilled / ambient like the fleet. The same seed gives the same orders on any day (the
time-of-day and the draws depend on the seed only), so two runs compare like with like.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from coldchain_devtools.sim_orders import ANCHORS, HUB, SEOUL, site_id

ZONES = ["frozen"] * 9 + ["chilled"] * 8 + ["ambient"] * 3
PALLETS = [1, 1, 2, 2, 2, 3, 3, 4]


def order_number(day: date, index: int) -> str:
    return f"DAY-{day:%Y%m%d}-{index + 1:03d}"


def day_orders(day: date, count: int, seed: int = 1) -> list[dict[str, Any]]:
    """`count` order bodies for `POST /v1/orders` on `day` (Seoul time)."""
    rng = random.Random(f"simulated-day-{seed}")  # noqa: S311 - simulation, not security
    stores = sorted(ANCHORS)
    found = []
    for index in range(count):
        pickup = datetime.combine(day, time(6), SEOUL) + timedelta(minutes=15 * rng.randrange(32))
        drop = pickup + timedelta(minutes=60 + 15 * rng.randrange(9))
        pallets = rng.choice(PALLETS)
        found.append(
            {
                "order_number": order_number(day, index),
                "zone": rng.choice(ZONES),
                "pallets": pallets,
                "weight_kg": pallets * rng.randint(80, 120),
                "goods": "simulated day goods",
                "requested_date": day.isoformat(),
                "priority": rng.randint(1, 10),
                "pickup": {
                    "site_id": HUB,
                    "window": {"start": pickup.isoformat(), "end": (pickup + timedelta(hours=2)).isoformat()},
                    "service_minutes": 10,
                },
                "dropoff": {
                    "site_id": site_id(rng.choice(stores)),
                    "window": {"start": drop.isoformat(), "end": (drop + timedelta(hours=3)).isoformat()},
                    "service_minutes": 15,
                },
            }
        )
    return found
