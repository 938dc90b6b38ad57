"""`python -m bench.run [--scale small|full]`: seed the database named by DATABASE_URL (once: a
database already seeded for the scale is used as it is), time the dashboard's pages server-side
(p50/p95 over many requests, SQL queries per page), the CSV export of every audit record and the
service layer's own cost per operation, and write bench/results-<vendor>-<scale>.json.
`python -m bench.report` turns the result files into docs/benchmarks.md."""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

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
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.breakdown import page_breakdown  # noqa: E402
from bench.export import export_throughput  # noqa: E402
from bench.measure import time_calls, time_page  # noqa: E402
from bench.scenarios import BUSY_OPERATIONS, BUSY_TICKET, SEEDED_TICKETS, scenarios  # noqa: E402
from bench.seed import (  # noqa: E402
    bench_users,
    case_id,
    seed_audit_records,
    seed_surveys,
    seed_ticket_history,
    seed_tickets,
)
from bench.service import commit_floor, service_cost  # noqa: E402
from bench.signin import sign_in  # noqa: E402
from ticketui.audit.models import AuditRecord  # noqa: E402
from ticketui.tickets.models import Survey, Ticket  # noqa: E402
from ticketui.tickets.selectors import ticket_status_counts  # noqa: E402

SCALES = {
    "full": {
        "tickets": 100_000,
        "records": 1_000_000,
        "surveys": 100_000,
        "requests": 200,
        "operations": 300,
    },
    # Between the two, for a quick look at how a figure grows with the tables.
    "medium": {
        "tickets": 30_000,
        "records": 300_000,
        "surveys": 30_000,
        "requests": 60,
        "operations": 100,
    },
    "small": {
        "tickets": 10_000,
        "records": 100_000,
        "surveys": 10_000,
        "requests": 60,
        "operations": 60,
    },
}
RESULTS = Path(__file__).resolve().parent


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


def signed_in_clients(users: dict) -> dict[str, Client]:
    """A test client signed in as each of the bench's users, by their role."""
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        sign_in(clients[role], user)
    return clients


def page_timings(scale: dict, users: dict) -> list[dict]:
    """Every scenario cold, then warm; targets apply to the cold figures."""
    clients = signed_in_clients(users)
    rows = []
    for scenario in scenarios(users):
        row = {"name": scenario.name, "url": scenario.url}
        row |= {"target": scenario.target, "floor": scenario.floor}
        for state in ("cold", "warm"):
            timing = time_page(
                clients[scenario.viewer],
                scenario.name,
                scenario.url,
                requests=scale["requests"],
                cold=state == "cold",
                headers=scenario.headers,
            )
            if timing.status != 200:
                raise SystemExit(f"{scenario.name} ({scenario.url}) answered {timing.status}")
            say(
                f"  {timing.name:<36} {state} p50 {timing.p50_ms:>8.2f} ms"
                f"  p95 {timing.p95_ms:>8.2f} ms  {timing.queries} queries"
            )
            row[state] = {key: value for key, value in timing.row().items() if key != "name"}
        rows.append(row)
    return rows


def breakdown_timings(scale: dict, users: dict) -> list[dict]:
    """Where each targeted page's cold time goes (bench.breakdown), and its floor's."""
    clients = signed_in_clients(users)
    timed = scenarios(users)
    floors = {scenario.floor for scenario in timed if scenario.floor}
    rows = []
    for scenario in timed:
        if scenario.target not in ("page", "search", "fixed") and scenario.name not in floors:
            continue
        stages = page_breakdown(
            clients[scenario.viewer],
            scenario.url,
            requests=max(scale["requests"] // 2, 20),
            headers=scenario.headers,
        )
        say(f"  {scenario.name:<36} " + ", ".join(f"{k} {v}" for k, v in stages.items()))
        rows.append({"name": scenario.name, **stages})
    return rows


def status_counts_timing(requests: int) -> dict:
    """The status chips' counts alone, with the cache emptied before each call (cold)."""

    def cold_counts() -> None:
        cache.clear()
        ticket_status_counts()

    cleared = time_calls(cache.clear, times=requests)
    timing = time_calls(cold_counts, times=requests)
    # What clearing the cache itself took is not the counts' cost.
    timing["p50_ms"] = round(max(timing["p50_ms"] - cleared["p50_ms"], 0), 2)
    timing["p95_ms"] = round(max(timing["p95_ms"] - cleared["p50_ms"], 0), 2)
    say(f"  status counts, cold: p50 {timing['p50_ms']} ms, p95 {timing['p95_ms']} ms")
    return timing


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


def service_timing(scale: dict, users: dict) -> dict:
    service = service_cost(scale["operations"], users)
    service["commit_floor"] = commit_floor(scale["operations"])
    say(
        f"  service layer's own cost per operation: p50 {service['p50_ms']} ms, "
        f"p95 {service['p95_ms']} ms; one durable commit: p50 "
        f"{service['commit_floor']['p50_ms']} ms"
    )
    return service


PARTS = ("pages", "breakdown", "export", "status_counts", "service")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=SCALES, default=os.environ.get("SCALE", "full"))
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="measure only this part again (repeatable), keeping the rest of the results file",
    )
    args = parser.parse_args()
    scale = SCALES[args.scale]
    settings.ROOT_URLCONF = "bench.floors"
    # The test client's host; setup_test_environment() would add it too, but it also
    # instruments template rendering, which a production server does not do.
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    load_before = os.getloadavg()
    cache.clear()  # nothing cached from a run against another database
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    say(f"Benchmark on {connection.vendor}, scale {args.scale}")
    users, seeding = ensure_data(scale)
    path = RESULTS / f"results-{connection.vendor}-{args.scale}.json"
    parts = args.only or PARTS
    if args.only and not path.exists():
        raise SystemExit(f"--only needs an earlier full run's {path.name}")
    measure = {
        "pages": lambda: page_timings(scale, users),
        "breakdown": lambda: breakdown_timings(scale, users),
        "export": lambda: export_timing(users),
        "status_counts": lambda: status_counts_timing(scale["requests"]),
        "service": lambda: service_timing(scale, users),
    }
    results = json.loads(path.read_text()) if args.only else {}
    results |= {part: measure[part]() for part in parts}
    # The machine's load (1, 5 and 15 minutes) as the measuring began and ended.
    load = {"before": load_before, "after": os.getloadavg()}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if args.only:
        results["remeasured"] = {"parts": sorted(parts), "at": now, "load_average": load}
    else:
        results |= {
            "vendor": connection.vendor,
            "scale": args.scale,
            "measured_at": now,
            "sizes": {
                **scale,
                "audit_records": AuditRecord.objects.count(),
                "operations_on_busy_ticket": BUSY_OPERATIONS,
            },
            "seeding_s": seeding,
            "run_s": round(time.perf_counter() - started, 1),
            "load_average": load,
        }
    path.write_text(json.dumps(results, indent=2))
    say(f"wrote {path.name} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    sys.exit(main())
