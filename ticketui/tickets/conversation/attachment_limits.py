"""The upstream's attachment limits (ShowAccessoryLimits), read once and kept in the cache: the
reply form states them and the reply service enforces them before anything is uploaded."""

from django.core.cache import cache

from ticketui.osm.client import OsmClient
from ticketui.osm.configured import get_client
from ticketui.osm.results import AccessoryLimits, UpstreamError

CACHE_KEY = "conversation:accessory-limits"
CACHE_SECONDS = 600
# When the upstream could not say, the stricter fallback (limits.FALLBACK_*) is used for a minute
# only, so that a passing failure does not refuse files the upstream accepts for long.
FALLBACK_SECONDS = 60


def attachment_limits(*, client: OsmClient | None = None) -> AccessoryLimits:
    """The limits, from the cache or asked of the upstream (its fallback when that fails)."""
    known = cache.get(CACHE_KEY)
    if isinstance(known, AccessoryLimits):
        return known
    try:
        known = (client or get_client()).accessory_limits()
    except UpstreamError:
        known = AccessoryLimits.fallback()
    cache.set(CACHE_KEY, known, CACHE_SECONDS if known.from_upstream else FALLBACK_SECONDS)
    return known


def attachment_limits_known() -> AccessoryLimits | None:
    """The limits if they were read recently, without asking the upstream (for pages)."""
    known = cache.get(CACHE_KEY)
    return known if isinstance(known, AccessoryLimits) else None
