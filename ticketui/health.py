"""`/healthz`: is this web node able to serve? Checks the database, the cache, the task worker and
the upstream. Only a database failure makes the node unhealthy (503): without the upstream or the
worker it still serves pages and records, and says what is degraded.

`/livez`: is this process alive? It reads nothing (no database, no cache, no upstream), for a
process supervisor that restarts a hung process but must not restart every process when the
database is down."""

import time
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db.models import DBTaskResult, get_date_max

from ticketui.osm.reachability import upstream_usable
from ticketui.worker.heartbeat import newest_heartbeat, workers_alive

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


def _due(queued: tuple[datetime, datetime] | None) -> datetime | None:
    """Since when a queued task could have run: a task queued to run later, since then."""
    if queued is None:
        return None
    enqueued_at, run_after = queued
    return enqueued_at if run_after == get_date_max() else max(enqueued_at, run_after)


def _worker() -> tuple[bool, str]:
    """Alive by its heartbeat (heartbeat.py), and taking the queued work."""
    try:
        alive = workers_alive()
        last = newest_heartbeat()
        oldest = (
            DBTaskResult.objects.ready()
            .order_by("enqueued_at")
            .values_list("enqueued_at", "run_after")
            .first()
        )
    except DatabaseError as exc:
        return False, type(exc).__name__
    if not alive:
        if last is None:
            return False, "no worker has a heartbeat (is `manage.py db_worker` running?)"
        silent = int((timezone.now() - last).total_seconds())
        return False, f"no worker alive: the last heartbeat was {silent} s ago"
    workers = f"{len(alive)} worker{'s' if len(alive) > 1 else ''} alive"
    due = _due(oldest)
    if due and (waiting := timezone.now() - due) > WORKER_LAG:
        return (
            False,
            f"{workers}, but the oldest due task has waited {int(waiting.total_seconds())} s",
        )
    return True, workers


@login_not_required
@never_cache
@require_GET
def health_view(request):
    checks = {
        "database": _database(),
        "cache": _cache(),
        "worker": _worker(),
        "upstream": upstream_usable(),
    }
    healthy = checks["database"][0]
    body = {
        "status": "ok"
        if all(ok for ok, _ in checks.values())
        else ("degraded" if healthy else "down"),
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@login_not_required
@never_cache
@require_GET
def live_view(request):
    return HttpResponse("alive\n", content_type="text/plain")
