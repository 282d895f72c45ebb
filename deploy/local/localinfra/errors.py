"""The error type for failures that end a run with a message (and maybe a log) for the user."""

from __future__ import annotations

from pathlib import Path


class InfraError(Exception):
    """A failure to report to the user, optionally with the log that explains it."""

    def __init__(self, message: str, log: Path | None = None) -> None:
        super().__init__(message)
        self.log = log
