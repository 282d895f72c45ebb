#!/usr/bin/env python3
"""Run Coldchain's backing services (Kafka, PostgreSQL, Redis) as plain local processes.

    python3 deploy/local/infra.py up|down|status|env [--only kafka,postgres,redis]

The Makefile, tests and docs call this script; the code lives in the `localinfra` package
beside it (see its docstring). Standard library only: it runs with the system Python,
before any virtualenv exists.
"""

from __future__ import annotations

import sys
from pathlib import Path

# First on the path, so the package beside this script wins over anything installed.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from localinfra.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
