"""`python -m coldchain_orders [serve|migrate]`."""

from coldchain_orders.app import SCHEMA_DEF, create_app
from coldchain_orders.settings import OrdersSettings
from coldchain_servicekit.runtime import main

if __name__ == "__main__":
    main(OrdersSettings, create_app, SCHEMA_DEF)
