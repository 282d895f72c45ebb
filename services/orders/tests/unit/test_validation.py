"""Rejection reasons: each one found, with a sentence that says what is wrong."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from order_builders import NOW, SEOUL, SITES, at, site, spec

from coldchain_contracts import OpeningHours, RejectionReason, SiteRole, TemperatureZone
from coldchain_orders.validation import rejection_reasons

pytestmark = pytest.mark.unit
R = RejectionReason


def reasons(order_spec=None, sites=None, taken=False):  # type: ignore[no-untyped-def]
    found = rejection_reasons(order_spec or spec(), SITES if sites is None else sites, taken, NOW, SEOUL)
    return [r for r, _ in found], [text for _, text in found]


def test_a_valid_order_has_no_reason() -> None:
    assert reasons() == ([], [])


def test_duplicate_number() -> None:
    codes, texts = reasons(taken=True)
    assert codes == [R.DUPLICATE_NUMBER]
    assert texts == ["order number 'PO-1' already exists"]


def test_unknown_and_inactive_sites() -> None:
    codes, texts = reasons(sites={"P": SITES["P"], "D": site("D", SiteRole.DROPOFF, active=False)})
    assert codes == [R.UNKNOWN_SITE]
    assert texts == ["drop-off site 'D' is unknown"]


def test_zone_site_mismatch() -> None:
    chilled_only = site("D", SiteRole.DROPOFF, zones=(TemperatureZone.CHILLED,))
    codes, texts = reasons(sites={"P": SITES["P"], "D": chilled_only})
    assert codes == [R.ZONE_SITE_MISMATCH]
    assert texts == ["drop-off site 'D' handles chilled, not frozen goods"]


def test_site_role_mismatch() -> None:
    codes, _ = reasons(sites={"P": site("P", SiteRole.DROPOFF), "D": SITES["D"]})
    assert codes == [R.SITE_ROLE_MISMATCH]


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        (
            {"pickup": {"site_id": "P", "window": {"start": at(8), "end": at(6)}}},
            "the pick-up window ends before it starts",
        ),
        (
            {
                "pickup": {
                    "site_id": "P",
                    "window": {"start": NOW - timedelta(hours=3), "end": NOW - timedelta(hours=1)},
                }
            },
            "the pick-up window is already over",
        ),
        (
            {"dropoff": {"site_id": "D", "window": {"start": at(9), "end": at(9, 10)}}},
            "the drop-off window is shorter than its 30 service minutes",
        ),
        (
            {"dropoff": {"site_id": "D", "window": {"start": at(5), "end": at(6, 10)}}},
            "the drop-off window ends before the goods can leave the pick-up site",
        ),
    ],
)
def test_impossible_windows(changes: dict[str, object], text: str) -> None:
    codes, texts = reasons(spec(**changes))
    assert R.WINDOW_IMPOSSIBLE in codes
    assert text in texts


def test_a_window_outside_opening_hours_is_impossible() -> None:
    tuesday_mornings = (OpeningHours(weekday=1, opens=time(10), closes=time(18)),)
    closed_early = site("P", SiteRole.PICKUP, opening_hours=tuesday_mornings)
    codes, texts = reasons(sites={"P": closed_early, "D": SITES["D"]})
    assert codes == [R.WINDOW_IMPOSSIBLE]
    assert texts == ["the pick-up window is outside the opening hours of site 'P'"]


def test_opening_hours_across_midnight_cover_an_early_window() -> None:
    # Open Monday 22:00 to Tuesday 07:00: the Tuesday 06:00-08:00 window overlaps by an hour.
    night = (OpeningHours(weekday=0, opens=time(22), closes=time(7)),)
    codes, _ = reasons(sites={"P": site("P", SiteRole.PICKUP, opening_hours=night), "D": SITES["D"]})
    assert codes == []


def test_a_window_across_midnight_is_possible() -> None:
    overnight = spec(
        dropoff={
            "site_id": "D",
            "window": {"start": at(22), "end": at(2, day=at(0).date() + timedelta(days=2))},
        }
    )
    assert reasons(overnight) == ([], [])


def test_ad_hoc_addresses_need_no_site() -> None:
    adhoc = spec(
        dropoff={
            "address": "Busan port",
            "latitude": 35.1,
            "longitude": 129.0,
            "window": {"start": at(14), "end": at(18)},
        }
    )
    assert reasons(adhoc, sites={"P": SITES["P"]}) == ([], [])


def test_every_reason_at_once() -> None:
    bad = spec(zone="chilled", pickup={"site_id": "X", "window": {"start": at(8), "end": at(6)}})
    codes, _ = reasons(
        bad, sites={"D": site("D", SiteRole.PICKUP, zones=(TemperatureZone.FROZEN,))}, taken=True
    )
    assert set(codes) == set(RejectionReason)
