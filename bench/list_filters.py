"""The ticket list's page and status-count queries under each order and filter, over many
tickets, in the database DATABASE_URL names (a scratch one: it replaces its tickets).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch DEBUG=true \\
        .venv/bin/python manage.py migrate --skip-checks
    DATABASE_URL=… DEBUG=true ROWS=100000 .venv/bin/python -m bench.list_filters

Prints the median of 5 runs of each: the page (25 rows, with their owners) and the chips'
counts as the list computes them when its 30-second cache is empty."""

import os
import statistics
import time
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from ticketui.tickets.models import Ticket  # noqa: E402
from ticketui.tickets.selectors import ticket_list_page, ticket_status_counts  # noqa: E402

ROWS = int(os.environ.get("ROWS", "100000"))
STATUSES = (0, 1, 2, 3, 4, 5, 17)


def seed() -> None:
    """ROWS tickets, one in 50 owned by one of five agents, created a minute apart."""
    Ticket.objects.all().delete()
    agents = [User.objects.get_or_create(username=f"bench{i}")[0] for i in range(5)]
    now = timezone.now()
    batch = []
    for n in range(ROWS):
        batch.append(
            Ticket(
                case_id=f"B{n:07d}",
                summary=f"ticket {n} about ECS boot",
                status=STATUSES[n % len(STATUSES)],
                owner=agents[n % 5] if n % 50 == 0 else None,
                upstream_created_at=now - timedelta(minutes=n),
                upstream_updated_at=now - timedelta(minutes=(n * 7919) % ROWS),
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket" if connection.vendor == "postgresql" else "ANALYZE")


def median_ms(work, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    if Ticket.objects.count() != ROWS:
        seed()
    agent = User.objects.get(username="bench0")
    cases = {
        "newest (the default)": {},
        "oldest": {"sort": "oldest"},
        "changed": {"sort": "changed"},
        "unchanged": {"sort": "unchanged"},
        "status": {"sort": "status"},
        "status 2, unchanged": {"status": 2, "sort": "unchanged"},
        "mine": {"owner_id": agent.pk},
        "unassigned": {"unassigned": True},
        "unassigned, older than 7 days, oldest": {
            "unassigned": True,
            "older_than": timedelta(days=7),
            "sort": "oldest",
        },
        "waiting too long": {"waiting": True},
        "search B00012": {"search": "B00012"},
    }
    print(f"{connection.vendor}, {Ticket.objects.count():,} tickets")
    for name, filters in cases.items():
        counts = ticket_status_counts(**filters)
        chosen = {"status": None, "sort": "newest", **filters}

        def page(chosen=chosen, counts=counts):
            list(ticket_list_page(filters=chosen, number="1", status_counts=counts).object_list)

        def count(filters=filters):
            cache.clear()
            ticket_status_counts(**filters)

        print(f"{name:40s} page {median_ms(page):6.1f} ms   counts {median_ms(count):6.1f} ms")


if __name__ == "__main__":
    main()
