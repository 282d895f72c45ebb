"""A road network behind the `TravelModel` protocol: the OSRM table service.

`GET {base}/table/v1/{profile}/{lon,lat;...}?annotations=duration,distance[&sources=..&destinations=..]`
answers `{"code": "Ok", "durations": [[s]], "distances": [[m]]}` (seconds and metres,
floats; `null` where no route exists). Coordinates go longitude first, as OSRM wants.
An unroutable pair becomes `UNREACHABLE` seconds and metres, so no planner uses it.
The HTTP call is injected (`fetch`), so the parsing is tested without a server; large
matrices are the caller's concern (OSRM's `--max-table-size` defaults to 100 points).
"""

from __future__ import annotations

import json
import math
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from coldchain_dispatch.planning.model import GeoPoint
from coldchain_dispatch.planning.travel import TravelMatrix

UNREACHABLE = 10**8


class OsrmError(RuntimeError):
    pass


def _urlopen(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - operator-configured OSRM URL
        body: bytes = response.read()
        return body


@dataclass(frozen=True)
class OsrmTableTravel:
    base_url: str  # e.g. http://osrm.internal:5000
    profile: str = "driving"
    fetch: Callable[[str], bytes] = field(default=_urlopen, repr=False)

    def matrix(self, points: Sequence[GeoPoint]) -> TravelMatrix:
        return self._table(list(points), None, None)

    def between(self, sources: Sequence[GeoPoint], targets: Sequence[GeoPoint]) -> TravelMatrix:
        points = [*sources, *targets]
        return self._table(points, range(len(sources)), range(len(sources), len(points)))

    def url(self, points: Sequence[GeoPoint], sources: range | None, targets: range | None) -> str:
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        query = "annotations=duration,distance"
        if sources is not None and targets is not None:
            query += (
                "&sources=" + ";".join(map(str, sources)) + "&destinations=" + ";".join(map(str, targets))
            )
        return f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coords}?{query}"

    def _table(self, points: list[GeoPoint], sources: range | None, targets: range | None) -> TravelMatrix:
        body: Any = json.loads(self.fetch(self.url(points, sources, targets)))
        if body.get("code") != "Ok":
            raise OsrmError(f"OSRM table answered {body.get('code')!r}: {body.get('message', '')}")
        if "distances" not in body or "durations" not in body:
            raise OsrmError("OSRM table answer lacks durations or distances (annotations not supported?)")
        return TravelMatrix(metres=_ints(body["distances"]), seconds=_ints(body["durations"]))


def _ints(rows: list[list[float | None]]) -> list[list[int]]:
    return [[UNREACHABLE if v is None else math.ceil(v) for v in row] for row in rows]
