"""Satisfaction dimensions are named in the viewer's language: fetched from the upstream in each
language (X-Language), kept per language, and shown on the survey, the close form, the
dimensions page, the report and its CSV export."""

import pytest
from django.utils import translation

from ticketui.accounts.models import Profile
from ticketui.osm.client import OsmClient
from ticketui.sandbox.faults import Fault
from ticketui.tickets.models import SatisfactionDimension
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.surveys.dimensions import dimensions_sync
from ticketui.tickets.surveys.services import survey_submit

pytestmark = pytest.mark.django_db

CHINESE = {1: "响应速度", 3: "处理结果", 7: "整体体验"}
ENGLISH = {1: "Response timeliness", 3: "Handling result", 7: "Overall experience"}


@pytest.fixture
def chinese_lead(team_lead):
    Profile.objects.create(user=team_lead, language="zh-cn")
    return team_lead


def test_the_sandbox_names_the_dimensions_in_the_language_asked_for(sandbox):
    from ticketui.osm.client import CallContext
    from ticketui.osm.configured import get_client

    client = get_client()
    chinese = client.satisfaction_dimensions(context=CallContext(language="zh-cn"))
    english = client.satisfaction_dimensions(context=CallContext(language="en-us"))

    assert {dim.satisfaction_id: dim.name for dim in chinese} == CHINESE
    assert {dim.satisfaction_id: dim.name for dim in english} == ENGLISH
    assert [dim.value for dim in chinese] == [dim.value for dim in english]
    assert (
        next(dim.description for dim in chinese if dim.satisfaction_id == 3) == "问题是否得到解决"
    )


def test_the_sync_keeps_each_dimensions_name_in_every_language(sandbox, settings):
    settings.OSM_LANGUAGE = "en-us"

    dimensions_sync()

    overall = SatisfactionDimension.objects.get(satisfaction_id=7)
    assert overall.name == "Overall experience"  # the team's language
    assert overall.name_in("zh-cn") == "整体体验"
    assert overall.name_in("en-us") == "Overall experience"
    assert overall.description_in("zh-cn") == "对整个服务过程的总体评价，满分十分"


def test_a_language_the_upstream_fails_in_keeps_the_names_it_had(sandbox, settings, monkeypatch):
    settings.OSM_LANGUAGE = "en-us"
    dimensions_sync()
    asked = OsmClient.satisfaction_dimensions

    def failing_in_chinese(self, *, context=None):
        if context is not None and context.language == "zh-cn":
            sandbox.faults.add(Fault(kind="status", status=500, path_contains="satisfaction"))
        return asked(self, context=context)

    monkeypatch.setattr(OsmClient, "satisfaction_dimensions", failing_in_chinese)

    result = dimensions_sync()

    assert result.updated == 3
    assert SatisfactionDimension.objects.get(satisfaction_id=1).name_in("zh-cn") == "响应速度"


def test_a_viewer_in_a_language_never_fetched_sees_the_teams_names(db):
    dimension = SatisfactionDimension.objects.create(
        satisfaction_id=1, name="Response timeliness", value=5, per_value=1
    )

    with translation.override("zh-hans"):
        assert dimension.shown_name == "Response timeliness"


def test_the_close_form_names_the_dimensions_in_chinese_for_a_chinese_viewer(
    lead_client, chinese_lead, sandbox, dimensions, ticket
):
    page = lead_client.get(f"/tickets/{ticket.pk}/").text

    assert "<legend>响应速度" in page
    assert "工程师响应是否及时" in page
    assert "Response timeliness" not in page


def test_the_dimensions_page_follows_the_viewer(lead_client, team_lead, sandbox, dimensions):
    english = lead_client.get("/reports/satisfaction/dimensions").text
    lead_client.post("/accounts/language", {"language": "zh-cn"})
    chinese = lead_client.get("/reports/satisfaction/dimensions").text

    assert "Handling result" in english
    assert "处理结果" not in english
    assert "处理结果" in chinese
    assert "Handling result" not in chinese


def test_a_survey_sent_in_english_reads_in_chinese_for_a_chinese_viewer(
    lead_client, team_lead, sandbox, dimensions, completed_ticket
):
    survey_submit(actor=team_lead, ticket=completed_ticket, stars={1: 4, 7: 5}, comment="ok")
    Profile.objects.update_or_create(user=team_lead, defaults={"language": "zh-cn"})

    panel = lead_client.get(f"/tickets/{completed_ticket.pk}/survey").text
    report = lead_client.get("/reports/satisfaction").text
    export = b"".join(lead_client.get("/reports/satisfaction.csv").streaming_content)

    assert "<dt>响应速度</dt>" in panel
    assert "<dt>整体体验</dt>" in panel
    assert "响应速度" in report
    assert "Response timeliness" not in report
    assert "响应速度" in export.decode()
    assert "Response timeliness" not in export.decode()


def test_a_survey_given_with_the_close_keeps_its_names_per_viewer(
    lead_client, team_lead, sandbox, dimensions, ticket
):
    operation_submit(actor=team_lead, ticket=ticket, action_id="close", stars={3: 5}, comment="ok")

    english = lead_client.get("/reports/satisfaction").text
    lead_client.post("/accounts/language", {"language": "zh-cn"})
    chinese = lead_client.get("/reports/satisfaction").text

    assert "Handling result" in english
    assert "处理结果" in chinese
    assert "Handling result" not in chinese


def test_a_chinese_viewer_is_told_in_chinese_which_dimension_to_rate(
    lead_client, chinese_lead, sandbox, dimensions, completed_ticket
):
    response = lead_client.post(
        f"/tickets/{completed_ticket.pk}/survey/send",
        {"stars_1": "9", "comment": "好"},
        headers={"HX-Request": "true"},
    )

    assert "请为响应速度评 1 到 5 星。" in response.text
