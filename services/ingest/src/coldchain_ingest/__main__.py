"""`python -m coldchain_ingest [serve|migrate]`."""

from __future__ import annotations

import sys

from coldchain_ingest.app import MIGRATIONS, create_app
from coldchain_ingest.db import SCHEMA
from coldchain_ingest.settings import IngestSettings
from coldchain_servicekit.migrations import upgrade
from coldchain_servicekit.serve import serve


def main() -> None:
    settings = IngestSettings()
    if sys.argv[1:2] == ["migrate"]:
        upgrade(settings.database_url.get_secret_value(), SCHEMA, MIGRATIONS)
        return
    serve(create_app(settings), settings.http_host, settings.http_port)


if __name__ == "__main__":
    main()
