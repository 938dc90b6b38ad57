"""The satisfaction report's figures and charts."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.osm.results import SatisfactionEntry
from ticketui.tickets.models import SatisfactionDimension, SurveySource, Ticket
from ticketui.tickets.reports.charts import (
    Datum,
    bar_chart,
    column_chart,
    line_chart,
    report_charts,
)
from ticketui.tickets.reports.selectors import (
    ReportFilter,
    is_satisfied,
    satisfaction_report,
    survey_answer_rows,
)
from ticketui.tickets.surveys.services import survey_store

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCALES = {1: ("Response timeliness", 5, 1), 3: ("Handling result", 5, 1), 7: ("Overall", 10, 2)}


def add_survey(agent, case_id, stars, *, when, product="ECS", comment=""):
    """A survey the upstream accepted: `stars` maps dimension id to stars."""
    record = AuditRecord.objects.create(
        kind=Kind.SURVEY,
        created_at=when,
        actor=agent,
        actor_username=agent.username,
        case_id=case_id,
        action_id="score",
        outcome=RecordOutcome.SUCCEEDED,
    )
    entries = [
        SatisfactionEntry(
            satisfaction_id=dimension,
            satisfaction_value=count * SCALES[dimension][2],
            value=SCALES[dimension][1],
            per_value=SCALES[dimension][2],
            satisfaction_name=SCALES[dimension][0],
        )
        for dimension, count in stars.items()
    ]
    return survey_store(
        actor=agent,
        ticket=Ticket(case_id=case_id, product_category=product),
        record=record,
        entries=entries,
        comment=comment,
        source=SurveySource.AFTER_CLOSURE,
    )


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def period():
    return ReportFilter(start=date(2026, 10, 1), end=date(2026, 10, 31))


@pytest.mark.parametrize(
    ("stars", "scale", "satisfied"),
    [(5, 5, True), (4, 5, True), (3, 5, False), (1, 5, False), (7, 10, True), (6, 10, False),
     (2, 3, True), (1, 3, False)],
)  # fmt: skip
def test_satisfied_is_4_or_5_of_5_and_the_top_40_percent_of_other_scales(stars, scale, satisfied):
    assert is_satisfied(stars=stars, scale=scale) is satisfied


def test_it_counts_mean_distribution_and_share_satisfied_per_dimension(
    support_user, team_lead, period
):
    day = date(2026, 10, 7)
    add_survey(support_user, "A", {1: 5, 3: 2}, when=at(day))
    add_survey(support_user, "B", {1: 4, 3: 3, 7: 5}, when=at(day))
    add_survey(team_lead, "C", {1: 2}, when=at(day))

    report = satisfaction_report(filters=period)

    assert report.surveys == 3
    timeliness, handling, overall = report.dimensions
    assert (timeliness.satisfaction_id, timeliness.scale, timeliness.name) == (
        1,
        5,
        "Response timeliness",
    )
    assert timeliness.tally.answers == 3
    assert timeliness.tally.mean_stars == pytest.approx(11 / 3)
    assert timeliness.tally.satisfied_percent == pytest.approx(200 / 3)
    assert [(share.stars, share.count) for share in timeliness.distribution] == [
        (1, 0), (2, 1), (3, 0), (4, 1), (5, 1),
    ]  # fmt: skip
    assert handling.tally.satisfied == 0
    assert (overall.scale, overall.tally.mean_stars, overall.tally.satisfied) == (5, 5, 1)
    assert report.tally.answers == 6
    assert report.tally.satisfied == 3


def test_names_come_from_the_synced_dimensions(support_user, period):
    SatisfactionDimension.objects.create(
        satisfaction_id=7, name="Overall experience, renamed", value=10, per_value=2,
        synced_at=at(date(2026, 10, 1)),
    )  # fmt: skip
    add_survey(support_user, "A", {7: 4, 1: 3}, when=at(date(2026, 10, 7)))

    names = [dimension.name for dimension in satisfaction_report(filters=period).dimensions]

    assert names == ["Response timeliness", "Overall experience, renamed"]


def test_the_period_includes_both_days_in_the_dashboards_time_zone(support_user, period):
    # 23:30 on 31 October in Shanghai is still October there; 00:10 on 1 November is not.
    add_survey(support_user, "IN", {1: 5}, when=at(date(2026, 10, 31), 23))
    add_survey(support_user, "FIRST", {1: 5}, when=at(date(2026, 10, 1), 0))
    add_survey(support_user, "OUT", {1: 1}, when=at(date(2026, 11, 1), 0))
    add_survey(support_user, "BEFORE", {1: 1}, when=at(date(2026, 9, 30), 23))

    report = satisfaction_report(filters=period)

    assert report.surveys == 2
    assert report.tally.satisfied_percent == 100


def test_weeks_are_iso_weeks_and_empty_ones_are_kept(support_user, period):
    add_survey(support_user, "A", {1: 5}, when=at(date(2026, 10, 5)))  # a Monday
    add_survey(support_user, "B", {1: 3}, when=at(date(2026, 10, 11)))  # the Sunday after
    add_survey(support_user, "C", {1: 4}, when=at(date(2026, 10, 26)))

    weeks = satisfaction_report(filters=period).weeks

    assert [week.start for week in weeks] == [
        date(2026, 9, 28), date(2026, 10, 5), date(2026, 10, 12), date(2026, 10, 19),
        date(2026, 10, 26),
    ]  # fmt: skip
    assert [week.surveys for week in weeks] == [0, 2, 0, 0, 1]
    assert weeks[1].tally.satisfied_percent == 50
    assert weeks[2].tally.satisfied_percent is None
    assert weeks[1].by_dimension[0].mean_stars == 4


def test_per_agent_figures(support_user, team_lead, period):
    add_survey(support_user, "A", {1: 5, 3: 5}, when=at(date(2026, 10, 7)))
    add_survey(team_lead, "B", {1: 1}, when=at(date(2026, 10, 7)))
    add_survey(team_lead, "C", {1: 4}, when=at(date(2026, 10, 8)))

    agents = satisfaction_report(filters=period).agents

    assert [(agent.label, agent.surveys) for agent in agents] == [("Sam", 1), ("Tess", 2)]
    assert agents[0].by_dimension[1].mean_stars == 5
    assert agents[1].by_dimension[1] is None
    assert agents[1].tally.satisfied_percent == 50


def test_it_filters_by_agent_and_by_product(support_user, team_lead, period):
    add_survey(support_user, "A", {1: 5}, when=at(date(2026, 10, 7)), product="OBS")
    add_survey(team_lead, "B", {1: 1}, when=at(date(2026, 10, 7)), product="ECS")
    add_survey(team_lead, "C", {1: 3}, when=at(date(2026, 10, 7)), product="OBS")

    by_agent = satisfaction_report(
        filters=ReportFilter(start=period.start, end=period.end, agent_id=team_lead.pk)
    )
    by_product = satisfaction_report(
        filters=ReportFilter(start=period.start, end=period.end, product="OBS")
    )

    assert (by_agent.surveys, by_agent.dimensions[0].tally.mean_stars) == (2, 2)
    assert (by_product.surveys, by_product.dimensions[0].tally.mean_stars) == (2, 4)


def test_an_empty_period_has_no_figures(period):
    report = satisfaction_report(filters=period)

    assert (report.surveys, report.dimensions, report.agents) == (0, [], [])
    assert report.tally.satisfied_percent is None


def test_the_number_of_queries_does_not_grow_with_the_surveys(support_user, team_lead, period):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            satisfaction_report(filters=period)
        return len(captured)

    add_survey(support_user, "A", {1: 5}, when=at(date(2026, 10, 7)))
    few = queries()
    for n in range(30):
        agent = support_user if n % 2 else team_lead
        add_survey(agent, f"N{n}", {1: 1 + n % 5, 3: 2}, when=at(date(2026, 10, 1 + n % 28)))

    assert queries() == few


def test_answer_rows_are_in_time_order_with_local_times(support_user, period):
    add_survey(
        support_user, "LATER", {1: 4}, when=at(date(2026, 10, 8)), product="OBS", comment="ok"
    )
    add_survey(support_user, "EARLIER", {3: 2, 1: 5}, when=at(date(2026, 10, 7), 9))

    rows = list(survey_answer_rows(filters=period))

    assert rows == [
        ("2026-10-07T09:00:00+08:00", "EARLIER", "ECS", "sam", "score", 1,
         "Response timeliness", 5, 5, 5, 5, 1, ""),
        ("2026-10-07T09:00:00+08:00", "EARLIER", "ECS", "sam", "score", 3,
         "Handling result", 2, 5, 2, 5, 1, ""),
        ("2026-10-08T10:00:00+08:00", "LATER", "OBS", "sam", "score", 1,
         "Response timeliness", 4, 5, 4, 5, 1, "ok"),
    ]  # fmt: skip


# --- Charts ------------------------------------------------------------------------------------


def test_a_chart_has_an_accessible_title_and_a_summary_of_its_numbers():
    svg = bar_chart(
        chart_id="c",
        title="Mean stars",
        maximum=5,
        data=[Datum(label="Speed", value=4.2, text="4.2 of 5")],
    )

    assert svg.startswith('<svg class="chart-svg" viewBox="0 0 510 36"')
    assert 'role="img" aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Mean stars</title>' in svg
    assert '<desc id="c-desc">Speed: 4.2 of 5.</desc>' in svg
    assert 'width="218.4"' in svg  # 4.2 / 5 of the 260-unit bar


def test_chart_labels_are_escaped():
    svg = column_chart(
        chart_id="c", title="<b>", data=[Datum(label='"><script>', value=1, text="1")]
    )

    assert "<script>" not in svg
    assert '<title id="c-title">&lt;b&gt;</title>' in svg


def test_a_line_breaks_where_a_week_has_no_answers():
    svg = line_chart(
        chart_id="t",
        title="Trend",
        data=[
            Datum(label="W1", value=50, text="50%"),
            Datum(label="W2", value=60, text="60%"),
            Datum(label="W3", value=None, text="—"),
            Datum(label="W4", value=80, text="80%"),
        ],
    )

    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 3
    assert '<desc id="t-desc">W1: 50%; W2: 60%; W4: 80%.</desc>' in svg


def test_the_report_draws_one_distribution_per_dimension(support_user, period):
    add_survey(support_user, "A", {1: 5, 7: 3}, when=at(date(2026, 10, 7)))

    charts = report_charts(satisfaction_report(filters=period))

    assert len(charts.distributions) == 2
    assert "Stars given for Overall" in charts.distributions[1][1]
    assert "Response timeliness: 5.0 of 5; Overall: 3.0 of 5." in charts.means
    assert "Sam: 50%." in charts.agents
    assert "Oct 05: 50%." in charts.trend


def test_a_long_period_still_draws_a_readable_trend(support_user):
    start = date(2024, 1, 1)
    add_survey(support_user, "A", {1: 5}, when=at(start + timedelta(days=400)))

    report = satisfaction_report(filters=ReportFilter(start=start, end=date(2026, 12, 31)))
    charts = report_charts(report)

    assert len(report.weeks) == 157
    assert charts.trend.count('<text class="chart-label" x=') <= 3 + 14
