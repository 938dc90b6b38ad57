"""Can this machine use the upstream right now? For the health endpoint: one authenticated
read (the ticket counts), so a refused credential is reported, not taken for "reachable". The
answer is kept in the shared cache for PROBE_SECONDS, so probes from load balancers do not turn
into upstream traffic (one read per PROBE_SECONDS per cache)."""

from django.core.cache import cache

from .configured import get_client
from .results import UpstreamError

PROBE_SECONDS = 30
PROBE_KEY = "health:upstream-probe"


def _probe() -> tuple[bool, str]:
    try:
        get_client().case_counts()
    except UpstreamError as exc:
        result = exc.result
        status = f"HTTP {result.http_status}" if result.http_status else result.outcome.value
        code = f" {result.error_code}" if result.error_code else ""
        return False, f"{status}{code}"
    except Exception as exc:  # an unusable answer, a credential service down: not usable
        return False, type(exc).__name__
    return True, "answers, credentials accepted"


def upstream_usable() -> tuple[bool, str]:
    """(usable, what was seen), at most PROBE_SECONDS old."""
    try:
        cached = cache.get(PROBE_KEY)
    except Exception:  # the cache is down: probe anyway (health reports the cache itself)
        cached = None
    if cached is not None:
        return tuple(cached)
    answer = _probe()
    try:
        cache.set(PROBE_KEY, list(answer), PROBE_SECONDS)
    except Exception:  # noqa: S110 - as above
        pass
    return answer
