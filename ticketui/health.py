"""`/healthz`: is this web node able to serve? Checks the database, the cache, the task worker and
the upstream. Only a database failure makes the node unhealthy (503): without the upstream or the
worker it still serves pages and records, and says what is degraded."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult

from ticketui.osm.reachability import upstream_reachable

# A task still waiting this long means no worker is taking work.
WORKER_LAG = timedelta(minutes=2)


def _database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return False, type(exc).__name__
    return True, connection.vendor


def _cache() -> tuple[bool, str]:
    key = f"healthz:{time.monotonic_ns()}"
    try:
        cache.set(key, "ok", 5)
        ok = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as exc:  # any cache backend error means "not working"
        return False, type(exc).__name__
    return ok, "ok" if ok else "value not read back"


def _worker() -> tuple[bool, str]:
    try:
        oldest = (
            DBTaskResult.objects.ready()
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
    except DatabaseError as exc:
        return False, type(exc).__name__
    if oldest is None:
        return True, "no queued work"
    waiting = timezone.now() - oldest
    if waiting > WORKER_LAG:
        return False, f"oldest queued task waiting {int(waiting.total_seconds())} s"
    return True, "taking work"


@login_not_required
@never_cache
@require_GET
def health_view(request):
    checks = {
        "database": _database(),
        "cache": _cache(),
        "worker": _worker(),
        "upstream": upstream_reachable(settings.OSM_ENDPOINT, timeout=settings.OSM_CONNECT_TIMEOUT),
    }
    healthy = checks["database"][0]
    body = {
        "status": "ok"
        if all(ok for ok, _ in checks.values())
        else ("degraded" if healthy else "down"),
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)
