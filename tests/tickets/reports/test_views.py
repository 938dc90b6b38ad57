"""The team lead's satisfaction report, its CSV export and the survey's required dimensions."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.models import SatisfactionDimension
from ticketui.tickets.reports.forms import RANGE_TOO_LONG, START_AFTER_END

from .test_selectors import add_survey, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(support_user, team_lead):
    today = timezone.localdate()
    add_survey(support_user, "CS-1", {1: 4, 7: 5}, when=at(today), product="OBS")
    add_survey(team_lead, "CS-2", {1: 2}, when=at(today - timedelta(days=3)), product="ECS")
    add_survey(support_user, "CS-OLD", {1: 1}, when=at(today - timedelta(days=40)))


def test_a_team_lead_sees_the_last_30_days(lead_client, answers):
    response = lead_client.get("/reports/satisfaction")

    assert response.status_code == 200
    report = response.context["report"]
    today = timezone.localdate()
    assert (report.filters.start, report.filters.end) == (today - timedelta(days=29), today)
    assert report.surveys == 2
    html = response.text
    assert f'value="{today - timedelta(days=29):%Y-%m-%d}"' in html
    assert '<th scope="row">Response timeliness</th><td class="nowrap">3.0 of 5</td>' in html
    assert '<title id="chart-means-title">Mean stars per dimension</title>' in html
    assert '<title id="chart-trend-title">Share of satisfied answers per week</title>' in html
    assert "Stars given for Overall" in html


def test_the_report_link_is_in_the_top_bar_for_team_leads_only(lead_client, client, support_user):
    assert '<a href="/reports/satisfaction"' in lead_client.get("/").text
    client.force_login(support_user)
    assert "/reports/satisfaction" not in client.get("/").text


def test_agents_and_outsiders_may_not_see_the_report(support_client, outsider_client):
    for client in (support_client, outsider_client):
        response = client.get("/reports/satisfaction")
        assert response.status_code == 403
        assert client.get("/reports/satisfaction.csv").status_code == 403


def test_the_report_permission_alone_is_enough(client, support_user, answers):
    support_user.user_permissions.add(Permission.objects.get(codename="view_satisfaction_report"))
    client.force_login(support_user)

    assert client.get("/reports/satisfaction").status_code == 200


def test_it_filters_by_agent_and_product(lead_client, answers, team_lead):
    by_agent = lead_client.get(f"/reports/satisfaction?agent={team_lead.pk}")
    by_product = lead_client.get("/reports/satisfaction?product=OBS")

    assert by_agent.context["report"].surveys == 1
    assert by_product.context["report"].surveys == 1
    assert by_product.context["report"].dimensions[0].tally.mean_stars == 4


def test_a_start_after_the_end_is_explained(lead_client):
    response = lead_client.get("/reports/satisfaction?start=2026-10-10&end=2026-10-01")

    assert response.status_code == 400
    assert START_AFTER_END in response.text


def test_a_period_longer_than_three_years_is_refused(lead_client):
    response = lead_client.get("/reports/satisfaction?start=2020-01-01&end=2026-01-01")

    assert RANGE_TOO_LONG % {"days": 1098, "length": 2193} in response.text


def test_an_unknown_agent_is_a_field_error(lead_client):
    response = lead_client.get("/reports/satisfaction?agent=999")

    assert response.status_code == 400
    assert "Select a valid choice." in response.text


def test_products_are_offered_from_the_tracked_tickets(lead_client, ticket):
    ticket.product_category = "Elastic Cloud Server"
    ticket.save()

    html = lead_client.get("/reports/satisfaction?product=Other").text

    assert '<option value="Elastic Cloud Server">Elastic Cloud Server</option>' in html
    assert '<option value="Other" selected>Other</option>' in html


def test_an_empty_period_says_so(lead_client, answers):
    response = lead_client.get("/reports/satisfaction?start=2020-01-01&end=2020-01-31")

    assert "No surveys in this period." in response.text
    assert "<svg" not in response.text


def test_a_period_ending_on_a_chosen_day_starts_30_days_before_it(lead_client):
    response = lead_client.get("/reports/satisfaction?end=2026-10-31")

    assert response.context["report"].filters.start == date(2026, 10, 2)
    assert 'value="2026-10-02"' in response.text


# --- CSV export ------------------------------------------------------------------------------


def export(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/reports/satisfaction.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_has_one_row_per_answer_of_the_period(lead_client, answers):
    rows = export(lead_client)

    assert rows[0] == [
        "surveyed_at", "case_id", "product", "agent", "source", "satisfaction_id", "dimension",
        "stars", "of_stars", "satisfaction_value", "value", "per_value", "comment",
    ]  # fmt: skip
    assert [(row[1], row[5], row[7], row[9]) for row in rows[1:]] == [
        ("CS-2", "1", "2", "2"),
        ("CS-1", "1", "4", "4"),
        ("CS-1", "7", "5", "10"),
    ]


def test_the_export_is_named_after_its_period_and_recorded(lead_client, answers, team_lead):
    response = lead_client.get("/reports/satisfaction.csv?start=2026-10-01&end=2026-10-31")

    assert response["Content-Disposition"] == (
        'attachment; filename="satisfaction-2026-10-01-2026-10-31.csv"'
    )
    record = AuditRecord.objects.get(kind=Kind.EXPORT)
    assert record.actor == team_lead
    assert record.data["start"] == "2026-10-01"


@pytest.mark.parametrize("comment", ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tTAB"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_exported_as_text(
    lead_client, support_user, comment
):
    add_survey(support_user, "CS-F", {1: 3}, when=at(timezone.localdate()), comment=comment)

    [_, row] = export(lead_client)

    assert row[12] == "'" + comment
    assert row[7] == "3"


def test_an_invalid_period_exports_nothing(lead_client):
    response = lead_client.get("/reports/satisfaction.csv?start=2026-10-10&end=2026-10-01")

    assert response.status_code == 400
    assert START_AFTER_END in response.text
    assert not AuditRecord.objects.filter(kind=Kind.EXPORT).exists()


# --- Required dimensions -----------------------------------------------------------------------


def test_a_team_lead_chooses_the_required_dimensions(lead_client, dimensions):
    page = lead_client.get("/reports/satisfaction/dimensions")
    assert page.status_code == 200
    assert "Overall experience" in page.text
    assert "10 points, 2 per star" in page.text

    response = lead_client.post(
        "/reports/satisfaction/dimensions", {"required": ["1", "7"]}, follow=True
    )

    assert "Saved: 2 of the survey&#x27;s dimensions are required." in response.text
    assert set(
        SatisfactionDimension.objects.filter(required=True).values_list(
            "satisfaction_id", flat=True
        )
    ) == {1, 7}


def test_unticking_every_dimension_makes_none_required(lead_client, dimensions):
    SatisfactionDimension.objects.update(required=True)

    lead_client.post("/reports/satisfaction/dimensions", {})

    assert not SatisfactionDimension.objects.filter(required=True).exists()


def test_a_team_lead_fetches_the_dimensions_again(lead_client, sandbox, team_lead):
    response = lead_client.post("/reports/satisfaction/dimensions", {"sync": "1"}, follow=True)

    assert "Synced from the upstream: 3 new, 0 refreshed, 0 no longer offered." in response.text
    assert SatisfactionDimension.objects.count() == 3
    assert AuditRecord.objects.get(kind=Kind.SYNC).actor == team_lead


def test_a_failed_fetch_says_why(lead_client, settings):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"

    response = lead_client.post("/reports/satisfaction/dimensions", {"sync": "1"}, follow=True)

    assert "The upstream could not be asked just now: Could not connect to the upstream" in (
        response.text
    )


def test_agents_may_not_change_the_survey(support_client, dimensions):
    assert support_client.get("/reports/satisfaction/dimensions").status_code == 403
    assert (
        support_client.post("/reports/satisfaction/dimensions", {"required": ["1"]}).status_code
        == 403
    )
    assert not SatisfactionDimension.objects.filter(required=True).exists()


def test_the_export_is_the_same_whatever_its_chunk_size():
    from ticketui.spreadsheets import csv_lines
    from ticketui.tickets.reports.selectors import ANSWER_COLUMNS

    rows = [("2026-10-07T09:00:00+08:00", f"CS-{n}", "=1+1", n) for n in range(5)]

    small = list(csv_lines(ANSWER_COLUMNS, iter(rows), rows_per_chunk=2))
    assert len(small) == 4  # the header, then rows 1-2, 3-4 and 5
    assert "".join(small) == "".join(csv_lines(ANSWER_COLUMNS, iter(rows), rows_per_chunk=1000))


def test_the_filters_choices_are_read_once_a_minute_not_on_every_view(lead_client):
    def scans_for_choices() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert lead_client.get("/reports/satisfaction").status_code == 200
        return sum(
            "DISTINCT" in query["sql"] or '"agent_id" FROM "tickets_survey"' in query["sql"]
            for query in queries.captured_queries
        )

    assert scans_for_choices() == 2
    assert scans_for_choices() == 0


@pytest.mark.parametrize("path", ["/reports/satisfaction", "/reports/satisfaction.csv"])
@pytest.mark.parametrize(
    "query",
    [
        "?end=0001-01-01",
        "?end=0001-01-05",
        "?start=0001-01-01&end=0001-01-02",
        "?end=9999-12-31",
        "?start=9999-12-01&end=9999-12-31",
    ],
)
def test_periods_at_the_ends_of_the_calendar_are_reported_not_a_crash(lead_client, path, query):
    response = lead_client.get(path + query)

    assert response.status_code == 200


def test_a_period_ending_on_the_calendars_first_days_starts_on_its_first_day(lead_client):
    response = lead_client.get("/reports/satisfaction?end=0001-01-05")

    assert response.context["report"].filters.start == date(1, 1, 1)
    assert 'value="0001-01-01"' in response.text
