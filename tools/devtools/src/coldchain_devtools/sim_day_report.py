"""The KPI table of simulated days (pure): what the system's events say happened.

Every figure comes from what the services recorded while the day ran, read back through
the gateway: the orders API (status, the on-time flag the orders service set from
tracking's geofence visits), tracking's `/v1/kpis` (trips, loads, excursions) and the plan
records (re-plans, latency). The plan's own promises appear once, labelled "planned",
for comparison only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from coldchain_devtools.sim_day import OPEN, DayRun


def summary(run: DayRun) -> dict[str, Any]:
    orders = run.orders
    delivered = [o for o in orders if o["status"] == "delivered"]
    k = run.kpis
    excursions: dict[str, float] = {}
    for vehicle in k.get("vehicles", []):
        for channel, minutes in (vehicle.get("excursion_minutes") or {}).items():
            if minutes:
                excursions[f"{vehicle['vehicle_id']}:{channel}"] = minutes
    plans = [p for p in run.plans if p.get("status") == "done"]
    planned = run.plan.get("kpis") or {}
    return {
        "engine": run.engine,
        "orders_placed": run.placed,
        "orders_accepted": sum(1 for o in orders if o["status"] != "rejected"),
        "delivered": len(delivered),
        "delivered_on_time": sum(1 for o in delivered if o["delivery_on_time"] is True),
        "delivered_late": sum(1 for o in delivered if o["delivery_on_time"] is False),
        "delivered_early": sum(1 for o in delivered if _early(o)),
        "failed": sum(1 for o in orders if o["status"] == "failed"),
        "not_delivered": sum(1 for o in orders if o["status"] in OPEN),
        "tracking_delivered": k["orders"]["delivered"],
        "tracking_delivered_on_time": k["orders"]["delivered_on_time"],
        "km": k["km"],
        "empty_km": k["empty_km"],
        "empty_running_rate": k["empty_running_rate"],
        "time_utilisation": k["time_utilisation"],
        "pallet_utilisation": k["pallet_utilisation"],
        "vehicles_active": k["vehicles_active"],
        "excursion_minutes": k["excursion_minutes"],
        "excursion_minutes_by_compartment": excursions,
        "replans": sum(1 for p in plans if p.get("kind") == "breakdown"),
        "insertions": sum(1 for p in plans if p.get("kind") == "insertion"),
        "plan_latency_s": round(run.plan_latency_s, 3),
        "solve_s": run.plan.get("duration_s"),
        "warmup_plan_s": round(run.warmup_latency_s, 3),
        "planned_orders_served": planned.get("orders_served"),
        "planned_km": planned.get("total_km"),
        "fixes_posted": run.fixes,
        "failed_posts": run.failed_posts,
        "drive_wall_s": round(run.drive_wall_s, 1),
        "simulated_until": run.simulated_until.isoformat() if run.simulated_until else None,
    }


ROWS = (
    ("orders placed / accepted", lambda s: f"{s['orders_placed']} / {s['orders_accepted']}"),
    ("delivered on time", lambda s: s["delivered_on_time"]),
    ("delivered late (of them early)", lambda s: f"{s['delivered_late']} ({s['delivered_early']})"),
    ("failed", lambda s: s["failed"]),
    ("not delivered (open at day end)", lambda s: s["not_delivered"]),
    ("delivered per tracking /v1/kpis", lambda s: s["tracking_delivered"]),
    ("km driven", lambda s: f"{s['km']:.1f}"),
    ("empty km (rate)", lambda s: f"{s['empty_km']:.1f} ({_pct(s['empty_running_rate'])})"),
    ("utilisation: time loaded / on duty", lambda s: _pct(s["time_utilisation"])),
    ("utilisation: pallets", lambda s: _pct(s["pallet_utilisation"])),
    ("vehicles active", lambda s: s["vehicles_active"]),
    ("excursion minutes (compartments)", lambda s: f"{s['excursion_minutes']:.1f} ({_compartments(s)})"),
    ("re-plans (excursion, breakdown)", lambda s: s["replans"]),
    (
        "plan latency: request to plan (solve)",
        lambda s: f"{s['plan_latency_s']:.1f}s ({s['solve_s'] or 0:.1f}s)",
    ),
    ("planned: orders served / km", lambda s: f"{s['planned_orders_served']} / {s['planned_km']}"),
    ("fixes posted (refused posts)", lambda s: f"{s['fixes_posted']} ({s['failed_posts']})"),
    ("wall time driving the day", lambda s: f"{s['drive_wall_s']:.0f}s"),
)


def _early(order: dict[str, Any]) -> bool:
    """Not on time because the truck came before the drop-off window opened."""
    arrived, window = order.get("dropoff_arrived_at"), order["dropoff"]["window"]["start"]
    return arrived is not None and datetime.fromisoformat(arrived) < datetime.fromisoformat(window)


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.1f} %"


def _compartments(s: dict[str, Any]) -> str:
    by = s["excursion_minutes_by_compartment"]
    return ", ".join(f"{name} {minutes:.0f}" for name, minutes in sorted(by.items())) or "none"


def table(summaries: Sequence[dict[str, Any]]) -> str:
    """A plain-text table: one row per KPI, one column per run."""
    header = ["KPI", *(s["engine"] for s in summaries)]
    rows = [header, *([label, *(str(cell(s)) for s in summaries)] for label, cell in ROWS)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
