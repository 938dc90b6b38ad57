"""How long the satisfaction report takes over many surveys, measured server-side.

Creates a throwaway database (the test database of DATABASE_URL, e.g. test_ticketui_surveys),
seeds it with bulk_create (default 100,000 surveys, 3 answers each, spread over the last 30 days so
the default report covers all of them), renders /reports/satisfaction in-process with Django's
test client (no network, full middleware and template rendering), prints p50/p95 and the number of
queries, and drops the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ticketui_surveys \\
        .venv/bin/python bench/report_satisfaction.py [--surveys 100000] [--runs 20]
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("HTTPS", "false")

import django

django.setup()

from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome  # noqa: E402
from ticketui.tickets.models import (  # noqa: E402
    SatisfactionDimension,
    Survey,
    SurveyAnswer,
    SurveySource,
    Ticket,
)
from ticketui.tickets.roles import roles_ensure  # noqa: E402

DIMENSIONS = [(1, "Response timeliness", 5, 1), (3, "Handling result", 5, 1), (7, "Overall", 10, 2)]
PRODUCTS = ["Elastic Cloud Server", "Object Storage Service", "Relational Database Service",
            "Virtual Private Cloud", "Billing Center", "Identity and Access Management",
            "Cloud Container Engine", "Elastic Load Balance"]  # fmt: skip
BATCH = 5000


def seed(surveys: int, agents: int, days: int) -> None:
    rng = random.Random(4)
    roles_ensure(Group, Permission)
    SatisfactionDimension.objects.bulk_create(
        SatisfactionDimension(
            satisfaction_id=satisfaction_id,
            name=name,
            value=value,
            per_value=per_value,
            synced_at=timezone.now(),
        )
        for satisfaction_id, name, value, per_value in DIMENSIONS
    )
    Ticket.objects.bulk_create(
        Ticket(case_id=f"PRODUCT-{n}", product_category=product, status=3)
        for n, product in enumerate(PRODUCTS)
    )
    users = User.objects.bulk_create(
        User(username=f"agent{n}", first_name="Agent", last_name=str(n)) for n in range(agents)
    )
    now = timezone.now()
    # From the first moment of the first day of the period to now, in the dashboard's time zone.
    first_day = timezone.localdate(now) - timedelta(days=days - 1)
    first_moment = timezone.make_aware(datetime.combine(first_day, datetime.min.time()))
    span = int((now - first_moment).total_seconds())
    for start in range(0, surveys, BATCH):
        count = min(BATCH, surveys - start)
        stamps = [now - timedelta(seconds=rng.randrange(span)) for _ in range(count)]
        agents_of = [rng.choice(users) for _ in range(count)]
        records = AuditRecord.objects.bulk_create(
            AuditRecord(
                kind=Kind.RATING,
                created_at=stamp,
                completed_at=stamp,
                actor=agent,
                actor_username=agent.username,
                case_id=f"CS{start + n:010d}",
                action_id="score",
                outcome=RecordOutcome.SUCCEEDED,
            )
            for n, (stamp, agent) in enumerate(zip(stamps, agents_of, strict=True))
        )
        local_days = [timezone.localdate(record.created_at) for record in records]
        created = Survey.objects.bulk_create(
            Survey(
                case_id=record.case_id,
                product=rng.choice(PRODUCTS),
                agent=record.actor,
                agent_username=record.actor_username,
                source=rng.choice(SurveySource.values),
                judgement=rng.choice(["", "Fast and friendly", "=took too long"]),
                audit_record=record,
                created_at=record.created_at,
                surveyed_on=day,
                week=day - timedelta(days=day.weekday()),
            )
            for record, day in zip(records, local_days, strict=True)
        )
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(
                survey=survey,
                satisfaction_id=satisfaction_id,
                name=name,
                stars=(stars := min(value // per_value, max(1, round(rng.gauss(3.9, 1.1))))),
                scale=value // per_value,
                satisfaction_value=stars * per_value,
                value=value,
                per_value=per_value,
                surveyed_on=survey.surveyed_on,
                week=survey.week,
                agent=survey.agent,
                product=survey.product,
            )
            for survey in created
            for satisfaction_id, name, value, per_value in DIMENSIONS
        )


def timed(client: Client, url: str, runs: int, show: bool = False) -> tuple[list[float], int]:
    for _ in range(2):  # warm caches, as a running server would have them
        b"".join(client.get(url))
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response)  # a streamed export counts until its last byte
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        assert body
    with CaptureQueriesContext(connection) as queries:
        b"".join(client.get(url))
    if show:
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:7.0f} ms  {query['sql'][:300]}")
    return durations, len(queries)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--surveys", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=25)
    parser.add_argument(
        "--days",
        type=int,
        default=30,
        help="spread the surveys over this many days before today (30: the default report "
        "covers every survey, the worst case)",
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--show-queries", action="store_true", help="print each query's time")
    parser.add_argument(
        "--keepdb", action="store_true", help="keep the seeded database for the next run"
    )
    options = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=options.keepdb
    )
    try:
        started = time.perf_counter()
        if not Survey.objects.exists():
            seed(options.surveys, options.agents, options.days)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # What autovacuum does to a table that has been written to.
                cursor.execute("VACUUM ANALYZE")
        print(
            f"{connection.vendor}: seeded {Survey.objects.count():,} surveys and "
            f"{SurveyAnswer.objects.count():,} answers in {time.perf_counter() - started:.0f} s"
        )
        recent = Survey.objects.filter(surveyed_on__gt=timezone.localdate() - timedelta(days=30))
        print(f"{recent.count():,} of them in the last 30 days (the report's default period)")
        lead, _ = User.objects.get_or_create(username="bench-lead")
        lead.groups.add(Group.objects.get(name="Team lead"))
        client = Client()
        client.force_login(lead)
        agent = User.objects.get(username="agent0")
        cases = [
            ("report, last 30 days", "/reports/satisfaction", options.runs),
            ("report, one agent", f"/reports/satisfaction?agent={agent.pk}", options.runs),
            ("report, one product", "/reports/satisfaction?product=Billing+Center", options.runs),
            ("CSV export, last 30 days", "/reports/satisfaction.csv", 3),
        ]
        for label, url, runs in cases:
            durations, queries = timed(client, url, runs, options.show_queries)
            print(
                f"{label:<38} p50 {statistics.median(durations):7.0f} ms   "
                f"p95 {percentile(durations, 0.95):7.0f} ms   {queries} queries   ({runs} runs)"
            )
    finally:
        if not options.keepdb:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
