"""`python -m bench.run [--scale small|full]`: seed the database named by DATABASE_URL (once: a
database already seeded for the scale is used as it is), time the dashboard's pages server-side
(p50/p95 over many requests, SQL queries per page), the CSV export of every audit record and the
service layer's own cost per operation, and write bench/results-<vendor>-<scale>.json.
`python -m bench.report` turns the result files into docs/benchmarks.md."""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# As in production: the shared cache is Redis (permissions, cached rows, status counts).
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/6")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.export import export_throughput  # noqa: E402
from bench.measure import time_page  # noqa: E402
from bench.seed import (  # noqa: E402
    REJECTED_CODE,
    bench_users,
    case_id,
    seed_audit_records,
    seed_surveys,
    seed_ticket_history,
    seed_tickets,
)
from bench.signin import sign_in  # noqa: E402
from ticketui.audit.forms import PERIOD_DAYS  # noqa: E402
from ticketui.audit.models import AuditRecord  # noqa: E402
from ticketui.tickets.models import Survey, Ticket  # noqa: E402

SCALES = {
    "full": {
        "tickets": 100_000,
        "records": 1_000_000,
        "surveys": 100_000,
        "requests": 200,
        "operations": 300,
    },
    "small": {
        "tickets": 10_000,
        "records": 100_000,
        "surveys": 10_000,
        "requests": 60,
        "operations": 60,
    },
}
BUSY_TICKET = 7  # the seeded ticket whose page shows a long history
BUSY_OPERATIONS = 200
RESULTS = Path(__file__).resolve().parent
# Seeded tickets' case ids sort between these; the sandbox's (CS2025…) and surveys' (CS9…) do not.
SEEDED_TICKETS = {"case_id__gte": case_id(0), "case_id__lt": "CS1"}


def say(message: str) -> None:
    print(message, flush=True)


def timed(label: str, seed: Callable[[], None], seeding: dict) -> None:
    started = time.perf_counter()
    seed()
    seeding[label] = round(time.perf_counter() - started, 1)
    say(f"seeded {label} in {seeding[label]} s")


def ensure_data(scale: dict) -> tuple[dict, dict]:
    """Seed what the database lacks for the scale, checked by a few indexed counts; returns the
    bench users and the seconds each seeding took (empty when the data was already there)."""
    users = bench_users()
    seeding: dict[str, float] = {}
    if Ticket.objects.filter(**SEEDED_TICKETS).count() != scale["tickets"]:
        Ticket.objects.filter(**SEEDED_TICKETS).delete()
        timed(f"{scale['tickets']:,} tickets", lambda: seed_tickets(scale["tickets"], say), seeding)
    operations = AuditRecord.objects.filter(kind="operation").count()
    if operations > 2 * scale["records"]:
        raise SystemExit(
            f"This database holds {operations:,} operation records, seeded for a larger scale "
            "(audit records cannot be deleted): give this scale its own database."
        )
    if operations < scale["records"]:
        timed(
            f"{scale['records'] - operations:,} audit records",
            lambda: seed_audit_records(
                scale["records"], scale["tickets"], list(users.values()), say, first=operations
            ),
            seeding,
        )
    busy = Ticket.objects.get(case_id=case_id(BUSY_TICKET))
    history = AuditRecord.objects.filter(case_id=busy.case_id).count()
    if history < BUSY_OPERATIONS:
        seed_ticket_history(busy, BUSY_OPERATIONS - history, users["Support"])
    surveys = Survey.objects.count()
    if surveys < scale["surveys"]:
        timed(
            f"{scale['surveys'] - surveys:,} surveys",
            lambda: seed_surveys(scale["surveys"], say, first=surveys),
            seeding,
        )
    if not seeding:
        say("data already seeded for this scale")
    return users, seeding


