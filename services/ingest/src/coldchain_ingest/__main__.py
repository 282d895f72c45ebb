"""`python -m coldchain_ingest [serve|migrate]`."""

from coldchain_ingest.app import SCHEMA_DEF, create_app
from coldchain_ingest.settings import IngestSettings
from coldchain_servicekit.runtime import main

if __name__ == "__main__":
    main(IngestSettings, create_app, SCHEMA_DEF)
