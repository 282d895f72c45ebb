"""CPU cost of tracking's pure analysis: fixes per second through `advance`, with the
JSON round trip of the per-vehicle state that the Redis store does for every batch.

    .venv/bin/python bench/tracking_analysis.py [--vehicles 50] [--fixes 300] [--sites 200] [--batch 10]

Each vehicle drives, stops and drives again with two temperature channels (one
chilled compartment registered) past `--sites` circle geofences; fixes arrive in
batches of `--batch` per vehicle (a Kafka batch holds several fixes of one vehicle).
Per batch: load the state from JSON, advance, dump it to JSON (what the store does).
Prints one line per figure and a final `RESULT {json}`. No infrastructure needed.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta

from coldchain_contracts import Compartment, ReeferReading, TemperatureZone
from coldchain_tracking.analysis.context import AnalysisContext
from coldchain_tracking.analysis.geofences import Geofence
from coldchain_tracking.analysis.sample import Sample
from coldchain_tracking.analysis.vehicle import VehicleAnalysis, advance

T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def samples(vehicle: int, count: int, rng: random.Random) -> list[Sample]:
    out, lat, lon = [], 37.3 + rng.random() * 0.4, 126.8 + rng.random() * 0.4
    for i in range(count):
        standing = (i // 20) % 3 == 2  # 20 fixes driving, 10 standing, ...
        speed = 0.0 if standing else 40 + rng.random() * 30
        if not standing:
            lat += 0.0015 * rng.uniform(-1, 1)
            lon += 0.0015 * rng.uniform(-1, 1)
        celsius = 3 + rng.gauss(0, 1.5)
        out.append(
            Sample(
                at=T0 + timedelta(seconds=30 * i),
                latitude=lat,
                longitude=lon,
                speed_kmh=speed,
                ignition=not standing,
                temperatures=(
                    ReeferReading(channel="A", celsius=celsius),
                    ReeferReading(channel="B", celsius=-20),
                ),
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vehicles", type=int, default=50)
    parser.add_argument("--fixes", type=int, default=300, help="per vehicle")
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    fences = tuple(
        Geofence(
            geofence_id=f"site:{i}",
            site_id=str(i),
            latitude=37.3 + rng.random() * 0.4,
            longitude=126.8 + rng.random() * 0.4,
            radius_m=150,
        )
        for i in range(args.sites)
    )
    chilled = (Compartment(channel="A", zone=TemperatureZone.CHILLED, pallets=10),)
    ctx = AnalysisContext(compartments=chilled, geofences=fences)
    streams = [samples(v, args.fixes, rng) for v in range(args.vehicles)]
    states = {v: VehicleAnalysis(vehicle_id=f"v{v}").model_dump_json() for v in range(args.vehicles)}
    events = 0
    started = time.perf_counter()
    for start in range(0, args.fixes, args.batch):
        for v, stream in enumerate(streams):
            state = VehicleAnalysis.model_validate_json(states[v])
            outcome = advance(state, stream[start : start + args.batch], ctx)
            states[v] = outcome.state.model_dump_json()
            events += len(outcome.events)
    elapsed = time.perf_counter() - started
    total = args.vehicles * args.fixes
    result = {
        "fixes": total,
        "sites": args.sites,
        "batch": args.batch,
        "seconds": round(elapsed, 3),
        "fixes_per_s": round(total / elapsed),
        "us_per_fix": round(elapsed / total * 1e6, 1),
        "events": events,
        "state_json_bytes_max": max(len(s) for s in states.values()),
    }
    for key, value in result.items():
        print(f"{key}: {value}")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