def audit_filter_query(agent: User) -> str:
    """Every filter of the review page at once, with values that match the newest seeded
    rejected operation of `agent` (the period is the shortest one that still includes it)."""
    record = (
        AuditRecord.objects.filter(
            actor=agent,
            kind="operation",
            outcome="rejected",
            error_code=REJECTED_CODE,
            **SEEDED_TICKETS,  # not the service-cost runs' own operations
        )
        .order_by("-created_at")
        .values("created_at", "case_id", "action_id")
        .first()
    )
    if record is None:
        raise SystemExit(f"No rejected operation of {agent.username} was seeded.")
    today = timezone.localdate()
    day = timezone.localdate(record["created_at"])
    period = next((key for key, days in PERIOD_DAYS.items() if (today - day).days < days), "")
    return urlencode(
        {
            "agent": agent.username,
            "action": record["action_id"],
            "kind": "operation",
            "outcome": "rejected",
            "case_id": record["case_id"],
            "error_code": REJECTED_CODE,
            "period": period,
            "date_from": (day - timedelta(days=1)).isoformat(),
            "date_to": today.isoformat(),
        }
    )


@dataclass(frozen=True)
class Scenario:
    name: str
    url: str
    viewer: str  # the users dict's key: "Support" or "Team lead"
    htmx: bool = False  # a filter or search updates the results in place
    target: str | None = None  # report.TARGETS' key
    floor: str | None = None  # the name of the floor scenario it is compared with


def scenarios(users: dict) -> list[Scenario]:
    busy = Ticket.objects.get(case_id=case_id(BUSY_TICKET))
    prefix = f"q={case_id(4242)[:9]}"
    words = "q=replica+lag"
    audit_filters = audit_filter_query(users["Support"])
    today = timezone.localdate()
    wide = urlencode({"start": (today - timedelta(days=364)).isoformat(), "end": today})
    support, lead = "Support", "Team lead"
    return [
        Scenario("Ticket list", "/", support, target="page", floor="Ticket list floor"),
        Scenario("Ticket list floor", "/floor/tickets", support),
        Scenario(
            "Ticket list, status filter",
            "/?status=1",
            support,
            htmx=True,
            target="page",
            floor="Status filter floor",
        ),
        Scenario("Status filter floor", "/floor/tickets?status=1", support),
        Scenario(
            "Ticket list, case-id prefix",
            f"/?{prefix}",
            support,
            htmx=True,
            target="search",
            floor="Case-id prefix floor",
        ),
        Scenario("Case-id prefix floor", f"/floor/tickets?{prefix}", support),
        Scenario(
            "Ticket list, summary words",
            f"/?{words}",
            support,
            htmx=True,
            target="search",
            floor="Summary words floor",
        ),
        Scenario("Summary words floor", f"/floor/tickets?{words}", support),
        Scenario(
            f"Ticket page ({BUSY_OPERATIONS} operations)",
            f"/tickets/{busy.pk}/",
            support,
            target="page",
        ),
        Scenario("Audit review", "/audit/", lead, target="page", floor="Audit review floor"),
        Scenario("Audit review floor", "/floor/audit", lead),
        Scenario(
            "Audit review, every filter",
            f"/audit/?{audit_filters}",
            lead,
            htmx=True,
            target="page",
            floor="Every filter floor",
        ),
        Scenario("Every filter floor", f"/floor/audit?{audit_filters}", lead),
        Scenario(
            "Satisfaction report, last 30 days", "/reports/satisfaction", lead, target="report"
        ),
        Scenario(
            "Satisfaction report, 365 days", f"/reports/satisfaction?{wide}", lead, target="report"
        ),
    ]


def page_timings(scale: dict, users: dict) -> list[dict]:
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        sign_in(clients[role], user)
    rows = []
    for scenario in scenarios(users):
        timing = time_page(
            clients[scenario.viewer],
            scenario.name,
            scenario.url,
            requests=scale["requests"],
            headers={"HX-Request": "true"} if scenario.htmx else {},
        )
        if timing.status != 200:
            raise SystemExit(f"{scenario.name} ({scenario.url}) answered {timing.status}")
        say(
            f"  {timing.name:<36} p50 {timing.p50_ms:>8.2f} ms  p95 {timing.p95_ms:>8.2f} ms"
            f"  {timing.queries} queries"
        )
        rows.append(
            {
                **timing.row(),
                "url": scenario.url,
                "target": scenario.target,
                "floor": scenario.floor,
            }
        )
    return rows


