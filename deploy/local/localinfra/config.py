"""Where runtime state and downloads live, and which address and ports the services use.

Everything here comes from the environment at import time, so one process sees one layout.
"""

from __future__ import annotations

import os
from pathlib import Path

# deploy/local: where infra.py lives, next to this package and kafka/pom.xml.
SCRIPT_DIR = Path(__file__).resolve().parents[1]
REPO = SCRIPT_DIR.parents[1]
# Overridable so `make test` runs a second, independent instance (own ports, own data).
STATE = Path(os.environ.get("COLDCHAIN_LOCAL_DIR") or REPO / ".local")
LOGS = STATE / "logs"
RUN = STATE / "run"
HOST = "127.0.0.1"
CACHE = Path(os.environ.get("COLDCHAIN_CACHE") or Path.home() / ".cache" / "coldchain")


# Durable by default: an acknowledged write survives a crash of PostgreSQL or Redis. The
# test instance turns it off (COLDCHAIN_DURABLE=false): its data is thrown away anyway.
DURABLE = os.environ.get("COLDCHAIN_DURABLE", "true").strip().lower() not in {"0", "false", "no", "off"}


def env_port(name: str, default: int) -> int:
    """Ports come from the environment so parallel checkouts or CI jobs can avoid clashes."""
    return int(os.environ.get(name, default))


def prepare_state_dir() -> None:
    """Create .local with a self-ignoring .gitignore, so runtime state never shows up in git."""
    for path in (LOGS, RUN):
        path.mkdir(parents=True, exist_ok=True)
    gitignore = STATE / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# runtime state of deploy/local/infra.py\n*\n")
