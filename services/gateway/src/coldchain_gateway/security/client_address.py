"""Which address a request comes from, for per-IP rate limits and logs.

Only proxies the operator lists (`GATEWAY_TRUSTED_PROXIES`) may speak for the client
through X-Forwarded-For; uvicorn's own proxy-header rewriting is off
(`servicekit.serve`), since it trusted any local peer.
"""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address


def forwarded_client(peer: str, forwarded_for: str, trusted: Sequence[IPv4Network | IPv6Network]) -> str:
    """The client address behind our own proxies.

    Each proxy appends the address it saw to X-Forwarded-For, so the header is read from the
    right while the hop is one of our proxies; what stands left of the first other address
    was written by the client itself and is ignored. Without trusted proxies, or from a peer
    that is not one, the peer address is the client.
    """
    if not _is_trusted(peer, trusted):
        return peer
    client = peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if _address(hop) is None:
            return client
        client = hop
        if not _is_trusted(hop, trusted):
            break
    return client


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(text)
    except ValueError:
        return None


def _is_trusted(text: str, trusted: Sequence[IPv4Network | IPv6Network]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in trusted)
