from __future__ import annotations

import pytest

from coldchain_gateway.console import content_security_policy, is_console_path, tile_origin

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.com/{z}/{x}/{y}.png", "https://*.tile.example.com"),
        ("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png", "http://10.0.0.5:8080"),
        ("", None),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("javascript:alert(1)", None),
    ],
)
def test_tile_origin_is_the_scheme_and_host_of_the_template(url: str, origin: str | None) -> None:
    assert tile_origin(url) == origin


def test_the_policy_without_tiles_allows_images_only_from_itself_and_data() -> None:
    csp = content_security_policy("")
    assert "img-src 'self' data:;" in csp
    assert csp.startswith("default-src 'none';")


@pytest.mark.parametrize(
    ("path", "console"),
    [("/", True), ("/assets/a.js", True), ("/v1/live", False), ("/docs", False), ("/metrics", False)],
)
def test_api_paths_never_reach_the_console_files(path: str, console: bool) -> None:
    assert is_console_path(path) is console
