"""Who may read the metrics: nobody until a token or an address allow-list is configured; then
a scrape must pass every check that is configured."""

import hmac
from ipaddress import IPv4Network, IPv6Network, ip_address

from django.conf import settings
from django.http import HttpRequest

# What a refused scrape is answered with.
NOT_ENABLED = 404  # neither METRICS_TOKEN nor METRICS_ALLOWED_ADDRESSES: the endpoint is off
REFUSED = 403


def _bearer_matches(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


def _address_allowed(request: HttpRequest, networks: tuple[IPv4Network | IPv6Network, ...]) -> bool:
    # Behind a proxy the peer is the proxy, which says nothing of who asked: refused.
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    try:
        peer = ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(peer in network for network in networks)


def metrics_refusal(request: HttpRequest) -> int | None:
    """The status to refuse this scrape with, or None when it may read the metrics."""
    token: str = settings.METRICS_TOKEN
    networks = settings.METRICS_ALLOWED_ADDRESSES
    if not token and not networks:
        return NOT_ENABLED
    if networks and not _address_allowed(request, networks):
        return REFUSED
    if token and not _bearer_matches(request.headers.get("Authorization", ""), token):
        return REFUSED
    return None