def export_timing(users: dict) -> dict:
    """The CSV export of every audit record, as a team lead downloads it."""
    lead = Client()
    sign_in(lead, users["Team lead"])
    result = export_throughput(lead, "/audit/export.csv")
    say(
        f"  audit export: {result['rows']:,} rows in {result['seconds']} s "
        f"({result['rows_per_s']:,} rows/s), peak memory +{result['peak_mb']} MB"
    )
    return result


def service_cost(operations: int, users: dict) -> dict:
    """End-to-end operation_submit against the sandbox over HTTP, minus the time spent in
    upstream calls: what the dashboard itself adds to each operation."""
    from django.tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ticketui.audit.tasks import audit_reconcile_task
    from ticketui.osm import client as client_module
    from ticketui.sandbox.server import SandboxServer
    from ticketui.sandbox.state import SandboxState
    from ticketui.tickets.operations.services import operation_submit

    server = SandboxServer(
        SandboxState.seeded(operations, token=settings.OSM_TOKEN, press_interval=0)
    ).start()
    settings.OSM_ENDPOINT = server.url
    upstream_ms: list[float] = []
    original = client_module.OsmClient._send_once

    def timed_send(self, call):
        started = time.perf_counter()
        try:
            return original(self, call)
        finally:
            upstream_ms.append((time.perf_counter() - started) * 1000)

    client_module.OsmClient._send_once = timed_send
    tickets = [
        Ticket.objects.get_or_create(case_id=cid, defaults={"status": 1})[0]
        for cid in list(server.state.tickets)[:20]
    ]
    # No worker runs here: reconciliation runs queued by earlier benchmarks are long overdue,
    # where in production the worker would have taken them when they were due.
    DBTaskResult.objects.filter(
        task_path=audit_reconcile_task.module_path,
        status=TaskResultStatus.READY,
        run_after__lte=timezone.now(),
    ).delete()
    own = []
    try:
        for n in range(operations):
            upstream_ms.clear()
            started = time.perf_counter()
            operation_submit(
                actor=users["Support"],
                ticket=tickets[n % len(tickets)],
                action_id="press",
                idempotency_key=uuid.uuid4(),  # as every form sends one
            )
            total = (time.perf_counter() - started) * 1000
            own.append(total - sum(upstream_ms))
    finally:
        client_module.OsmClient._send_once = original
        server.stop()
    own.sort()
    result = {
        "operations": operations,
        "p50_ms": round(statistics.median(own), 2),
        "p95_ms": round(own[int(0.95 * (len(own) - 1))], 2),
    }
    say(
        f"  service layer's own cost per operation: p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default=os.environ.get("SCALE", "full"))
    args = parser.parse_args()
    scale = SCALES[args.scale]
    settings.ROOT_URLCONF = "bench.floors"
    # The test client's host; setup_test_environment() would add it too, but it also
    # instruments template rendering, which a production server does not do.
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    cache.clear()  # nothing cached from a run against another database
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    say(f"Benchmark on {connection.vendor}, scale {args.scale}")
    users, seeding = ensure_data(scale)
    pages = page_timings(scale, users)
    export = export_timing(users)
    service = service_cost(scale["operations"], users)
    path = RESULTS / f"results-{connection.vendor}-{args.scale}.json"
    path.write_text(
        json.dumps(
            {
                "vendor": connection.vendor,
                "scale": args.scale,
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "sizes": {
                    **scale,
                    "audit_records": AuditRecord.objects.count(),
                    "operations_on_busy_ticket": BUSY_OPERATIONS,
                },
                "seeding_s": seeding,
                "run_s": round(time.perf_counter() - started, 1),
                "pages": pages,
                "export": export,
                "service": service,
            },
            indent=2,
        )
    )
    say(f"wrote {path.name} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
