"""Where the shared benchmark data lives: `shared/` beside the repository, not an absolute path.

The project keeps Solomon and Li & Lim instances outside the repository, in a `shared`
directory next to the checkout (`../shared` from the repository root). A worktree or CI
clone may sit deeper, so every ancestor of the root is tried, then the project machines'
conventional `/work/shared`; `COLDCHAIN_SHARED_DIR` overrides the search. A missing
directory is an error, never a reason to skip.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
MACHINE_DEFAULT = Path("/work/shared")


class SharedDataMissing(FileNotFoundError):
    pass


def shared_dir(
    start: Path = REPO_ROOT, env: dict[str, str] | None = None, fallback: Path = MACHINE_DEFAULT
) -> Path:
    override = (os.environ if env is None else env).get("COLDCHAIN_SHARED_DIR")
    if override:
        return Path(override)
    for candidate in (*(ancestor / "shared" for ancestor in start.parents), fallback):
        if (candidate / "bench").is_dir():
            return candidate
    raise SharedDataMissing(
        f"no shared/bench directory beside {start} or any of its parents; set COLDCHAIN_SHARED_DIR"
    )


def vrptw_dir() -> Path:
    return shared_dir() / "bench" / "vrptw"


def pdptw_dir() -> Path:
    return shared_dir() / "bench" / "pdptw"
