import pytest
from django.core.management import CommandError, call_command

from ticketui.audit.models import AuditRecord, Kind

pytestmark = pytest.mark.django_db


def test_it_closes_a_ticket_and_prints_the_outcome(sandbox, support_user, capsys):
    call_command("ticket_operate", "CS2026090100003", "close", "--as", "sam", "--desc", "Done")

    out = capsys.readouterr().out
    assert "close CS2026090100003: succeeded" in out
    record = AuditRecord.objects.get(kind=Kind.OPERATION)
    assert record.request_body == {"operate_desc": "Done"}
    assert sandbox.state.tickets["CS2026090100003"]["status"] == 3


def test_an_unknown_ticket_exits_non_zero_and_leaves_an_audit_record(sandbox, support_user):
    with pytest.raises(CommandError) as caught:
        call_command("ticket_operate", "CS-NOPE", "close", "--as", "sam")

    assert caught.value.returncode == 1
    record = AuditRecord.objects.get(kind=Kind.OPERATION)
    assert record.case_id == "CS-NOPE"
    assert record.error_code == "OSM.01010015"


def test_a_refused_operation_exits_non_zero(sandbox, support_user):
    with pytest.raises(CommandError, match="did not succeed"):
        call_command("ticket_operate", "CS2026090100003", "delete", "--as", "sam")


def test_a_user_without_the_role_is_refused(sandbox, outsider):
    with pytest.raises(CommandError, match="permission"):
        call_command("ticket_operate", "CS2026090100003", "close", "--as", "olly")

    assert not [r for r in sandbox.state.received if r.method == "POST"]


def test_an_unknown_user_is_refused(sandbox):
    with pytest.raises(CommandError, match="No active user"):
        call_command("ticket_operate", "CS2026090100003", "close", "--as", "ghost")


def test_a_description_past_the_limit_is_refused_before_sending(sandbox, support_user):
    with pytest.raises(CommandError, match="operate_desc"):
        call_command(
            "ticket_operate", "CS2026090100003", "close", "--as", "sam", "--desc", "x" * 401
        )

    assert not AuditRecord.objects.filter(kind=Kind.OPERATION).exists()


def posted_bodies(sandbox) -> list:
    return [request.body for request in sandbox.state.received if request.method == "POST"]


def test_the_upstreams_documented_press_example_is_sent_as_documented(sandbox, support_user):
    # service-ticket-operations.txt: press with a judgement, a description and a group id.
    call_command(
        "ticket_operate",
        "CS2026090100002",
        "press",
        "--as",
        "sam",
        "--judgement",
        "test",
        "--desc",
        "test",
        "--group-id",
        "123456",
    )

    body = {"judgement": "test", "operate_desc": "test", "group_id": "123456"}
    assert posted_bodies(sandbox) == [body]
    assert AuditRecord.objects.get(kind=Kind.OPERATION).request_body == body


def test_a_close_with_a_comment_and_no_stars_sends_the_comment_as_judgement(sandbox, support_user):
    call_command("ticket_operate", "CS2026090100003", "close", "--as", "sam", "--comment", "Thanks")

    assert posted_bodies(sandbox) == [{"judgement": "Thanks"}]
    assert sandbox.state.tickets["CS2026090100003"]["status"] == 3


def test_a_judgement_past_the_limit_is_refused_with_the_forms_message(sandbox, support_user):
    with pytest.raises(CommandError) as caught:
        call_command(
            "ticket_operate", "CS2026090100002", "press", "--as", "sam", "--judgement", "x" * 401
        )

    assert "judgement: Ensure this value has at most 400 characters (it has 401)." in str(
        caught.value
    )
    assert posted_bodies(sandbox) == []


def test_the_length_message_is_the_one_the_operation_form_shows(sandbox, support_user):
    from ticketui.tickets.operations.forms import OperationForm

    form = OperationForm({"action_id": "close", "operate_desc": "x" * 401}, dimensions=[])
    form.is_valid()
    with pytest.raises(CommandError) as caught:
        call_command(
            "ticket_operate", "CS2026090100003", "close", "--as", "sam", "--desc", "x" * 401
        )

    assert form.errors["operate_desc"][0] in str(caught.value)


def test_the_output_holds_the_outcome_and_no_log_lines_by_default(
    sandbox, support_user, capsys, caplog
):
    caplog.set_level("INFO")

    call_command("ticket_operate", "CS2026090100003", "close", "--as", "sam")

    assert capsys.readouterr().out.splitlines()[0] == "close CS2026090100003: succeeded"
    assert [r for r in caplog.records if r.levelname == "INFO"] == []


def test_with_verbosity_2_the_log_lines_are_kept_and_go_to_the_log_not_the_output(
    sandbox, support_user, capsys, caplog
):
    caplog.set_level("INFO")

    call_command("ticket_operate", "CS2026090100003", "close", "--as", "sam", verbosity=2)

    assert any(r.name == "ticketui.osm.client" for r in caplog.records)
    assert "osm POST" not in capsys.readouterr().out
