"""`python -m bench.run [--scale small|full]`: seed the database named by DATABASE_URL, time the
dashboard's pages server-side (p50/p95 over many requests, SQL queries per page) and the service
layer's own cost per operation, and write the results to bench/results-<vendor>.json.
`python -m bench.report` turns the result files into docs/benchmarks.md."""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.measure import Timing, time_page  # noqa: E402
from bench.seed import bench_users, case_id, seed_audit_records, seed_tickets  # noqa: E402
from ticketui.audit.models import AuditRecord  # noqa: E402
from ticketui.tickets.models import Ticket  # noqa: E402

SCALES = {
    "full": {"tickets": 100_000, "records": 1_000_000, "requests": 200, "operations": 300},
    "small": {"tickets": 10_000, "records": 100_000, "requests": 60, "operations": 60},
}
RESULTS = Path(__file__).resolve().parent


def say(message: str) -> None:
    print(message, flush=True)


def ensure_data(scale: dict) -> dict:
    users = bench_users()
    if Ticket.objects.count() != scale["tickets"]:
        Ticket.objects.all().delete()
        started = time.perf_counter()
        seed_tickets(scale["tickets"], say)
        say(f"seeded {scale['tickets']:,} tickets in {time.perf_counter() - started:.1f} s")
    if AuditRecord.objects.filter(kind="operation").count() < scale["records"]:
        started = time.perf_counter()
        seed_audit_records(scale["records"], scale["tickets"], list(users.values()), say)
        say(f"seeded {scale['records']:,} audit records in {time.perf_counter() - started:.1f} s")
    return users


def page_timings(scale: dict, users: dict) -> list[Timing]:
    agent, lead = Client(), Client()
    agent.force_login(users["Support"])
    lead.force_login(users["Team lead"])
    busy = Ticket.objects.get(case_id=case_id(7))
    if AuditRecord.objects.filter(case_id=busy.case_id).count() < 200:
        AuditRecord.objects.bulk_create(
            AuditRecord(
                kind="operation",
                created_at=busy.upstream_created_at,
                case_id=busy.case_id,
                action_id="press",
                outcome="succeeded",
                actor=users["Support"],
                actor_username="bench-agent",
                request_body={"operate_desc": f"Urge {n}"},
            )
            for n in range(200)
        )
    n = scale["requests"]
    htmx = {"HX-Request": "true"}
    return [
        time_page(agent, "Ticket list", "/", requests=n),
        time_page(agent, "Ticket list floor", "/floor/tickets", requests=n),
        time_page(agent, "Ticket list, status filter", "/?status=1", requests=n, headers=htmx),
        time_page(
            agent,
            "Ticket list, case-id prefix",
            f"/?q={case_id(4242)[:9]}",
            requests=n,
            headers=htmx,
        ),
        time_page(
            agent, "Ticket list, summary words", "/?q=replica%20lag", requests=n, headers=htmx
        ),
        time_page(agent, "Ticket page (200 operations)", f"/tickets/{busy.pk}/", requests=n),
        time_page(lead, "Audit review", "/audit/", requests=n),
        time_page(lead, "Audit review floor", "/floor/audit", requests=n),
    ]


def service_cost(operations: int, users: dict) -> dict:
    """End-to-end operation_submit against the sandbox over HTTP, minus the time spent in
    upstream calls: what the dashboard itself adds to each operation."""
    from ticketui.osm import client as client_module
    from ticketui.sandbox.server import SandboxServer
    from ticketui.sandbox.state import SandboxState
    from ticketui.tickets.services import operation_submit

    server = SandboxServer(
        SandboxState.seeded(operations, token=settings.OSM_TOKEN, press_interval=0)
    ).start()
    settings.OSM_ENDPOINT = server.url
    upstream_ms: list[float] = []
    original = client_module.OsmClient._send_once

    def timed(self, call):
        started = time.perf_counter()
        try:
            return original(self, call)
        finally:
            upstream_ms.append((time.perf_counter() - started) * 1000)

    client_module.OsmClient._send_once = timed
    tickets = [
        Ticket.objects.get_or_create(case_id=cid, defaults={"status": 1})[0]
        for cid in list(server.state.tickets)[:20]
    ]
    own = []
    try:
        for n in range(operations):
            upstream_ms.clear()
            started = time.perf_counter()
            operation_submit(
                actor=users["Support"], ticket=tickets[n % len(tickets)], action_id="press"
            )
            total = (time.perf_counter() - started) * 1000
            own.append(total - sum(upstream_ms))
    finally:
        client_module.OsmClient._send_once = original
        server.stop()
    own.sort()
    return {
        "operations": operations,
        "p50_ms": round(statistics.median(own), 2),
        "p95_ms": round(own[int(0.95 * (len(own) - 1))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default=os.environ.get("SCALE", "full"))
    args = parser.parse_args()
    scale = SCALES[args.scale]
    settings.ROOT_URLCONF = "bench.floors"
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    say(f"Benchmark on {connection.vendor}, scale {args.scale}")
    users = ensure_data(scale)
    timings = page_timings(scale, users)
    service = service_cost(scale["operations"], users)
    for timing in timings:
        say(
            f"  {timing.name:<34} p50 {timing.p50_ms:>7.2f} ms  p95 {timing.p95_ms:>7.2f} ms  {timing.queries} queries"
        )
    say(
        f"  service layer's own cost per operation: p50 {service['p50_ms']} ms, p95 {service['p95_ms']} ms"
    )
    (RESULTS / f"results-{connection.vendor}.json").write_text(
        json.dumps(
            {
                "vendor": connection.vendor,
                "scale": args.scale,
                "sizes": scale,
                "pages": [timing.row() for timing in timings],
                "service": service,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
