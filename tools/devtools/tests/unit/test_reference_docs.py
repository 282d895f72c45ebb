"""The generated references are the ones committed: a new setting or topic regenerates them."""

from __future__ import annotations

import pytest

from coldchain_devtools.reference_docs import REPO, rendered

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("path", sorted(rendered()), ids=lambda p: p.name)
def test_the_committed_reference_is_up_to_date(path: object) -> None:
    text = rendered()[path]  # type: ignore[index]
    committed = path.read_text() if path.exists() else ""  # type: ignore[attr-defined]
    assert committed == text, f"{path.relative_to(REPO)} is out of date: run `make docs`"  # type: ignore[attr-defined]


def test_every_service_setting_appears_with_its_environment_variable() -> None:
    text = next(t for p, t in rendered().items() if p.name == "configuration.md")
    for variable in (
        "`TRACKING_EXCURSION_GRACE_S`",
        "`GATEWAY_TRUSTED_PROXIES`",
        "`KAFKA_BOOTSTRAP_SERVERS`",
    ):
        assert variable in text
