"""`python -m coldchain_dispatch [serve|migrate]`."""

from __future__ import annotations

import sys

from coldchain_dispatch.app import MIGRATIONS, create_app
from coldchain_dispatch.db import SCHEMA
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.migrations import upgrade
from coldchain_servicekit.serve import serve


def main() -> None:
    settings = DispatchSettings()
    if sys.argv[1:2] == ["migrate"]:
        upgrade(settings.database_url.get_secret_value(), SCHEMA, MIGRATIONS)
        return
    serve(create_app(settings), settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()
