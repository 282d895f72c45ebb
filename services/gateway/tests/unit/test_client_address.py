"""Reading X-Forwarded-For only through the operator's own proxies."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from coldchain_gateway.security.client_address import forwarded_client

pytestmark = pytest.mark.unit
PROXIES = [ip_network("10.0.0.0/8")]


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "expected"),
    [
        ("127.0.0.1", "203.0.113.9", [], "127.0.0.1"),  # no proxies configured: the peer
        ("198.51.100.7", "203.0.113.9", PROXIES, "198.51.100.7"),  # peer is not our proxy
        ("10.0.0.5", "203.0.113.9", PROXIES, "203.0.113.9"),
        ("10.0.0.5", "1.1.1.1, 203.0.113.9", PROXIES, "203.0.113.9"),  # left part is the client's own
        ("10.0.0.5", "203.0.113.9, 10.0.0.4", PROXIES, "203.0.113.9"),  # two of our hops
        ("10.0.0.5", "", PROXIES, "10.0.0.5"),
        ("10.0.0.5", "not-an-ip", PROXIES, "10.0.0.5"),
        ("10.0.0.5", "10.0.0.3", PROXIES, "10.0.0.3"),
    ],
)
def test_the_client_is_the_right_most_address_that_is_not_our_proxy(
    peer: str, header: str, trusted: list[object], expected: str
) -> None:
    assert forwarded_client(peer, header, trusted) == expected  # type: ignore[arg-type]
