"""Locating the shared benchmark data beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from coldchain_devtools.shared_data import SharedDataMissing, shared_dir

pytestmark = pytest.mark.unit


def test_finds_shared_beside_the_checkout_or_further_up(tmp_path: Path) -> None:
    (tmp_path / "shared" / "bench").mkdir(parents=True)
    assert shared_dir(tmp_path / "main", env={}) == tmp_path / "shared"
    assert shared_dir(tmp_path / "ci" / "clone" / "main", env={}) == tmp_path / "shared"


def test_the_environment_overrides_the_search(tmp_path: Path) -> None:
    assert shared_dir(tmp_path / "main", env={"COLDCHAIN_SHARED_DIR": "/data/x"}) == Path("/data/x")


def test_missing_data_is_an_error_not_a_skip(tmp_path: Path) -> None:
    with pytest.raises(SharedDataMissing, match="COLDCHAIN_SHARED_DIR"):
        shared_dir(tmp_path / "main", env={}, fallback=tmp_path / "nowhere")
