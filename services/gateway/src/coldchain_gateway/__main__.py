"""`python -m coldchain_gateway [serve|migrate]`."""

from coldchain_gateway.app import SCHEMA_DEF, create_app
from coldchain_gateway.settings import GatewaySettings
from coldchain_servicekit.runtime import main

if __name__ == "__main__":
    main(GatewaySettings, create_app, SCHEMA_DEF)
