"""`python -m coldchain_tracking [serve|migrate]`."""

from __future__ import annotations

import sys

from coldchain_servicekit.migrations import upgrade
from coldchain_servicekit.serve import serve
from coldchain_tracking.app import MIGRATIONS, create_app
from coldchain_tracking.db import SCHEMA
from coldchain_tracking.settings import TrackingSettings


def main() -> None:
    settings = TrackingSettings()
    if sys.argv[1:2] == ["migrate"]:
        upgrade(settings.database_url.get_secret_value(), SCHEMA, MIGRATIONS)
        return
    serve(create_app(settings), settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()
