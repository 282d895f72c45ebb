"""Why an order cannot be accepted: every reason found, each with a sentence a dispatcher reads.

Pure. Site opening hours are local times of day (the operator's time zone); order
windows are instants, so a window across midnight or an interval that closes after
midnight is compared as instants.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from coldchain_contracts import OrderSpec, OrderStop, RejectionReason, SiteRole, SiteUpserted, TimeWindow

R = RejectionReason
Problem = tuple[RejectionReason, str]
_ROLES = {"pick-up": (SiteRole.PICKUP, SiteRole.BOTH), "drop-off": (SiteRole.DROPOFF, SiteRole.BOTH)}


def service_minutes(stop: OrderStop, site: SiteUpserted | None, kind: str) -> int:
    if stop.service_minutes is not None:
        return stop.service_minutes
    if site is None:
        return 30
    return site.loading_minutes if kind == "pick-up" else site.unloading_minutes


def opening_intervals(
    site: SiteUpserted, around: TimeWindow, tz: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    """The site's opening intervals (as instants) on the local days the window touches, plus the day before."""
    first = around.start.astimezone(tz).date() - timedelta(days=1)
    last = around.end.astimezone(tz).date()
    day = first
    while day <= last:
        for hours in site.opening_hours:
            if hours.weekday != day.weekday():
                continue
            opens = datetime.combine(day, hours.opens, tz)
            closes = datetime.combine(day, hours.closes, tz)
            if closes <= opens:  # closes after midnight
                closes = datetime.combine(day + timedelta(days=1), hours.closes, tz)
            yield opens, closes
        day += timedelta(days=1)


def fits_opening_hours(site: SiteUpserted, window: TimeWindow, minutes: int, tz: ZoneInfo) -> bool:
    """Some opening interval overlaps the window for at least the service time (empty hours: always open)."""
    if not site.opening_hours:
        return True
    need = timedelta(minutes=max(minutes, 0))
    for opens, closes in opening_intervals(site, window, tz):
        overlap = min(closes, window.end) - max(opens, window.start)
        if overlap > timedelta(0) and overlap >= need:
            return True
    return False


def _site_problems(
    kind: str, stop: OrderStop, spec: OrderSpec, sites: Mapping[str, SiteUpserted]
) -> list[Problem]:
    if stop.site_id is None:
        return []
    site = sites.get(stop.site_id)
    if site is None or not site.active:
        return [(R.UNKNOWN_SITE, f"{kind} site {stop.site_id!r} is unknown")]
    problems: list[Problem] = []
    if site.role not in _ROLES[kind]:
        problems.append(
            (R.SITE_ROLE_MISMATCH, f"site {site.code!r} is a {site.role} site, not a {kind} site")
        )
    if site.zones and spec.zone not in site.zones:
        handled = ", ".join(site.zones)
        problems.append(
            (R.ZONE_SITE_MISMATCH, f"{kind} site {site.code!r} handles {handled}, not {spec.zone} goods")
        )
    return problems


def _window_problems(
    spec: OrderSpec, sites: Mapping[str, SiteUpserted], now: datetime, tz: ZoneInfo
) -> list[Problem]:
    problems: list[Problem] = []
    stops = (("pick-up", spec.pickup), ("drop-off", spec.dropoff))
    for kind, stop in stops:
        window = stop.window
        if window.end <= window.start:
            problems.append((R.WINDOW_IMPOSSIBLE, f"the {kind} window ends before it starts"))
            continue
        if window.end <= now:
            problems.append((R.WINDOW_IMPOSSIBLE, f"the {kind} window is already over"))
            continue
        site = sites.get(stop.site_id) if stop.site_id else None
        minutes = service_minutes(stop, site, kind)
        if window.end - window.start < timedelta(minutes=minutes):
            problems.append(
                (R.WINDOW_IMPOSSIBLE, f"the {kind} window is shorter than its {minutes} service minutes")
            )
        elif site is not None and site.active and not fits_opening_hours(site, window, minutes, tz):
            problems.append(
                (R.WINDOW_IMPOSSIBLE, f"the {kind} window is outside the opening hours of site {site.code!r}")
            )
    pickup_site = sites.get(spec.pickup.site_id) if spec.pickup.site_id else None
    earliest_departure = spec.pickup.window.start + timedelta(
        minutes=service_minutes(spec.pickup, pickup_site, "pick-up")
    )
    if spec.dropoff.window.end < earliest_departure:
        problems.append(
            (R.WINDOW_IMPOSSIBLE, "the drop-off window ends before the goods can leave the pick-up site")
        )
    return problems


def rejection_reasons(
    spec: OrderSpec,
    sites: Mapping[str, SiteUpserted],
    number_taken: bool,
    now: datetime,
    tz: ZoneInfo,
) -> list[Problem]:
    """Every reason to reject the order (empty: acceptable)."""
    problems: list[Problem] = []
    if number_taken:
        problems.append((R.DUPLICATE_NUMBER, f"order number {spec.order_number!r} already exists"))
    problems += _site_problems("pick-up", spec.pickup, spec, sites)
    problems += _site_problems("drop-off", spec.dropoff, spec, sites)
    problems += _window_problems(spec, sites, now, tz)
    return problems
