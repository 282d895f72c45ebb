from coldchain_servicekit.migrations import run_env
from coldchain_tracking.db import metadata

run_env(metadata)
