from coldchain_notify.db import metadata
from coldchain_servicekit.migrations import run_env

run_env(metadata)
