"""`python -m coldchain_orders [serve|migrate|republish-reference]`."""

import asyncio
import json

from coldchain_orders.app import SCHEMA_DEF, create_app
from coldchain_orders.republish import republish_reference
from coldchain_orders.settings import OrdersSettings
from coldchain_servicekit.runtime import main


def _republish(settings: OrdersSettings) -> None:
    print(json.dumps(asyncio.run(republish_reference(settings))))


if __name__ == "__main__":
    main(OrdersSettings, create_app, SCHEMA_DEF, commands={"republish-reference": _republish})
