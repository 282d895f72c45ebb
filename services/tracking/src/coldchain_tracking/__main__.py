"""`python -m coldchain_tracking [serve|migrate]`."""

from coldchain_servicekit.runtime import main
from coldchain_tracking.app import SCHEMA_DEF, create_app
from coldchain_tracking.settings import TrackingSettings

if __name__ == "__main__":
    main(TrackingSettings, create_app, SCHEMA_DEF)
