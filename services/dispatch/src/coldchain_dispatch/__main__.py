"""`python -m coldchain_dispatch [serve|migrate]`."""

from coldchain_dispatch.app import SCHEMA_DEF, create_app
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.runtime import main

if __name__ == "__main__":
    main(DispatchSettings, create_app, SCHEMA_DEF)
