"""`python -m coldchain_devtools {run|topics|simulate|replay-dlq|docs|backup|restore}`."""

from __future__ import annotations

import sys


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    sys.argv = [sys.argv[0], *sys.argv[2:]]
    if command == "run":
        from coldchain_devtools.runner import main as run
    elif command == "topics":
        from coldchain_devtools.topics import main as run
    elif command == "simulate":
        from coldchain_devtools.simulator import main as run
    elif command == "replay-dlq":
        from coldchain_devtools.dlq_replay import main as run
    elif command == "docs":
        from coldchain_devtools.reference_docs import main as run
    elif command in ("backup", "restore"):
        from coldchain_devtools.backup import main as run

        sys.argv.insert(1, command)
    else:
        raise SystemExit(
            f"unknown command {command!r}; expected run, topics, simulate, replay-dlq, docs, backup or restore"
        )
    run()


if __name__ == "__main__":
    main()
