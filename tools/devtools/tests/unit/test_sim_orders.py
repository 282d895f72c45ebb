"""Simulated sites and orders are what the gateway and the orders service accept."""

from __future__ import annotations

from datetime import date

import pytest

from coldchain_contracts import OrderSpec, SiteUpserted
from coldchain_devtools import sim_orders
from coldchain_devtools.sim_orders import ANCHORS

pytestmark = pytest.mark.unit


def test_every_simulated_site_is_a_valid_site() -> None:
    found = sim_orders.sites(ANCHORS)
    assert len(found) == len(ANCHORS) + 2  # the hub, a store per anchor, the express store
    for site_id, body in found.items():
        SiteUpserted(site_id=site_id, code=site_id, **body)


def test_orders_are_valid_repeatable_and_go_from_the_hub_to_a_store() -> None:
    day = date(2026, 12, 1)
    orders = sim_orders.orders_for(day, list(ANCHORS), 20)
    assert orders == sim_orders.orders_for(day, list(ANCHORS), 20), "same day, same orders"
    stores = {sim_orders.site_id(a) for a in ANCHORS}
    for body in orders:
        spec = OrderSpec.model_validate(body)
        assert spec.pickup.site_id == sim_orders.HUB
        assert spec.dropoff.site_id in stores
        assert spec.pickup.window.end <= spec.dropoff.window.end
    assert len({o["order_number"] for o in orders}) == 20
