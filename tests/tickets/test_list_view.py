import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ticketui.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(db):
    Ticket.objects.create(case_id="CS100", summary="ECS cannot boot", status=1)
    Ticket.objects.create(case_id="CS200", summary="Invoice has the wrong name", status=3)
    Ticket.objects.create(case_id="工单-42", summary="控制台无法打开工单附件", status=1)


def test_it_requires_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_lists_tracked_tickets(support_client, tickets):
    response = support_client.get("/")

    assert response.status_code == 200
    assert len(response.context["page"]) == 3
    assert "Invoice has the wrong name" in response.text


def test_each_row_has_as_many_cells_as_the_header_and_the_product_under_the_summary(
    support_client, tickets
):
    Ticket.objects.filter(case_id="CS100").update(product_category="Elastic Cloud Server")

    page = support_client.get("/").text

    header = re.search(r"<thead>.*?</thead>", page, re.S).group()
    rows = re.findall(r"<tr data-row>.*?</tr>", page, re.S)
    assert len(rows) == 3
    assert {len(re.findall(r"<td[\s>]", row)) for row in rows} == {
        len(re.findall(r"<th[\s>]", header))
    }
    row = next(row for row in rows if ">CS100</a>" in row)
    summary = re.search(r'<td class="summary-cell">(.*?)</td>', row, re.S).group(1)
    assert "ECS cannot boot" in summary
    assert '<span class="summary-product">Elastic Cloud Server</span>' in summary


def test_it_searches_by_case_id_prefix_and_summary_words(support_client, tickets):
    by_id = support_client.get("/", {"q": "CS2"})
    by_words = support_client.get("/", {"q": "cannot boot"})
    by_chinese = support_client.get("/", {"q": "控制台"})

    assert [t.case_id for t in by_id.context["page"]] == ["CS200"]
    assert [t.case_id for t in by_words.context["page"]] == ["CS100"]
    assert [t.case_id for t in by_chinese.context["page"]] == ["工单-42"]


def test_it_filters_by_status(support_client, tickets):
    response = support_client.get("/", {"status": "3"})

    assert [t.case_id for t in response.context["page"]] == ["CS200"]


def test_a_bad_filter_value_is_ignored_not_a_crash(support_client, tickets):
    response = support_client.get("/", {"status": "nope"})

    assert response.status_code == 200
    assert len(response.context["page"]) == 3


NO_SUCH_PAGE = "This page of the list does not exist (any more): the list has fewer pages."


@pytest.mark.parametrize("search", ["", "CS"])
@pytest.mark.parametrize("page", ["2", "99", "0", "-4", "²", "٣", "x", "99999999999999999999999"])
def test_a_page_the_list_does_not_have_says_so_with_a_way_back(
    support_client, tickets, search, page
):
    response = support_client.get("/", {"q": search, "page": page})

    assert response.status_code == 404
    assert NO_SUCH_PAGE in response.text
    assert list(response.context["page"]) == []
    assert 'href="?q=' + search + '">Go to the first page</a>' in response.text


def test_a_page_past_the_end_says_so_in_the_fragment_too(support_client, tickets):
    response = support_client.get("/", {"page": "9"}, headers={"HX-Request": "true"})

    assert response.status_code == 200  # swapped in, so that the reader sees why
    assert NO_SUCH_PAGE in response.text


def test_a_status_past_the_database_column_matches_nothing_rather_than_crashing(
    support_client, tickets
):
    response = support_client.get("/", {"q": "CS", "status": "99999999999999999999999"})

    assert response.status_code == 200


def test_an_htmx_request_gets_only_the_results_fragment(support_client, tickets):
    response = support_client.get("/", {"q": "CS1"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text


def test_it_pages_through_many_tickets(support_client):
    Ticket.objects.bulk_create(Ticket(case_id=f"CS{n:04d}", status=1) for n in range(60))

    first = support_client.get("/")
    third = support_client.get("/", {"page": 3})

    assert len(first.context["page"]) == 25
    assert len(third.context["page"]) == 10
    assert "Page 3 of 3" in third.text


def test_an_empty_filter_result_says_so(support_client, tickets):
    response = support_client.get("/", {"q": "nothing like this"})

    assert "No tracked ticket matches this filter." in response.text


def test_summary_search_matches_every_word_in_any_order(support_client, tickets):
    response = support_client.get("/", {"q": "boot ECS"})

    assert [t.case_id for t in response.context["page"]] == ["CS100"]


def test_status_chips_count_the_tickets_in_each_status(support_client, tickets):
    response = support_client.get("/")

    assert response.context["status_counts"] == [(1, "Processing", 2), (3, "Completed", 1)]
    assert response.context["status_total"] == 3


def test_a_status_the_dashboard_has_no_name_for_can_still_be_filtered(support_client, tickets):
    Ticket.objects.create(case_id="CS900", status=99)

    response = support_client.get("/", {"status": "99"})

    assert [t.case_id for t in response.context["page"]] == ["CS900"]
    assert "Unknown status (99)" in response.text


def test_the_next_page_link_keeps_the_search_and_moves_one_page(support_client):
    Ticket.objects.bulk_create(Ticket(case_id=f"CS{n:04d}", status=1) for n in range(60))

    response = support_client.get("/", {"q": "CS", "page": 2})

    assert 'href="?q=CS&amp;page=3"' in response.text
    assert 'href="?q=CS&amp;page=1"' in response.text


def test_search_results_are_paged_and_counted_once(support_client):
    Ticket.objects.bulk_create(
        Ticket(case_id=f"CS{n:03d}", summary="ECS cannot boot" if n % 3 else "Invoice", status=1)
        for n in range(90)
    )

    with CaptureQueriesContext(connection) as queries:
        third = support_client.get("/", {"q": "boot", "page": 3})
    ticket_reads = [q for q in queries.captured_queries if '"tickets_ticket"' in q["sql"]]
    past_the_end = support_client.get("/", {"q": "boot", "page": 9})

    assert third.context["page"].paginator.count == 60
    assert len(third.context["page"]) == 10
    assert third.context["page"].number == 3
    assert not third.context["page"].has_next()
    assert len(ticket_reads) == 2  # the chips count the search's matches, then the page
    assert past_the_end.status_code == 404
    assert NO_SUCH_PAGE in past_the_end.text


def test_a_search_matching_nothing_says_so(support_client, tickets):
    response = support_client.get("/", {"q": "no such words"})

    assert response.context["page"].paginator.count == 0
    assert "No tracked ticket matches this filter." in response.text
