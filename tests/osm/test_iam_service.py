"""OSM_AUTH=iam through the settings: operations, their audit records, pages and the system check."""

import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from ticketui.audit.models import AuditRecord, RecordOutcome
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.outcomes import outcome_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def iam_settings(settings, sandbox):
    cache.clear()
    settings.OSM_AUTH = "iam"
    settings.IAM_ENDPOINT = sandbox.url
    settings.IAM_DOMAIN = "sandbox-account"
    settings.IAM_USER = "sandbox-agent"
    settings.IAM_PASSWORD = "sandbox-password"
    settings.IAM_PROJECT = ""
    yield settings
    cache.clear()


def test_operations_share_one_token_fetched_from_iam(iam_settings, sandbox, support_user, ticket):
    sandbox.state.press_interval = 0.0
    sandbox.state.tickets[ticket.case_id]["status"] = 1

    records = [
        operation_submit(actor=support_user, ticket=ticket, action_id="press") for _ in range(20)
    ]

    assert {record.outcome for record in records} == {RecordOutcome.SUCCEEDED}
    assert sandbox.state.token_issues == 1
    upstream_calls = [r for r in sandbox.state.received if r.path_segments[0] == "v2"]
    assert {r.auth for r in upstream_calls} == {"iam-token"}


def test_an_operation_just_after_the_token_ends_renews_it_once(
    iam_settings, sandbox, support_user, ticket
):
    sandbox.state.token_lifetime = 1.0
    sandbox.state.press_interval = 0.0
    sandbox.state.tickets[ticket.case_id]["status"] = 1
    operation_submit(actor=support_user, ticket=ticket, action_id="press")
    time.sleep(1.05)

    record = operation_submit(actor=support_user, ticket=ticket, action_id="press")

    assert record.outcome == RecordOutcome.SUCCEEDED
    assert sandbox.state.token_issues == 2


def test_a_wrong_iam_password_is_not_sent_and_recorded_with_a_clear_message(
    iam_settings, sandbox, support_user, support_client, ticket
):
    iam_settings.IAM_PASSWORD = "not-the-password"

    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "close", "operate_desc": "done"},
        headers={"HX-Request": "true"},
    )

    record = AuditRecord.objects.get(actor=support_user, kind="operation")
    assert record.outcome == RecordOutcome.NOT_SENT
    assert record.error_code == "ticketui.auth.rejected"
    assert "IAM user name or password is wrong" in outcome_message(record)
    assert "IAM user name or password is wrong" in response.text
    assert not [r for r in sandbox.state.received if r.path_segments[0] == "v2"]
    assert "not-the-password" not in str(record.__dict__)


def test_a_locked_iam_user_is_not_sent_and_says_so(iam_settings, sandbox, support_user, ticket):
    sandbox.state.locked_users.add("sandbox-agent")

    record = operation_submit(actor=support_user, ticket=ticket, action_id="close")

    assert record.outcome == RecordOutcome.NOT_SENT
    assert "locked or disabled" in outcome_message(record)


def test_tracking_a_ticket_with_iam_down_shows_why(iam_settings, support_client):
    iam_settings.IAM_ENDPOINT = "http://127.0.0.1:9"

    response = support_client.post(
        "/tickets/track", {"case_id": "CS2026090100003"}, headers={"HX-Request": "true"}
    )

    assert "could not reach Huawei Cloud IAM" in response.text


def test_the_system_check_stops_start_up_on_a_wrong_password(iam_settings):
    iam_settings.IAM_PASSWORD = "not-the-password"

    with pytest.raises(SystemCheckError) as error:
        call_command("check", tags=["upstream"])

    assert "ticketui.E001" in str(error.value)
    assert "IAM_PASSWORD" in str(error.value)
    assert "not-the-password" not in str(error.value)


def test_the_system_check_only_warns_when_iam_is_unreachable(iam_settings, capsys):
    iam_settings.IAM_ENDPOINT = "http://127.0.0.1:9"

    call_command("check", tags=["upstream"])

    assert "ticketui.W003" in capsys.readouterr().err


def test_the_system_check_passes_and_leaves_the_token_for_the_dashboard(
    iam_settings, sandbox, support_user, ticket, capsys
):
    call_command("check", tags=["upstream"])
    operation_submit(actor=support_user, ticket=ticket, action_id="close")

    assert "no issues" in capsys.readouterr().out
    assert sandbox.state.token_issues == 1


def test_the_system_check_signs_in_even_while_a_token_is_cached(iam_settings):
    call_command("check", tags=["upstream"])  # a token is now in the cache
    iam_settings.IAM_PASSWORD = "not-the-password"  # then the password is changed, wrongly

    with pytest.raises(SystemCheckError) as error:
        call_command("check", tags=["upstream"])

    assert "ticketui.E001" in str(error.value)
