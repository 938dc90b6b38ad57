"""How long the satisfaction report takes over many surveys, measured server-side.

Creates a throwaway database (the test database of DATABASE_URL, e.g. test_ticketui_surveys),
seeds it with bench/seed.py (default 100,000 surveys, 3 answers each, spread over the last 30 days
so the default report covers all of them), renders /reports/satisfaction in-process with Django's
test client (no network, full middleware and template rendering), prints p50/p95 and the number of
queries, and drops the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ticketui_surveys \\
        .venv/bin/python bench/report_satisfaction.py [--surveys 100000] [--runs 20]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("HTTPS", "false")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.seed import PRODUCTS, bench_users, seed_surveys  # noqa: E402
from bench.signin import sign_in  # noqa: E402
from ticketui.tickets.models import Survey, SurveyAnswer, Ticket  # noqa: E402


def seed(surveys: int, agents: int, days: int) -> None:
    """The surveys (bench/seed.py), and a tracked ticket per product for the report's filter."""
    bench_users()  # the roles, and the team lead who reads the report
    seed_surveys(surveys, days=days, agents=agents)
    Ticket.objects.bulk_create(
        Ticket(case_id=f"PRODUCT-{n}", product_category=product, status=3)
        for n, product in enumerate(PRODUCTS)
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

    # The test client's host, without setup_test_environment(), whose instrumented template
    # rendering a production server does not do.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=options.keepdb
    )
    try:
        started = time.perf_counter()
        if not Survey.objects.exists():
            seed(options.surveys, options.agents, options.days)
        print(
            f"{connection.vendor}: seeded {Survey.objects.count():,} surveys and "
            f"{SurveyAnswer.objects.count():,} answers in {time.perf_counter() - started:.0f} s"
        )
        recent = Survey.objects.filter(surveyed_on__gt=timezone.localdate() - timedelta(days=30))
        print(f"{recent.count():,} of them in the last 30 days (the report's default period)")
        lead, _ = User.objects.get_or_create(username="bench-lead")
        lead.groups.add(Group.objects.get(name="Team lead"))
        client = Client()
        sign_in(client, lead)
        agent = User.objects.get(username="bench-agent-00")
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
