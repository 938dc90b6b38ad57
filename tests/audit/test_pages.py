import re

import pytest

from tests.audit.conftest import prepared
from tests.conftest import SECRET_CANARY
from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import Origin, audit_operation_start
from ticketui.osm.catalogue import SURVEY_ACTION
from ticketui.tickets.operations.services import operation_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation(sandbox, support_user, ticket):
    return operation_submit(
        actor=support_user, ticket=ticket, action_id="close", operate_desc="Fixed"
    )


def test_a_team_lead_sees_every_record(lead_client, operation):
    response = lead_client.get("/audit/")

    assert response.status_code == 200
    assert operation in response.context["page"].object_list
    assert "Audit log" in response.text


def test_an_agent_sees_only_their_own_records(client, operation, team_lead):
    AuditRecord.objects.create(
        kind=Kind.LOGIN, created_at=operation.created_at, actor=team_lead, actor_username="tess"
    )
    client.force_login(operation.actor)

    response = client.get("/audit/")

    usernames = {record.actor_username for record in response.context["page"].object_list}
    assert usernames == {"sam"}
    assert "My activity" in response.text


def test_the_record_shows_the_body_sent_and_the_response_received(lead_client, operation):
    response = lead_client.get(f"/audit/{operation.pk}/")

    assert response.status_code == 200
    assert "&quot;operate_desc&quot;: &quot;Fixed&quot;" in response.text
    assert "X-Language: en-us" in response.text
    assert operation.request_id in response.text
    assert "POST /v2/servicerequest/cases/CS2026090100003/action?action_id=close" in response.text


def test_the_record_never_shows_the_token(lead_client, operation):
    response = lead_client.get(f"/audit/{operation.pk}/")

    assert SECRET_CANARY not in response.text
    assert "X-Auth-Token" not in response.text


def test_another_agents_login_record_is_hidden_from_an_agent(client, team_lead, support_user):
    record = AuditRecord.objects.create(
        kind=Kind.LOGIN, created_at="2026-11-01T00:00Z", actor=team_lead
    )
    client.force_login(support_user)

    assert client.get(f"/audit/{record.pk}/").status_code == 404


def test_agents_may_open_operation_records_from_any_tickets_timeline(client, operation, team_lead):
    client.force_login(team_lead)
    assert client.get(f"/audit/{operation.pk}/").status_code == 200


def test_logins_and_failed_logins_are_recorded_without_the_password(client, support_user):
    client.post("/accounts/login/", {"username": "sam", "password": "wrong-password"})
    client.post("/accounts/login/", {"username": "sam", "password": "correct horse battery"})

    kinds = list(AuditRecord.objects.order_by("id").values_list("kind", "actor_username"))
    assert kinds == [(Kind.LOGIN_FAILED, "sam"), (Kind.LOGIN, "sam")]
    assert "wrong-password" not in str(list(AuditRecord.objects.values()))


def test_a_survey_record_is_named_once_and_an_operation_with_its_action(
    lead_client, operation, team_lead
):
    survey = audit_operation_start(
        actor=team_lead,
        kind=Kind.SURVEY,
        case_id=operation.case_id,
        action_id=SURVEY_ACTION,
        call=prepared(SURVEY_ACTION, operation.case_id),
        origin=Origin(ip_address="203.0.113.7", user_agent="test"),
    )

    rows = lead_client.get("/audit/").text
    heading = re.search(r"<h1>(.*?)</h1>", lead_client.get(f"/audit/{survey.pk}/").text, re.S)

    assert re.search(r"<td>\s*Survey</td>", rows)
    assert "Survey: <strong>Survey</strong>" not in rows
    assert "Operation: <strong>Close</strong>" in rows
    assert heading.group(1).strip() == "Survey"
