"""The client's address behind reverse proxies. Each trusted proxy appends the address it was
reached from to CLIENT_IP_HEADER (X-Forwarded-For), so with TRUSTED_PROXY_COUNT proxies the
client is that many entries from the right; anything further left was written by the client and
is ignored. Login throttling (django-axes) and the audit trail both use this."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def client_address(request: HttpRequest) -> str | None:
    peer = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count == 0:
        return peer
    entries = [
        entry.strip()
        for entry in request.META.get(_meta_key(settings.CLIENT_IP_HEADER), "").split(",")
    ]
    entries = [entry for entry in entries if entry]
    if len(entries) < count:
        return peer  # not through every proxy: the peer is all that is known
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer
