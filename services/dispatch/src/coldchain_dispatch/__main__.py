"""`python -m coldchain_dispatch [serve|migrate|replay <plan_id>]`."""

import sys

from coldchain_dispatch.app import SCHEMA_DEF, create_app
from coldchain_dispatch.settings import DispatchSettings
from coldchain_servicekit.runtime import main

if __name__ == "__main__":
    if sys.argv[1:2] == ["replay"]:
        from coldchain_dispatch.replay import main as replay

        replay(sys.argv[2:])
    else:
        main(DispatchSettings, create_app, SCHEMA_DEF)
