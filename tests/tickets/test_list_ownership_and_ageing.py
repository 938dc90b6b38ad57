"""The list's owner, age and waiting filters, its orders, its counts under the filter, and the
marks for tickets changed since the viewer opened them or waiting on the team too long."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ticketui.tickets.models import Ticket, TicketVisit

pytestmark = pytest.mark.django_db


def ago(**delta):
    return timezone.now() - timedelta(**delta)


@pytest.fixture
def tickets(support_user, team_lead):
    rows = [
        ("NEW1", 1, support_user, ago(hours=2), ago(hours=1)),
        ("OLD1", 2, support_user, ago(days=10), ago(days=3)),
        ("OLD2", 17, None, ago(days=40), ago(hours=2)),
        ("MID1", 3, team_lead, ago(days=5), ago(days=5)),
    ]
    return {
        case_id: Ticket.objects.create(
            case_id=case_id,
            status=status,
            owner=owner,
            upstream_created_at=created,
            upstream_updated_at=changed,
        )
        for case_id, status, owner, created, changed in rows
    }


def case_ids(response) -> list[str]:
    return [ticket.case_id for ticket in response.context["page"]]


def test_my_tickets_and_unassigned(support_client, tickets):
    assert case_ids(support_client.get("/", {"owner": "me"})) == ["NEW1", "OLD1"]
    assert case_ids(support_client.get("/", {"owner": "none"})) == ["OLD2"]
    assert case_ids(support_client.get("/", {"owner": "tess"})) == ["MID1"]


def test_an_unknown_owner_is_left_out_and_the_other_filters_still_apply(support_client, tickets):
    response = support_client.get("/", {"owner": "nobody-called-this", "status": "2"})

    assert response.status_code == 200
    assert case_ids(response) == ["OLD1"]


def test_the_age_filter_keeps_tickets_created_longer_ago(support_client, tickets):
    assert case_ids(support_client.get("/", {"age": "7d"})) == ["OLD1", "OLD2"]
    assert case_ids(support_client.get("/", {"age": "30d", "owner": "none"})) == ["OLD2"]


def test_waiting_too_long_means_awaiting_the_team_past_the_threshold(
    support_client, tickets, settings
):
    settings.TICKET_WAITING_THRESHOLD_HOURS = 24
    # OLD1 awaits confirmation for 3 days; OLD2 pending feedback for 2 hours only.
    assert case_ids(support_client.get("/", {"waiting": "1"})) == ["OLD1"]

    settings.TICKET_WAITING_THRESHOLD_HOURS = 1
    cache.clear()  # the counts of this filter, kept for 30 seconds
    assert case_ids(support_client.get("/", {"waiting": "1"})) == ["OLD1", "OLD2"]


def test_tickets_waiting_too_long_are_marked(support_client, tickets, settings):
    settings.TICKET_WAITING_THRESHOLD_HOURS = 24

    response = support_client.get("/")

    assert response.text.count('class="badge badge-waiting"') == 1
    assert "more than 24 hours" in response.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["NEW1", "MID1", "OLD1", "OLD2"]),
        ("newest", ["NEW1", "MID1", "OLD1", "OLD2"]),
        ("oldest", ["OLD2", "OLD1", "MID1", "NEW1"]),
        ("changed", ["NEW1", "OLD2", "OLD1", "MID1"]),
        ("unchanged", ["MID1", "OLD1", "OLD2", "NEW1"]),
        ("status", ["NEW1", "OLD1", "MID1", "OLD2"]),
        ("'; DROP TABLE x", ["NEW1", "MID1", "OLD1", "OLD2"]),
    ],
)
def test_the_list_sorts_by_age_last_change_and_status(support_client, tickets, sort, expected):
    response = support_client.get("/", {"sort": sort})

    assert response.status_code == 200
    assert case_ids(response) == expected


def test_a_search_keeps_the_chosen_order(support_client, tickets):
    assert case_ids(support_client.get("/", {"q": "OLD", "sort": "oldest"})) == ["OLD2", "OLD1"]


def test_sortable_headers_keep_the_filter_and_say_the_order(support_client, tickets):
    response = support_client.get("/", {"owner": "me", "sort": "oldest", "page": "1"})

    assert 'aria-sort="descending"' in response.text
    assert 'href="?owner=me&amp;sort=newest"' in response.text  # the age column again
    assert 'href="?owner=me&amp;sort=unchanged"' in response.text
    assert 'href="?owner=me&amp;sort=status"' in response.text


def test_the_chips_count_the_other_filters_not_the_whole_table(support_client, tickets):
    response = support_client.get("/", {"owner": "me", "status": "2"})

    assert response.context["status_counts"] == [
        (1, "Processing", 1),
        (2, "Awaiting confirmation", 1),
    ]
    assert response.context["status_total"] == 2
    assert response.context["match_count"] == 1
    assert "1 ticket matches this filter" in response.text


def test_without_a_filter_the_list_says_how_many_tickets_there_are(support_client, tickets):
    response = support_client.get("/")

    assert "4 tickets" in response.text
    assert "match this filter" not in response.text


def test_a_claim_shows_in_my_tickets_count_at_once(support_client, support_user, tickets):
    support_client.get("/", {"owner": "me"})  # counted (and cached) before the claim

    support_client.post(f"/tickets/{tickets['OLD2'].pk}/claim")
    response = support_client.get("/", {"owner": "me"})

    assert response.context["match_count"] == 3


def test_a_filtered_page_reads_the_tickets_in_two_queries(support_client, tickets):
    with CaptureQueriesContext(connection) as queries:
        support_client.get("/", {"owner": "me", "q": "OLD", "age": "1d"})
    ticket_reads = [q for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]

    assert len(ticket_reads) == 2  # the chips' counts, and the page


def test_the_owner_column_names_the_owner_or_says_unassigned(support_client, tickets):
    response = support_client.get("/", {"sort": "oldest"})

    row = response.text.split("OLD2</a>", 1)[1].split("</tr>", 1)[0]
    assert "Unassigned" in row
    assert "Sam" in response.text.split("OLD1</a>", 1)[1].split("</tr>", 1)[0]


def test_tickets_changed_upstream_since_the_viewer_opened_them_are_marked(
    support_client, support_user, team_lead, tickets
):
    TicketVisit.objects.create(user=support_user, ticket=tickets["OLD1"], viewed_at=ago(days=4))
    TicketVisit.objects.create(user=support_user, ticket=tickets["MID1"], viewed_at=ago(days=1))
    # Another viewer's visit says nothing about this one's.
    TicketVisit.objects.create(user=team_lead, ticket=tickets["NEW1"], viewed_at=ago(days=1))

    response = support_client.get("/")

    assert response.context["changed_since_visit"] == (tickets["OLD1"].pk,)
    row = response.text.split("OLD1</a>", 1)[1].split("</td>", 1)[0]
    assert "badge-changed" in row
    assert response.text.count('class="badge badge-changed"') == 1


def test_opening_a_ticket_clears_its_mark(support_client, support_user, sandbox, tickets):
    TicketVisit.objects.create(user=support_user, ticket=tickets["OLD1"], viewed_at=ago(days=4))

    support_client.get(f"/tickets/{tickets['OLD1'].pk}/")
    response = support_client.get("/")

    assert response.context["changed_since_visit"] == ()
