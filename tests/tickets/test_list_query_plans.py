"""The list's orders and owner filters are read from an index, not by sorting the table: the
query plans on SQLite and on PostgreSQL (with enough rows that its planner has a choice)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ticketui.tickets.models import Ticket
from ticketui.tickets.selectors import LIST_FIELDS, ticket_list

pytestmark = pytest.mark.django_db

ROWS = 5000


@pytest.fixture
def many_tickets(support_user):
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            case_id=f"PLAN{n:05d}",
            status=(0, 1, 2, 3, 4, 5, 17)[n % 7],
            owner=support_user if n % 50 == 0 else None,
            upstream_created_at=now - timedelta(minutes=n),
            upstream_updated_at=now - timedelta(minutes=(n * 7919) % ROWS),
        )
        for n in range(ROWS)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket" if connection.vendor == "postgresql" else "ANALYZE")
    return support_user


CASES = [
    ({"sort": "newest"}, "ticket_newest"),
    ({"sort": "oldest"}, "ticket_newest"),
    ({"sort": "changed"}, "ticket_changed"),
    ({"sort": "unchanged"}, "ticket_changed"),
    ({"sort": "status"}, "ticket_status_order"),
    ({"status": 2, "sort": "unchanged"}, "ticket_status_changed"),
    ({"status": 2, "sort": "changed"}, "ticket_status_changed"),
    # Most tickets are nobody's: walking the list's own order and skipping the few owned ones is
    # as good (PostgreSQL's choice), so long as nothing is sorted.
    ({"unassigned": True, "sort": "newest"}, ("ticket_owner_newest", "ticket_newest")),
    ({"unassigned": True, "sort": "oldest"}, ("ticket_owner_newest", "ticket_newest")),
    ({"owner_id": "viewer", "sort": "newest"}, "ticket_owner_newest"),
]


@pytest.mark.parametrize(("filters", "index"), CASES)
def test_a_page_of_the_list_is_read_in_index_order(many_tickets, filters, index):
    if filters.get("owner_id") == "viewer":
        filters = {**filters, "owner_id": many_tickets.pk}
    page = ticket_list(**filters).only(*LIST_FIELDS)[:25]

    plan = page.explain()

    assert any(name in plan for name in ((index,) if isinstance(index, str) else index)), plan
    if connection.vendor == "sqlite":
        assert "TEMP B-TREE" not in plan, plan
    else:
        assert "Seq Scan on tickets_ticket" not in plan, plan
        assert "Sort Key" not in plan, plan
