"""`python -m coldchain_notify [serve|migrate]`."""

from coldchain_notify.app import SCHEMA_DEF, create_app
from coldchain_notify.settings import NotifySettings
from coldchain_servicekit.runtime import main

if __name__ == "__main__":
    main(NotifySettings, create_app, SCHEMA_DEF)
